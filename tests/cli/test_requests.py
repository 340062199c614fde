"""The whole command against the bundled echo server: what arrived, and what was printed."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from helpers import Result, run_cli

from aiocurl import __version__

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def received(result: Result) -> dict[str, Any]:
    assert result.exit_status == 0, result.stderr
    return json.loads(result.stdout)


def test_get_through_a_pipe_is_the_body_byte_for_byte(echo_url: str) -> None:
    result = run_cli(f"{echo_url}/bytes/5000?seed=7")
    assert result.exit_status == 0
    assert result.stdout == random.Random(7).randbytes(5000)
    assert result.stderr == ""


def test_default_request_headers(echo_url: str) -> None:
    raw = received(run_cli(f"{echo_url}/get"))["raw_headers"]
    names = [name for name, _ in raw]
    assert names[:4] == ["Host", "User-Agent", "Accept", "Accept-Encoding"]
    assert dict(raw)["User-Agent"] == f"aiocurl/{__version__}"
    assert dict(raw)["Accept"] == "*/*"
    assert dict(raw)["Accept-Encoding"].startswith("gzip, deflate")


def test_json_post_with_data_items(echo_url: str, tmp_path: object) -> None:
    port = echo_url.rsplit(":", 1)[1]
    body = received(run_cli("POST", f":{port}/post", "name=ada", "age:=36", 'tags:=["x"]'))
    assert body["json"] == {"name": "ada", "age": 36, "tags": ["x"]}
    headers = dict(body["raw_headers"])
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept"] == "application/json, */*;q=0.5"


def test_data_items_make_the_default_method_post(echo_url: str) -> None:
    assert received(run_cli(f"{echo_url}/anything", "a=b"))["method"] == "POST"
    assert received(run_cli(f"{echo_url}/anything"))["method"] == "GET"


def test_custom_method(echo_url: str) -> None:
    assert received(run_cli("PURGE", f"{echo_url}/anything"))["method"] == "PURGE"
    assert received(run_cli("purge", f"{echo_url}/anything"))["method"] == "PURGE"


def test_form_keeps_repeated_fields(echo_url: str) -> None:
    body = received(run_cli("-f", f"{echo_url}/post", "a=1", "a=2", "b=x y"))
    assert body["form"] == {"a": ["1", "2"], "b": "x y"}
    assert dict(body["raw_headers"])["Content-Type"] == (
        "application/x-www-form-urlencoded; charset=utf-8"
    )


def test_json_flag_without_data(echo_url: str) -> None:
    body = received(run_cli("--json", f"{echo_url}/anything"))
    headers = dict(body["raw_headers"])
    assert headers["Accept"] == "application/json, */*;q=0.5"
    assert headers["Content-Type"] == "application/json"
    assert body["method"] == "GET"


def test_query_items_follow_the_urls_query(echo_url: str) -> None:
    body = received(run_cli(f"{echo_url}/get?a=1", "q==x y", "q==z"))
    assert body["args"] == {"a": "1", "q": ["x y", "z"]}


def test_header_items_unset_empty_replace_keep_case(echo_url: str) -> None:
    body = received(
        run_cli(
            f"{echo_url}/headers",
            "User-Agent:",
            "Accept:text/plain",
            "X-Empty;",
            "x-MiXed:1",
        )
    )
    raw = body["raw_headers"]
    names = [name for name, _ in raw]
    assert "User-Agent" not in names
    assert ["X-Empty", ""] in raw
    assert ["x-MiXed", "1"] in raw
    assert dict(raw)["Accept"] == "text/plain"


def test_escaped_separator_in_a_field_name(echo_url: str) -> None:
    body = received(run_cli(f"{echo_url}/post", r"a\=b=c", r"mail\@x=y"))
    assert body["json"] == {"a=b": "c", "mail@x": "y"}


def test_file_items(echo_url: str, tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "bio.txt").write_text("hello\n")
    (folder / "d.json").write_text('{"k": [1]}')
    body = received(
        run_cli(
            f"{echo_url}/post",
            f"bio=@{folder / 'bio.txt'}",
            f"d:=@{folder / 'd.json'}",
            f"X-Bio:@{folder / 'bio.txt'}",
            f"q==@{folder / 'bio.txt'}",
        )
    )
    assert body["json"] == {"bio": "hello\n", "d": {"k": [1]}}
    assert dict(body["raw_headers"])["X-Bio"] == "hello"
    assert body["args"] == {"q": "hello"}


def test_offline_output_is_what_is_sent(echo_url: str) -> None:
    args = (f"{echo_url}/anything?x=1", "name=ada", "X-A:1", "q==2")
    offline = run_cli("--offline", *args)
    assert offline.exit_status == 0
    head, _, body = offline.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    sent = received(run_cli(*args))
    assert lines[0] == "POST /anything?x=1&q=2 HTTP/1.1"
    assert [line.split(": ", 1) for line in lines[1:]] == sent["raw_headers"]
    assert body == sent["data"].encode()


def test_terminal_output_is_formatted_and_coloured(echo_url: str) -> None:
    result = run_cli(f"{echo_url}/json", tty=True)
    assert result.exit_status == 0
    assert "\x1b[" in result.text
    plain = ANSI.sub("", result.text)
    assert plain.startswith("HTTP/1.1 200 OK\n")
    assert '\n\n{\n    "slideshow": {' in plain
    assert plain.endswith("}\n")


def test_no_color_keeps_formatting(echo_url: str) -> None:
    result = run_cli(f"{echo_url}/get", "a==1", tty=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.text
    assert '\n    "args": {\n        "a": "1"\n    },' in result.text


def test_force_color_in_a_pipe(echo_url: str) -> None:
    result = run_cli(f"{echo_url}/json", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in result.text
    assert json.loads(ANSI.sub("", result.text))


def test_pretty_none_on_a_terminal_keeps_the_body(echo_url: str) -> None:
    result = run_cli("--pretty=none", "-b", f"{echo_url}/get", tty=True)
    assert "\x1b[" not in result.text
    assert json.loads(result.stdout)["url"].endswith("/get")


def test_verbose_in_a_pipe_prints_the_exchange_as_sent(echo_url: str) -> None:
    result = run_cli("-v", f"{echo_url}/post", "a=b")
    text = result.text
    assert text.startswith("POST /post HTTP/1.1\r\nHost: 127.0.0.1:")
    assert '\r\n\r\n{"a": "b"}\n\nHTTP/1.1 200 OK\r\n' in text
    assert "\x1b[" not in text


def test_print_letters_and_meta(echo_url: str) -> None:
    result = run_cli("-p", "hm", f"{echo_url}/get")
    assert result.text.startswith("HTTP/1.1 200 OK\r\n")
    port = echo_url.rsplit(":", 1)[1]
    assert re.search(
        r"\nElapsed time: \d+\.\d+s\nRemote address: 127\.0\.0\.1:" + port, result.text
    )
    assert '"url"' not in result.text
    headers_only = run_cli("-h", f"{echo_url}/get")
    assert headers_only.text.endswith("\r\n\r\n") and '"url"' not in headers_only.text


def test_quiet_prints_nothing(echo_url: str) -> None:
    result = run_cli("-q", f"{echo_url}/get", tty=True)
    assert (result.exit_status, result.stdout, result.stderr) == (0, b"", "")


def test_every_advertised_coding_is_decoded(echo_url: str) -> None:
    for path, flag in [("gzip", "gzipped"), ("deflate", "deflated"), ("brotli", "brotli")]:
        assert received(run_cli(f"{echo_url}/{path}"))[flag] is True
    zstd = received(run_cli(f"{echo_url}/zstd"))
    assert zstd["zstd"] is True
    assert zstd["headers"]["Accept-Encoding"] == "gzip, deflate, br, zstd"


def test_no_decompress_keeps_the_encoded_bytes(echo_url: str) -> None:
    import gzip

    result = run_cli("--no-decompress", f"{echo_url}/gzip")
    assert result.stdout[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(result.stdout))["gzipped"] is True


def test_utf8_body_on_a_terminal(echo_url: str) -> None:
    result = run_cli("-b", f"{echo_url}/encoding/utf8", tty=True, env={"NO_COLOR": "1"})
    raw = run_cli(f"{echo_url}/encoding/utf8").stdout.decode("utf-8")
    assert result.text.rstrip("\n") == raw.rstrip("\n")


def test_output_file(echo_url: str, tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "out.bin"
    result = run_cli("-o", str(target), f"{echo_url}/bytes/3000?seed=1", tty=True)
    assert (result.exit_status, result.stdout) == (0, b"")
    assert target.read_bytes() == random.Random(1).randbytes(3000)


def test_items_starting_with_a_dash_come_after_double_dash(echo_url: str) -> None:
    body = received(run_cli(f"{echo_url}/post", "-b", "--", "-weird=1", "--x:=2"))
    assert body["json"] == {"-weird": "1", "--x": 2}


def test_options_between_and_after_positionals(echo_url: str) -> None:
    body = received(run_cli("POST", "--form", f"{echo_url}/post", "a=1", "--pretty", "none"))
    assert body["form"] == {"a": "1"}


def test_nested_json_as_the_server_parsed_it(echo_url: str) -> None:
    body = received(
        run_cli(
            f"{echo_url}/post",
            "user[name]=ada",
            "user[tags][]=x",
            "user[tags][]=y",
            "user[langs][1]=en",
            "user[age]:=36",
            r"meta[\1]=one",
            r"esc\[0\]=lit",
        )
    )
    assert body["json"] == {
        "user": {"name": "ada", "tags": ["x", "y"], "langs": [None, "en"], "age": 36},
        "meta": {"1": "one"},
        "esc[0]": "lit",
    }
    top = received(run_cli(f"{echo_url}/post", "[]:=1", "[1][k]=v"))
    assert top["json"] == [1, {"k": "v"}]


def test_nested_json_error_has_a_caret() -> None:
    result = run_cli("--offline", "h/x", "a[b=1")
    assert result.exit_status == 1
    assert result.stderr == "aiocurl: error: expected ']'\n  a[b=1\n     ^\n"

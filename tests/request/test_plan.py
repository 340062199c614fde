"""Options + items → RequestPlan, without any I/O but the injected file reader."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest

from aiocurl import __version__
from aiocurl.cli.options import Options, OutputOptions, TransportOptions
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.request.body import read_all
from aiocurl.request.plan import JSON_ACCEPT, RequestPlan, build_plan, split_positionals


def env(**overrides: object) -> Environment:
    files = {"bio.txt": b"likes engines\n", "data.json": b'{"x": [1, 2]}', "bad.json": b"{x"}

    def read(path: str) -> bytes:
        if path not in files:
            raise UsageError(f"cannot read {path!r}: no such file or directory")
        return files[path]

    base = Environment(env={}, read_file=read, prompt_password=lambda _: "prompted")
    return replace(base, **overrides)  # type: ignore[arg-type]


def plan(*args: str, environment: Environment | None = None, **options: object) -> RequestPlan:
    return build_plan(Options(method_and_url=args, **options), environment or env())  # type: ignore[arg-type]


def body_bytes(p: RequestPlan) -> bytes:
    assert p.request.body is not None
    return read_all(p.request.body)


def headers(p: RequestPlan) -> list[tuple[str, str]]:
    return list(p.request.headers)


@pytest.mark.parametrize(
    ("args", "method", "url", "items"),
    [
        (["h"], None, "h", []),
        (["GET", "h"], "GET", "h", []),
        (["purge", "h"], "purge", "h", []),
        (["h", "a=b"], None, "h", ["a=b"]),
        (["localhost", "a=b"], None, "localhost", ["a=b"]),
        (["localhost", "q==1"], None, "localhost", ["q==1"]),
        (["GET", "localhost:8080/x"], "GET", "localhost:8080/x", []),
        (["GET", "example.org/?a=b"], "GET", "example.org/?a=b", []),
        (["POST", ":8080/post", "a=b"], "POST", ":8080/post", ["a=b"]),
        ([":8080/x", "X:1"], None, ":8080/x", ["X:1"]),
        (["h", "X-A:b"], None, "h", ["X-A:b"]),
        (["h", "X;"], None, "h", ["X;"]),
        (["get", "h:8080"], "get", "h:8080", []),
        (["get", "h:8080/x"], "get", "h:8080/x", []),
        (["GET", "h", "X:1"], "GET", "h", ["X:1"]),
        (["DELETE", "a=b"], "DELETE", "a=b", []),
    ],
)
def test_split_positionals(args: list[str], method: str | None, url: str, items: list[str]) -> None:
    assert split_positionals(args) == (method, url, items)


def test_missing_url() -> None:
    with pytest.raises(UsageError, match="missing URL"):
        split_positionals([])


def test_get_by_default_post_with_data() -> None:
    assert plan("h").request.method == "GET"
    assert plan("h", "a=b").request.method == "POST"
    assert plan("h", "q==1", "X:1").request.method == "GET"
    assert plan("put", "h").request.method == "PUT"


def test_default_headers() -> None:
    assert headers(plan("h")) == [
        ("User-Agent", f"aiocurl/{__version__}"),
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),  # the decoders are dependencies
    ]


def test_json_body_and_headers() -> None:
    p = plan("h", "name=ada", "age:=36", "ok:=true", "tags:=[1]")
    assert json.loads(body_bytes(p)) == {"name": "ada", "age": 36, "ok": True, "tags": [1]}
    assert ("Accept", JSON_ACCEPT) in headers(p)
    assert ("Content-Type", "application/json") in headers(p)


def test_json_flag_without_data() -> None:
    p = plan("h", json=True)
    assert p.request.body is None
    assert ("Accept", JSON_ACCEPT) in headers(p)
    assert ("Content-Type", "application/json") in headers(p)


def test_repeated_json_field_keeps_the_last_value_as_httpie_does() -> None:
    p = plan("h", "a=1", "b=x", "a=2", "a=3")
    assert json.loads(body_bytes(p)) == {"a": "3", "b": "x"}


def test_non_ascii_json_is_utf8() -> None:
    assert body_bytes(plan("h", "name=Zoë")) == '{"name": "Zoë"}'.encode()


def test_form_body_keeps_repeats_and_stringifies_scalars() -> None:
    p = plan("h", "a=1", "a=x y", "n:=5", "t:=true", form=True)
    assert body_bytes(p) == b"a=1&a=x+y&n=5&t=true"
    assert ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8") in headers(p)
    assert ("Accept", "*/*") in headers(p)


def test_form_refuses_arrays_and_objects() -> None:
    with pytest.raises(UsageError, match="cannot hold a JSON array or object"):
        plan("h", "a:=[1]", form=True)


def test_file_items() -> None:
    p = plan("h", "bio=@bio.txt", "data:=@data.json", "X-Bio:@bio.txt", "q==@bio.txt")
    assert json.loads(body_bytes(p)) == {"bio": "likes engines\n", "data": {"x": [1, 2]}}
    assert ("X-Bio", "likes engines") in headers(p)
    assert p.request.url == "http://h/?q=likes+engines"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("age:=3x", r"'age:=3x': invalid JSON at position 1: Extra data"),
        ("a:={", r"'a:={': invalid JSON at position 1: Expecting property name"),
        ("d:=@bad.json", r"invalid JSON in 'bad.json' at position 1"),
        ("b=@missing.txt", r"cannot read 'missing.txt': no such file"),
        ("f@a.png", r"a file upload needs a multipart body \(perhaps you meant --form\?\)"),
        ("bad name:x", r"'bad name' is not a valid header name"),
        ("bad\x01:x", r"is not a valid header name"),
    ],
)
def test_item_errors(item: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        plan("h", item)


def test_header_items_replace_unset_and_add() -> None:
    p = plan("h", "User-Agent:me/1", "Accept:", "X-A:1", "X-A:2", "X-Empty;", "accept-encoding:br")
    assert headers(p) == [
        ("User-Agent", "me/1"),
        ("accept-encoding", "br"),
        ("X-A", "1"),
        ("X-A", "2"),
        ("X-Empty", ""),
    ]
    assert p.request.unset_headers == frozenset({"Accept"})


def test_unset_content_type() -> None:
    p = plan("h", "a=b", "Content-Type:")
    assert not any(n == "Content-Type" for n, _ in headers(p))


def test_basic_auth_header_and_url_credentials() -> None:
    token = base64.b64encode(b"ada:pw").decode()
    assert ("Authorization", f"Basic {token}") in headers(plan("h", auth="ada:pw"))
    url_plan = plan("http://ada:pw@h/x")
    assert ("Authorization", f"Basic {token}") in headers(url_plan)
    assert url_plan.request.url == "http://h/x"


def test_bearer_and_digest() -> None:
    assert ("Authorization", "Bearer t0k") in headers(plan("h", auth="t0k", auth_type="bearer"))
    digest = plan("h", auth="ada:pw", auth_type="digest")
    assert digest.request.auth is not None and digest.request.auth.kind == "digest"
    assert not any(n == "Authorization" for n, _ in headers(digest))


def test_explicit_authorization_item_wins() -> None:
    p = plan("h", "Authorization:Custom x", auth="ada:pw")
    assert [v for n, v in headers(p) if n == "Authorization"] == ["Custom x"]


def test_password_prompt_only_on_a_terminal() -> None:
    p = plan("h", auth="ada", environment=env(stdin_isatty=True))
    assert p.request.auth is not None and p.request.auth.password == "prompted"
    with pytest.raises(UsageError, match="stdin is not a terminal"):
        plan("h", auth="ada")


def test_auth_type_needs_credentials() -> None:
    with pytest.raises(UsageError, match="needs credentials"):
        plan("h", auth_type="bearer")


@pytest.mark.parametrize(
    ("output", "tty", "letters"),
    [
        (OutputOptions(), True, "hb"),
        (OutputOptions(), False, "b"),
        (OutputOptions(verbose=1), False, "HBhb"),
        (OutputOptions(verbose=2), True, "HBhbm"),
        (OutputOptions(headers_only=True), True, "h"),
        (OutputOptions(body_only=True, meta=True), True, "bm"),
        (OutputOptions(print_spec="Hh"), False, "Hh"),
        (OutputOptions(quiet=1), True, ""),
    ],
)
def test_print_sections(output: OutputOptions, tty: bool, letters: str) -> None:
    out = plan("h", output=output, environment=env(stdout_isatty=tty)).output
    got = "".join(
        letter
        for letter, on in zip(
            "HBhbm",
            (
                out.request_headers,
                out.request_body,
                out.response_headers,
                out.response_body,
                out.meta,
            ),
            strict=True,
        )
        if on
    )
    assert got == letters


def test_offline_prints_the_request_by_default() -> None:
    out = plan("h", offline=True).output
    assert (out.request_headers, out.request_body, out.response_headers) == (True, True, False)


def test_bad_print_letters() -> None:
    with pytest.raises(UsageError, match="--print: expected letters"):
        plan("h", output=OutputOptions(print_spec="Hx"))


@pytest.mark.parametrize(
    ("tty", "variables", "pretty", "expected"),
    [
        (True, {}, None, (True, True)),
        (False, {}, None, (False, False)),
        (True, {"NO_COLOR": "1"}, None, (False, True)),
        (False, {"FORCE_COLOR": "1"}, None, (True, False)),
        (False, {}, "all", (True, True)),
        (True, {}, "none", (False, False)),
        (True, {}, "format", (False, True)),
        (False, {"NO_COLOR": "1"}, "colors", (True, False)),
    ],
)
def test_pretty_modes(
    tty: bool, variables: dict[str, str], pretty: str | None, expected: tuple[bool, bool]
) -> None:
    out = plan(
        "h", output=OutputOptions(pretty=pretty), environment=env(stdout_isatty=tty, env=variables)
    ).output
    assert (out.colors, out.format) == expected


def test_format_options_and_sorting() -> None:
    out = plan(
        "h", output=OutputOptions(format_options=("json.indent:2,json.sort_keys:false",))
    ).output
    assert (out.json_indent, out.json_sort_keys, out.headers_sort) == (2, False, False)
    assert plan("h", output=OutputOptions(sorted_output=True)).output.headers_sort
    assert not plan("h", output=OutputOptions(sorted_output=False)).output.json_sort_keys
    with pytest.raises(UsageError, match="unknown option 'json.colour:true'"):
        plan("h", output=OutputOptions(format_options=("json.colour:true",)))
    with pytest.raises(UsageError, match="json.indent expects a number"):
        plan("h", output=OutputOptions(format_options=("json.indent:x",)))


def test_output_file_is_never_a_terminal() -> None:
    out = plan(
        "h", output=OutputOptions(output_file="f"), environment=env(stdout_isatty=True)
    ).output
    assert (out.terminal, out.response_headers, out.colors) == (False, False, False)


def test_style_and_charset_are_checked() -> None:
    assert plan("h", output=OutputOptions(style="monokai")).output.style == "monokai"
    with pytest.raises(UsageError, match="--style: unknown style 'nope'"):
        plan("h", output=OutputOptions(style="nope"))
    with pytest.raises(UsageError, match="--response-charset: unknown encoding"):
        plan("h", output=OutputOptions(response_charset="klingon"))


def test_transport_settings(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    t = plan(
        "h",
        transport=TransportOptions(timeout=5, verify=str(bundle), proxy=("http://u:p@proxy:3128",)),
    ).transport
    assert (t.read_timeout, t.connect_timeout, t.total_timeout) == (5, 5, None)
    assert (t.verify, t.ca_bundle) == (True, str(bundle))
    (proxy,) = t.proxies
    assert (proxy.url, proxy.username, proxy.password) == ("http://proxy:3128", "u", "p")
    assert plan("h").transport.connect_timeout == 30
    assert not plan("h", transport=TransportOptions(verify="no")).transport.verify
    with pytest.raises(UsageError, match="--verify: expected yes, no or a CA bundle path"):
        plan("h", transport=TransportOptions(verify="/nonexistent/ca.pem"))
    with pytest.raises(UsageError, match="--proxy: expected an http"):
        plan("h", transport=TransportOptions(proxy=("ftp://p:1080",)))

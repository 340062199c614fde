"""`--shell` driven through a pipe: each line a request on one live session, or a command
that changes what the following requests get."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aiohttp import web
from helpers import Result, app_in_thread, run_cli


def shell(url: str, script: str, *flags: str, **kwargs: object) -> Result:
    return run_cli(*flags, "--shell", url, stdin=script.encode(), **kwargs)  # type: ignore[arg-type]


def test_a_script_prints_what_the_single_commands_print(echo_url: str) -> None:
    script = "get /get a==1\npost /post name=ada age:=36\nget /headers X-Trace:1 -h\n"
    result = shell(echo_url, script)
    singles = [
        run_cli("GET", f"{echo_url}/get", "a==1"),
        run_cli("POST", f"{echo_url}/post", "name=ada", "age:=36"),
        run_cli("GET", f"{echo_url}/headers", "X-Trace:1", "-h"),
    ]
    assert result.exit_status == 0, result.stderr
    # The heads differ only in their Date lines, which the server writes per second.
    expected = b"".join(single.stdout for single in singles)
    assert _without_dates(result.stdout) == _without_dates(expected)


def _without_dates(output: bytes) -> bytes:
    return b"\n".join(line for line in output.split(b"\n") if not line.startswith(b"Date:"))


@pytest.fixture
def peers() -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """A server that notes the client's address and port of each request."""
    seen: list[tuple[str, int]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.transport.get_extra_info("peername"))  # type: ignore[union-attr]
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    with app_in_thread(app) as url:
        yield url, seen


def test_requests_to_one_host_share_one_connection(peers: tuple[str, list]) -> None:
    url, seen = peers
    result = shell(url, "get /a\nget /b\npost /c x=1\nget\n")
    assert result.exit_status == 0, result.stderr
    assert [json.loads(line)["path"] for line in _documents(result.stdout)] == [
        "/a",
        "/b",
        "/c",
        "/",
    ]
    assert len(seen) == 4
    assert len(set(seen)) == 1  # one connection, kept alive


def _documents(output: bytes) -> list[str]:
    """The JSON documents of several pretty-printed bodies, one per entry."""
    decoder = json.JSONDecoder()
    text, found, index = output.decode(), [], 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            break
        document, index = decoder.raw_decode(text, index)
        found.append(json.dumps(document))
    return found


def test_meta_of_a_second_request_shows_the_connection_reused(echo_url: str) -> None:
    result = shell(echo_url, "get /get -m\nget /get -m\n")
    assert result.exit_status == 0, result.stderr
    first, second = result.stdout.decode().split("Elapsed time")[1:]
    assert "TCP connect: skipped (reused connection)" not in first
    assert "TCP connect: skipped (reused connection)" in second


def test_cookies_set_by_one_response_go_with_the_next(echo_url: str) -> None:
    result = shell(echo_url, "get /cookies/set?flavour=oat -q\nget /cookies\n")
    assert result.exit_status == 0, result.stderr
    assert json.loads(_documents(result.stdout)[-1]) == {"cookies": {"flavour": "oat"}}


def test_kept_headers_query_and_data_go_with_every_request(echo_url: str) -> None:
    script = (
        "header X-Trace:7\nquery page==2\ndata name=ada\n"
        "post /anything\n"
        "unset X-Trace\nunset page\nunset name\n"
        "get /anything\n"
    )
    result = shell(echo_url, script)
    assert result.exit_status == 0, result.stderr
    kept, dropped = (json.loads(doc) for doc in _documents(result.stdout))
    assert kept["headers"]["X-Trace"] == "7"
    assert kept["args"] == {"page": "2"}
    assert kept["json"] == {"name": "ada"}
    assert "X-Trace" not in dropped["headers"]
    assert dropped["args"] == {}
    assert dropped["method"] == "GET"


def test_a_line_item_replaces_a_kept_one_of_its_name(echo_url: str) -> None:
    result = shell(echo_url, "header X-Trace:1\nget /headers x-trace:2\nget /headers\n")
    first, second = (json.loads(doc)["raw_headers"] for doc in _documents(result.stdout))
    assert [pair for pair in first if pair[0].lower() == "x-trace"] == [["x-trace", "2"]]
    assert [pair for pair in second if pair[0].lower() == "x-trace"] == [["X-Trace", "1"]]


def test_cd_moves_under_the_base_url(echo_url: str) -> None:
    script = "cd /anything/users\nget\nget 7\ncd 7\nget\ncd ..\nget ./8\ncd /\nget /get\n"
    result = shell(echo_url, script)
    assert result.exit_status == 0, result.stderr
    urls = [json.loads(doc)["url"] for doc in _documents(result.stdout)]
    assert urls == [
        f"{echo_url}/anything/users",
        f"{echo_url}/anything/users/7",
        f"{echo_url}/anything/users/7",
        f"{echo_url}/anything/users/8",
        f"{echo_url}/get",
    ]


def test_a_base_url_with_a_path_keeps_it(echo_url: str) -> None:
    result = shell(f"{echo_url}/anything/v2", "get /users\n")
    assert json.loads(_documents(result.stdout)[0])["url"] == f"{echo_url}/anything/v2/users"


def test_a_base_url_with_a_query_keeps_it_after_the_path(echo_url: str) -> None:
    result = shell(f"{echo_url}/anything?key=k", "get /users a==1\ncd v2\nget\n")
    assert result.exit_status == 0, result.stderr
    urls = [json.loads(doc)["url"] for doc in _documents(result.stdout)]
    assert urls == [f"{echo_url}/anything/users?key=k&a=1", f"{echo_url}/anything/v2?key=k"]


def test_a_full_url_goes_where_it_says(echo_url: str) -> None:
    result = shell("http://127.0.0.1:9/nothing", f"get {echo_url}/get a==1\n")
    assert result.exit_status == 0, result.stderr
    assert json.loads(_documents(result.stdout)[0])["url"] == f"{echo_url}/get?a=1"


def test_show_prints_the_next_request_without_sending_it(peers: tuple[str, list]) -> None:
    url, seen = peers
    result = shell(url, "header X-Trace:1\nset --follow\ncd /users\nshow\n")
    assert result.exit_status == 0, result.stderr
    assert seen == []
    text = result.stdout.decode()
    assert text.startswith("flags: --follow\nGET /users HTTP/1.1\r\n")
    assert "\r\nX-Trace: 1\r\n" in text


def test_items_after_a_double_dash_are_items_even_with_a_leading_dash(echo_url: str) -> None:
    script = "data -y=2\npost /anything -- -x=1\naiocurl\n"
    result = shell(echo_url, script)
    assert result.exit_status == 0, result.stderr
    document, command = result.stdout.decode().rsplit("}\n", 1)
    assert json.loads(document + "}")["json"] == {"-y": "2", "-x": "1"}
    assert command == f"aiocurl -- POST {echo_url}/anything -y=2 -x=1\n"


def test_flags_on_a_line_apply_to_that_request_only(echo_url: str) -> None:
    result = shell(echo_url, "get /redirect/1 --follow -h\nget /redirect/1 -h\n")
    assert result.exit_status == 0, result.stderr
    statuses = [line for line in result.stdout.decode().splitlines() if line.startswith("HTTP/")]
    assert statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 302 Found"]


def test_set_keeps_a_flag_and_unset_drops_it(echo_url: str) -> None:
    script = "set -F\nget /redirect/1 -h\nunset --follow\nget /redirect/1 -h\n"
    result = shell(echo_url, script)
    assert result.exit_status == 0, result.stderr
    statuses = [line for line in result.stdout.decode().splitlines() if line.startswith("HTTP/")]
    assert statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 302 Found"]


def test_flags_given_several_times_keep_every_use(echo_url: str) -> None:
    script = "set -xx\nset --secret-header X-B\npost /post a=1 -q\naiocurl\n"
    result = shell(echo_url, script, "-vv", "--secret-header", "X-A")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.decode().splitlines()[-1] == (
        f"aiocurl -v -v --secret-header X-A --secret-header X-B -x -x -q POST {echo_url}/post a=1"
    )


def test_curl_and_aiocurl_print_the_last_request(echo_url: str) -> None:
    result = shell(echo_url, "header X-Trace:1\npost /post name=ada -b\ncurl\naiocurl\n")
    assert result.exit_status == 0, result.stderr
    text = result.stdout.decode()
    assert f"curl {echo_url}/post" in text
    assert "-H 'X-Trace: 1'" in text
    assert f"aiocurl -b POST {echo_url}/post X-Trace:1 name=ada\n" in text


def test_show_and_curl_leave_out_what_only_measures_a_sent_request(echo_url: str) -> None:
    script = "set --timing\nshow\nget /get -w '%{http_code}' -q\ncurl\n"
    result = shell(echo_url, script)
    assert result.exit_status == 0, result.stderr
    shown = result.stdout.decode()
    assert shown.startswith("flags: --timing\nGET / HTTP/1.1\r\n")
    assert f"200curl {echo_url}/get" in shown  # -w's code, then the curl command


def test_curl_before_any_request_says_so(echo_url: str) -> None:
    result = shell(echo_url, "curl\n")
    assert result.exit_status == 1
    assert result.stderr == "aiocurl: error: no request yet: send one first\n"


def test_mistakes_get_one_line_and_the_shell_goes_on(echo_url: str) -> None:
    script = "set --timeout x\nget /get --nope\nheader nope\nunset --follow\nget /get a==1 -b\n"
    result = shell(echo_url, script)
    errors = result.stderr.splitlines()
    assert len(errors) == 4
    assert all(line.startswith("aiocurl: error: ") for line in errors)
    assert "--timeout" in errors[0]
    assert "--nope" in errors[1]
    assert "'nope'" in errors[2]
    assert "--follow is not set" in errors[3]
    assert json.loads(_documents(result.stdout)[0])["args"] == {"a": "1"}
    assert result.exit_status == 1  # a script ends with the worst status of its lines


def test_a_script_exits_with_the_worst_status(echo_url: str) -> None:
    result = shell(echo_url, "get /status/500\nget /status/404\nget /get\n", "--check-status")
    assert result.exit_status == 5


def test_exit_ends_the_script(peers: tuple[str, list]) -> None:
    url, seen = peers
    result = shell(url, "get /a\nexit\nget /b\n")
    assert result.exit_status == 0
    assert len(seen) == 1


def test_comments_and_blank_lines_are_skipped(peers: tuple[str, list]) -> None:
    url, seen = peers
    result = shell(url, "# the users\n\n   \nget /a  # the first\n")
    assert result.exit_status == 0, result.stderr
    assert len(seen) == 1


def test_the_starting_items_and_flags_are_kept(echo_url: str) -> None:
    result = run_cli(
        "--shell", echo_url, "X-Trace:9", "--print=b", stdin=b"get /headers\nget /headers -p h\n"
    )
    assert result.exit_status == 0, result.stderr
    body, head = result.stdout.decode().split("}\n", 1)  # -p h on the line wins
    assert json.loads(body + "}")["headers"]["X-Trace"] == "9"
    assert head.startswith("HTTP/1.1 200 OK\r\n")  # as received, in a pipe
    assert "{" not in head


def test_without_a_base_url_lines_give_full_urls(echo_url: str) -> None:
    result = run_cli("--shell", stdin=f"get {echo_url}/get\nget /get\n".encode())
    assert json.loads(_documents(result.stdout)[0])["url"] == f"{echo_url}/get"
    assert (
        result.stderr
        == "aiocurl: error: invalid URL '/get': a path alone needs --base-url to go after\n"
    )


def test_secrets_typed_on_a_line_stay_out_of_messages(echo_url: str) -> None:
    result = shell(echo_url, "get http://ada:hunter2@127.0.0.1:9/x\n")
    assert result.exit_status == 1
    assert "hunter2" not in result.stderr


def test_save_writes_a_session_file(echo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "saved.json"
    script = f"header X-Trace:1\nget /cookies/set?flavour=oat -h\ncd /anything\nsave {path}\n"
    result = shell(echo_url, script, "-a", "ada:pw")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.decode().endswith(f"saved to {path}\n")
    saved = json.loads(path.read_text())
    assert saved["headers"] == [{"name": "X-Trace", "value": "1"}]
    assert [cookie["name"] for cookie in saved["cookies"]] == ["flavour"]
    assert saved["auth"]["raw_auth"] == "ada:pw"
    assert saved["base_url"] == f"{echo_url}/anything"
    assert path.stat().st_mode & 0o777 == 0o600
    # A later command with that session sends what the shell had.
    again = run_cli("--session", str(path), "/headers")
    assert json.loads(again.stdout)["headers"]["X-Trace"] == "1"


def test_a_session_given_at_the_start_is_loaded_and_kept(echo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dev.json"
    first = shell(echo_url, "get /cookies/set?flavour=oat -h\n", "--session", str(path))
    assert first.exit_status == 0, first.stderr
    second = shell(echo_url, "get /cookies\n", "--session", str(path))
    assert json.loads(_documents(second.stdout)[0]) == {"cookies": {"flavour": "oat"}}


def test_a_line_cannot_start_another_shell_or_a_batch(echo_url: str) -> None:
    result = shell(echo_url, "get /get --shell\nget --batch x\n")
    assert result.stderr.splitlines() == [
        "aiocurl: error: --shell does not go on a line of the shell",
        "aiocurl: error: --batch does not go on a line of the shell",
    ]


def test_help_and_version_on_a_line_are_refused_and_the_shell_goes_on(echo_url: str) -> None:
    result = shell(echo_url, "get /get --help\nshow --version\nget /anything/after\n")
    assert result.stderr.splitlines() == [
        "aiocurl: error: --help does not go on a line of the shell (type help)",
        "aiocurl: error: --version does not go on a line of the shell",
    ]
    assert json.loads(result.stdout)["url"] == f"{echo_url}/anything/after"
    assert result.exit_status == 1


def test_a_session_keeps_the_base_url_for_the_next_shell(echo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "api.json"
    saved = shell(f"{echo_url}/anything", f"save {path}\n")
    assert saved.exit_status == 0, saved.stderr
    result = run_cli("--shell", "--session", str(path), stdin=b"get /x\n")
    assert result.exit_status == 0, result.stderr
    assert json.loads(_documents(result.stdout)[0])["url"] == f"{echo_url}/anything/x"


def test_a_path_given_at_the_start_goes_after_the_base_url(echo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--shell", "--base-url", echo_url, "/anything", stdin=b"get /x\n")
    assert result.exit_status == 0, result.stderr
    assert json.loads(result.stdout)["url"] == f"{echo_url}/anything/x"
    path = tmp_path / "api.json"
    assert shell(echo_url, f"save {path}\n").exit_status == 0
    result = run_cli("--shell", "--session", str(path), "/anything", stdin=b"get /y\n")
    assert json.loads(result.stdout)["url"] == f"{echo_url}/anything/y"


def test_a_path_alone_at_the_start_needs_a_base_url() -> None:
    result = run_cli("--shell", "/anything", stdin=b"get /x\n")
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: invalid URL '/anything': a path alone needs --base-url to go after\n"
    )


def test_a_base_url_no_request_could_use_is_refused_at_the_start() -> None:
    result = run_cli("--shell", "ftp://files.test/", stdin=b"get /x\n")
    assert result.exit_status == 1
    assert (
        result.stderr
        == "aiocurl: error: invalid URL 'ftp://files.test/': unsupported scheme 'ftp'\n"
    )


def test_a_session_keeps_the_shells_base_url_after_each_request(echo_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dev.json"
    first = shell(f"{echo_url}/anything", "get /x -q\n", "--session", str(path))
    assert first.exit_status == 0, first.stderr
    assert json.loads(path.read_text())["base_url"] == f"{echo_url}/anything"
    again = run_cli("--shell", "--session", str(path), stdin=b"get /y\n")
    assert json.loads(_documents(again.stdout)[0])["url"] == f"{echo_url}/anything/y"


def test_a_line_with_an_unclosed_quote_is_an_error(echo_url: str) -> None:
    result = shell(echo_url, 'get "/x\nget /get -q\n')
    assert result.stderr == "aiocurl: error: cannot read the line: no closing quotation\n"
    assert result.exit_status == 1


def test_moving_to_another_host_says_which_credentials_go_along(echo_url: str) -> None:
    script = "cd /anything\nheader X-Trace:1\ncd http://127.0.0.1:9/\nunset Authorization\ncd /x\n"
    result = run_cli(
        "--shell", echo_url, "Authorization:Bearer abcdefgh", "-a", "ada:pw", stdin=script.encode()
    )
    assert result.exit_status == 0, result.stderr
    assert result.stderr == (
        "aiocurl: warning: Authorization, --auth kept: sent to http://127.0.0.1:9/ too "
        "(unset to stop)\n"
    )

"""Every failure is one `aiocurl: error: ...` line on stderr and a documented exit code."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from helpers import Result, arun_cli, hanging_port, raw_exchange, run_cli

from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.errors import map_error


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_one_line_error(result: Result, status: int, *fragments: str) -> None:
    stderr = result.stderr
    assert result.exit_status == status, stderr
    assert stderr.startswith("aiocurl: error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr
    assert result.stdout == b""


def test_connection_refused() -> None:
    port = free_port()
    assert_one_line_error(
        run_cli(f"127.0.0.1:{port}/x"),
        1,
        f"cannot connect to http://127.0.0.1:{port}/x: connection refused",
    )


def test_name_not_resolved_message() -> None:
    # Real DNS would leave the machine, so map the error aiohttp raises for it.
    key = aiohttp.client_reqrep.ConnectionKey(
        "no-such-host.invalid", 80, False, True, None, None, None
    )
    error = aiohttp.ClientConnectorDNSError(key, OSError(-2, "Name or service not known"))
    mapped = map_error(error, "http://no-such-host.invalid/x", TransportPlan())
    assert mapped.message == (
        "could not resolve host 'no-such-host.invalid' (http://no-such-host.invalid/x)"
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["http://h:99999/"], "invalid URL 'http://h:99999/'"),
        (["ftp://h/"], "unsupported scheme 'ftp'"),
        (["h", "--tmeout", "1"], "unknown option --tmeout (did you mean --timeout?)"),
        (["h", "--timeout", "abc"], "--timeout: expected seconds, got 'abc'"),
        (["h", "--pretty", "loud"], "--pretty: 'loud' is not one of"),
        (["GET", "h", "justtext"], "'justtext' is not a request item"),
        (["h", "age:=3x"], "'age:=3x': invalid JSON at position 1: Extra data"),
        (["h", "a=@/nonexistent/file.txt"], "cannot read '/nonexistent/file.txt'"),
        (["h", "-A", "bearer"], "-A bearer needs credentials"),
        (["--json", "--form", "h", "a=b"], "--json and --form cannot be combined"),
        ([], "missing URL"),
    ],
)
def test_usage_errors(argv: list[str], fragment: str) -> None:
    assert_one_line_error(run_cli("--offline", *argv), 1, fragment)


def test_traceback_flag_shows_the_traceback() -> None:
    with pytest.raises(Exception, match="not a request item"):
        run_cli("--traceback", "--offline", "GET", "h", "justtext")


async def test_read_timeout_exits_2(echo_url: str) -> None:
    result = await arun_cli("--timeout", "0.2", f"{echo_url}/delay/5")
    assert_one_line_error(result, 2, "read timeout: nothing received from", "for 0.2 s")


async def test_max_time_exits_2(echo_url: str) -> None:
    result = await arun_cli("--max-time", "0.2", f"{echo_url}/delay/5")
    assert_one_line_error(result, 2, "took longer than 0.2 s (--max-time)")


def test_connect_timeout_exits_2() -> None:
    with hanging_port() as port:
        result = run_cli("--connect-timeout", "0.3", f"http://127.0.0.1:{port}/")
    if result.exit_status == 1 and "connection refused" in result.stderr:
        pytest.skip("this kernel refuses instead of dropping SYNs on a full queue")
    assert_one_line_error(result, 2, "connect timeout: no connection to", "within 0.3 s")


async def test_server_that_closes_without_answering() -> None:
    result, _ = await raw_exchange(b"")
    assert_one_line_error(result, 1, "the server closed the connection without a response")


async def test_truncated_body_is_an_error() -> None:
    result, _ = await raw_exchange(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
    assert result.exit_status == 1
    stderr = result.stderr
    assert stderr.startswith("aiocurl: error: ")
    assert "the response body broke off after 9 of 100 bytes (Content-Length)" in stderr
    assert result.stdout == b"only this"  # what arrived stays; the code says it failed


async def test_invalid_status_line() -> None:
    result, _ = await raw_exchange(b"NOT HTTP AT ALL\r\n\r\n")
    assert_one_line_error(result, 1, "did not answer with HTTP (status line 'NOT HTTP AT ALL')")


def test_failed_request_leaves_an_existing_output_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("precious")
    result = run_cli("-o", str(target), f"127.0.0.1:{free_port()}/x")
    assert result.exit_status == 1
    assert target.read_text() == "precious"


async def test_check_status_5xx(aiohttp_server: object) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=503, text="down")

    app = web.Application()
    app.router.add_get("/", broken)
    server = await aiohttp_server(app)  # type: ignore[operator]
    result = await arun_cli("--check-status", str(server.make_url("/")))
    assert (result.exit_status, result.stdout) == (5, b"down")
    assert result.stderr == "aiocurl: warning: HTTP 503 Service Unavailable\n"
    quiet = await arun_cli("--check-status", "-qq", str(server.make_url("/")))
    assert (quiet.exit_status, quiet.stderr) == (5, "")

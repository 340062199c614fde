"""-w/--write-out: each of curl's variables against what the server did, the format's
escapes and directives, and the output when the request fails."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, raw_server, run_cli

HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"X-Trace: abc\r\n"
    b"Content-Length: 5\r\n"
    b"\r\n"
)
DELAY = 0.2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Seen:
    """What the test server received, in order."""

    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    busy: int = 1  # /flaky answers 503 this many times


def app(seen: Seen) -> web.Application:
    async def record(request: web.Request) -> None:
        seen.requests.append((request.method, request.path, await request.read()))

    async def echo(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(text="echo")

    async def see_other(request: web.Request) -> web.Response:
        await record(request)
        raise web.HTTPSeeOther("/moved")

    async def moved(request: web.Request) -> web.Response:
        await record(request)
        raise web.HTTPFound("/echo")

    async def slow_hop(request: web.Request) -> web.Response:
        await record(request)
        await asyncio.sleep(DELAY)
        raise web.HTTPFound("/echo")

    async def slow(request: web.Request) -> web.StreamResponse:
        await record(request)
        await asyncio.sleep(DELAY)
        response = web.StreamResponse()
        response.content_length = 10
        await response.prepare(request)
        await response.write(b"12345")
        await asyncio.sleep(DELAY)
        await response.write(b"67890")
        return response

    async def flaky(request: web.Request) -> web.Response:
        await record(request)
        if seen.busy:
            seen.busy -= 1
            return web.Response(status=503, text="busy")
        return web.Response(text="done")

    async def missing(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(status=404, text="nope")

    application = web.Application()
    router = application.router
    router.add_route("*", "/echo", echo)
    router.add_post("/see-other", see_other)
    router.add_get("/moved", moved)
    router.add_get("/slow-hop", slow_hop)
    router.add_get("/slow", slow)
    router.add_get("/flaky", flaky)
    router.add_get("/missing", missing)
    return application


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()
    async with TestServer(app(seen), host="127.0.0.1") as test_server:
        yield f"http://127.0.0.1:{test_server.port}", seen


async def write_out(fmt: str, *argv: str) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of `aiocurl -q -w FMT ARGV`."""
    result = await arun_cli("-q", "-w", fmt, *argv)
    return result.exit_status, result.text, result.stderr


async def raw(reply: bytes, fmt: str) -> tuple[str, int]:
    """-w FMT against a server that sends `reply` as it stands; its output and the port."""
    listener = await raw_server(reply)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        status, out, err = await write_out(fmt, f"127.0.0.1:{port}/x")
    assert status == 0, err
    return out, port


async def test_the_response_as_the_server_sent_it() -> None:
    fmt = (
        "%{http_code}|%{response_code}|%{http_version}|%{content_type}|%{size_download}|"
        "%{size_header}|%header{x-trace}|%header{X-Missing}|%{remote_ip}|%{remote_port}"
    )
    out, port = await raw(HEAD + b"hello", fmt)
    assert out.split("|") == [
        "200",
        "200",
        "1.1",
        "text/plain; charset=utf-8",
        "5",
        str(len(HEAD)),
        "abc",
        "",
        "127.0.0.1",
        str(port),
    ]


async def test_a_header_value_is_trimmed() -> None:
    out, _ = await raw(b"HTTP/1.1 200 OK\r\nX-Trace: \t abc d \t\r\n\r\n", "[%header{X-TRACE}]")
    assert out == "[abc d]"


async def test_http_1_0_is_version_1() -> None:
    out, _ = await raw(b"HTTP/1.0 204 No Content\r\n\r\n", "%{http_code} %{http_version}")
    assert out == "204 1"


async def test_method_upload_size_url_and_redirects(server: tuple[str, Seen]) -> None:
    base, seen = server
    fmt = "%{method} %{size_upload} %{num_redirects} %{url_effective} %{size_download}"
    status, out, err = await write_out(fmt, "--follow", "POST", f"{base}/see-other", "a=bc")
    assert status == 0, err
    sent = seen.requests[0][2]
    assert [(m, p) for m, p, _ in seen.requests] == [
        ("POST", "/see-other"),
        ("GET", "/moved"),
        ("GET", "/echo"),
    ]
    # The last request's method and body (303 turned the POST into a bodiless GET).
    assert out == f"GET 0 2 {base}/echo 4"
    status, out, err = await write_out("%{method} %{size_upload}", f"{base}/echo", "a=bc")
    assert (status, out) == (0, f"POST {len(sent)}"), err
    assert seen.requests[-1][2] == sent


async def test_retries_are_counted_and_the_values_are_the_last_attempts(
    server: tuple[str, Seen],
) -> None:
    base, seen = server
    fmt = "%{num_retries} %{http_code} %{size_download}"
    status, out, err = await write_out(
        fmt, "--retry", "2", "--retry-delay", "0.01", f"{base}/flaky"
    )
    assert status == 0, err
    assert len(seen.requests) == 2
    assert out == "1 200 4"


async def test_times_are_cumulative_and_follow_what_the_server_took(
    server: tuple[str, Seen],
) -> None:
    base, _ = server
    names = ["namelookup", "connect", "appconnect", "pretransfer", "starttransfer", "total"]
    fmt = " ".join(f"%{{time_{name}}}" for name in names)
    status, out, err = await write_out(fmt, f"{base}/slow")
    assert status == 0, err
    times = dict(zip(names, map(float, out.split()), strict=True))
    assert all(len(text.split(".")[1]) == 6 for text in out.split())  # microseconds
    assert times["appconnect"] == 0  # plain http: no TLS
    assert 0 < times["namelookup"] <= times["connect"] <= times["pretransfer"]
    assert times["starttransfer"] >= times["pretransfer"] + DELAY
    # The head's arrival may be noted late (another thread holding the interpreter): the
    # body's delay bounds the total from the request, and the transfer only loosely.
    assert times["total"] >= times["pretransfer"] + 2 * DELAY
    assert times["total"] >= times["starttransfer"] + DELAY / 2


async def test_speed_is_bytes_per_second_of_the_whole(server: tuple[str, Seen]) -> None:
    base, _ = server
    status, out, err = await write_out(
        "%{speed_download} %{size_download} %{time_total}", f"{base}/slow"
    )
    assert status == 0, err
    speed, size, total = out.split()
    assert size == "10" and float(total) >= 2 * DELAY
    assert int(speed) == pytest.approx(10 / float(total), abs=1)


async def test_redirect_time_is_the_time_before_the_last_request(
    server: tuple[str, Seen],
) -> None:
    base, _ = server
    fmt = "%{time_redirect} %{time_total} %{time_starttransfer} %{num_redirects}"
    status, out, err = await write_out(fmt, "--follow", f"{base}/slow-hop")
    assert status == 0, err
    redirect, total, starttransfer, count = out.split()
    assert count == "1"
    # Each request's times are added together, as curl adds them.
    assert float(redirect) >= DELAY
    assert float(total) > float(redirect)
    assert float(starttransfer) >= DELAY


async def test_json_has_every_variable(server: tuple[str, Seen]) -> None:
    base, _ = server
    status, out, err = await write_out("%{json}", f"{base}/echo")
    assert status == 0, err
    document = json.loads(out)
    assert list(document) == sorted(document)
    assert document["http_code"] == 200 and document["exitcode"] == 0
    assert document["http_version"] == "1.1" and document["errormsg"] is None
    assert document["url_effective"] == f"{base}/echo"
    assert isinstance(document["time_total"], float) and document["time_total"] > 0
    assert '"time_appconnect":0.000000' in out  # six decimals, as curl writes times
    assert set(document) == {
        "content_type",
        "errormsg",
        "exitcode",
        "http_code",
        "http_version",
        "method",
        "num_redirects",
        "num_retries",
        "remote_ip",
        "remote_port",
        "response_code",
        "size_download",
        "size_header",
        "size_upload",
        "speed_download",
        "time_appconnect",
        "time_connect",
        "time_namelookup",
        "time_pretransfer",
        "time_redirect",
        "time_starttransfer",
        "time_total",
        "url_effective",
    }


async def test_escapes_and_text_stand_as_curl_writes_them(server: tuple[str, Seen]) -> None:
    base, _ = server
    status, out, err = await write_out(r"a\tb\nc\r %% %x \q %{ %header{", f"{base}/echo")
    assert status == 0, err
    assert out == "a\tb\nc\r % %x \\q %{ %header{"


async def test_written_after_the_body_and_not_into_the_output_file(
    server: tuple[str, Seen], tmp_path: Path
) -> None:
    base, _ = server
    result = await arun_cli("-w", r"\n%{http_code}\n", f"{base}/echo")
    assert result.stdout == b"echo\n200\n"
    saved = tmp_path / "body"
    result = await arun_cli("-o", str(saved), "-w", "%{size_download}", f"{base}/echo")
    assert (result.stdout, saved.read_bytes()) == (b"4", b"echo")


async def test_stderr_and_stdout_switch_where_the_rest_goes(server: tuple[str, Seen]) -> None:
    base, _ = server
    status, out, err = await write_out(r"1%{stderr}2\n%{stdout}3%{onerror}4", f"{base}/echo")
    assert (status, out, err) == (0, "13", "2\n")


async def test_a_format_file_has_its_line_ends_dropped(
    server: tuple[str, Seen], tmp_path: Path
) -> None:
    base, _ = server
    path = tmp_path / "format.txt"
    path.write_bytes(b"code: %{http_code}\\n\r\nmethod: %{method}\\n\n")
    status, out, err = await write_out(f"@{path}", f"{base}/echo")
    assert (status, out) == (0, "code: 200\nmethod: GET\n"), err


async def test_an_unknown_variable_stops_before_sending(server: tuple[str, Seen]) -> None:
    base, seen = server
    status, out, err = await write_out("%{http_code} %{time_totl}", f"{base}/echo")
    assert status == 1 and out == ""
    assert err.startswith("aiocurl: error: --write-out: unknown variable %{time_totl} (known: ")
    assert err.count("\n") == 1
    assert seen.requests == []


def test_a_missing_format_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("-w", f"@{tmp_path}/nothing", "127.0.0.1:9/x")
    assert result.exit_status == 1
    assert result.stderr.startswith(f"aiocurl: error: --write-out: cannot read '{tmp_path}/")
    assert result.stderr.count("\n") == 1


async def test_check_status_sets_the_exit_code(server: tuple[str, Seen]) -> None:
    base, _ = server
    result = await arun_cli(
        "--check-status", "-w", "%{exitcode}|%{errormsg}|%{http_code}", f"{base}/missing"
    )
    assert result.exit_status == 4
    assert result.stdout == b"nope4|HTTP 404 Not Found|404"


def test_a_refused_connection_still_writes_out() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/x"
    fmt = (
        "%{exitcode}|%{errormsg}|%{http_code}|%{http_version}|%{url_effective}|%{method}|"
        "%{time_connect}|%{time_starttransfer}|%{time_total}|%{remote_ip}|%{size_download}"
    )
    result = run_cli("-w", fmt, url)
    assert result.exit_status == 1
    message = f"cannot connect to {url}: connection refused"
    assert result.stderr == f"aiocurl: error: {message}\n"
    values = result.text.split("|")
    assert values[:6] == ["1", message, "000", "0", url, "GET"]
    assert values[6:8] == ["0.000000", "0.000000"]  # never connected, nothing received
    assert float(values[8]) > 0
    assert values[9:] == ["", "0"]
    result = run_cli("-w", "%{onerror}failed: %{exitcode}", url)
    assert result.text == "failed: 1"


async def test_a_timeout_still_writes_out() -> None:
    release = asyncio.Event()
    listener = await raw_server(b"", stall=release)  # reads the request, never answers
    port = listener.sockets[0].getsockname()[1]
    fmt = "%{exitcode}|%{errormsg}|%{http_code}|%{time_connect}|%{time_starttransfer}|%{time_total}"
    async with listener:
        result = await arun_cli("--timeout", "0.3", "-w", fmt, f"127.0.0.1:{port}/x")
    release.set()
    assert result.exit_status == 2
    code, message, http_code, connect, starttransfer, total = result.text.split("|")
    assert (code, http_code, starttransfer) == ("2", "000", "0.000000")
    assert "read timeout" in message and result.stderr == f"aiocurl: error: {message}\n"
    assert float(connect) > 0 and float(total) >= 0.3


async def test_a_body_cut_short_reports_what_arrived() -> None:
    listener = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        result = await arun_cli(
            "-w", "|%{exitcode}|%{http_code}|%{size_download}", f"127.0.0.1:{port}/x"
        )
    assert result.exit_status == 1
    assert result.stdout == b"abc|1|200|3"

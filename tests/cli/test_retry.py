"""--retry against a flaky server: counts, waits, Retry-After, methods, and what is shown."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from helpers import arun_cli, serving

from aiocurl.transport.retry import retry_after


@dataclass
class Flaky:
    """Fails `failures` times with `status`, then answers 200 with the request count."""

    failures: int = 2
    status: int = 503
    retry_after: str | None = None
    methods: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.methods.append(request.method)
        self.bodies.append(await request.read())
        if len(self.methods) <= self.failures:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=self.status, text="busy", headers=headers)
        return web.Response(text=f"ok after {len(self.methods)}")


@pytest.fixture
async def flaky() -> AsyncIterator[tuple[str, Flaky]]:
    state = Flaky()
    async with serving(state.handle, "/") as server:
        yield str(server.make_url("/")), state


async def test_retries_until_success(flaky: tuple[str, Flaky]) -> None:
    url, _ = flaky
    result = await arun_cli("--retry", "3", "--retry-delay", "0.01", url)
    assert (result.exit_status, result.stdout) == (0, b"ok after 3")
    lines = result.stderr.splitlines()
    assert [line.split(" in ")[0] for line in lines] == ["aiocurl: retry 1/3", "aiocurl: retry 2/3"]
    assert all(line.endswith(": 503 Service Unavailable") for line in lines)


async def test_last_attempts_status_is_the_exit_code(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.failures = 10
    result = await arun_cli("--retry", "2", "--retry-delay", "0.01", "--check-status", url)
    assert (result.exit_status, result.stdout) == (5, b"busy")
    assert len(state.methods) == 3


async def test_quiet_silences_retry_lines(flaky: tuple[str, Flaky]) -> None:
    url, _ = flaky
    result = await arun_cli("-q", "--retry", "3", "--retry-delay", "0.01", url)
    assert (result.exit_status, result.stderr) == (0, "")


async def test_verbose_shows_every_attempt(flaky: tuple[str, Flaky]) -> None:
    url, _ = flaky
    result = await arun_cli("-v", "--retry", "3", "--retry-delay", "0.01", url)
    assert result.text.count("HTTP/1.1 503 Service Unavailable") == 2
    assert result.text.count("HTTP/1.1 200 OK") == 1


async def test_retry_after_sets_the_wait(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.failures, state.retry_after = 1, "1"
    started = time.monotonic()
    result = await arun_cli("--retry", "1", "--retry-delay", "0.01", url)
    assert result.exit_status == 0
    assert time.monotonic() - started >= 0.9  # waited as the server asked, not 0.01 s
    assert "retry 1/1 in 1.0 s" in result.stderr


async def test_retry_max_time_bounds_the_window(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.failures, state.retry_after = 10, "30"
    started = time.monotonic()
    result = await arun_cli("--retry", "5", "--retry-max-time", "0.5", "--check-status", url)
    assert time.monotonic() - started < 10
    assert (result.exit_status, result.stdout) == (5, b"busy")


async def test_unsafe_methods_are_not_retried_unless_asked(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    post = await arun_cli("--retry", "3", "--retry-delay", "0.01", url, "a=b")
    assert (post.exit_status, post.stdout, len(state.methods)) == (0, b"busy", 1)
    forced = await arun_cli(
        "--retry", "3", "--retry-delay", "0.01", "--retry-all-methods", url, "a=b"
    )
    assert forced.stdout.startswith(b"ok after")
    assert state.bodies[1:] == [b'{"a": "b"}'] * (len(state.bodies) - 1)  # the body, re-sent


async def test_retry_on_chooses_the_statuses(flaky: tuple[str, Flaky]) -> None:
    url, state = flaky
    state.status = 418
    plain = await arun_cli("--retry", "3", "--retry-delay", "0.01", url)
    assert plain.stdout == b"busy"
    chosen = await arun_cli("--retry", "3", "--retry-delay", "0.01", "--retry-on", "418", url)
    assert chosen.stdout.startswith(b"ok after")


async def test_connection_failures_are_retried() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await arun_cli("--retry", "2", "--retry-delay", "0.01", f"127.0.0.1:{port}/")
    assert result.exit_status == 1
    assert result.stderr.count("aiocurl: retry ") == 2
    assert result.stderr.splitlines()[-1].endswith("connection refused")


def test_bad_retry_on_is_a_usage_error() -> None:
    from helpers import run_cli

    result = run_cli("--offline", "--retry-on", "5xx", "h")
    assert result.exit_status == 1
    assert (
        result.stderr
        == "aiocurl: error: --retry-on: expected status codes like 429,503, got '5xx'\n"
    )


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("3", 3, 3), ("0", 0, 0), (None, None, None), ("soon", None, None)],
)
def test_retry_after_values(value: str | None, low: float | None, high: float | None) -> None:
    seconds = retry_after(value)
    assert seconds == low if low is None else low <= (seconds or 0) <= (high or 0)


def test_retry_after_http_date() -> None:
    from email.utils import formatdate

    seconds = retry_after(formatdate(time.time() + 60, usegmt=True))
    assert seconds is not None and 55 <= seconds <= 61


class Hangup:
    """A raw server that reads each request head and closes without answering; it counts
    the heads it read."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            self.heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()


@pytest.fixture
async def hangup() -> AsyncIterator[tuple[str, Hangup]]:
    state = Hangup()
    server = await asyncio.start_server(state.answer, "127.0.0.1", 0)
    async with server:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}/", state


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_dropped_connection_is_not_tried_again_unasked(
    hangup: tuple[str, Hangup], method: str
) -> None:
    url, state = hangup
    result = await arun_cli(method, url)
    assert result.exit_status == 1
    assert result.stderr.endswith("the server closed the connection without a response\n")
    assert [head.split(b" ")[0] for head in state.heads] == [method.encode()]


async def test_a_websocket_handshake_is_sent_once(hangup: tuple[str, Hangup]) -> None:
    url, state = hangup
    result = await arun_cli("-I", f"ws://{url}")
    assert result.exit_status == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "unexpected" not in result.stderr
    assert [head.split(b" ")[0] for head in state.heads] == [b"GET"]


async def test_retry_sends_exactly_the_attempts_it_announces(
    hangup: tuple[str, Hangup],
) -> None:
    url, state = hangup
    result = await arun_cli("--retry", "2", "--retry-delay", "0.01", url)
    assert result.exit_status == 1
    assert result.stderr.count("aiocurl: retry ") == 2
    assert len(state.heads) == 3


@pytest.mark.parametrize("value", ["99999999999999999999", "9" * 5000, "7200"])
def test_retry_after_is_honoured_up_to_an_hour(value: str) -> None:
    assert retry_after(value) == 3600.0

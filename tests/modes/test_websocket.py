"""WebSocket sessions against real aiohttp WebSocket servers: scripted, refused, closed."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import pty
import shutil
import signal
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer
from helpers import Result, arun_cli


class WsServer:
    """One configurable WebSocket endpoint; records what it received."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.headers: dict[str, str] = {}
        self.close_after: int | None = None
        self.close_code = 1000
        self.close_reason = ""
        self.drop_after: int | None = None
        self.push: list[str] = []
        self.protocols: tuple[str, ...] = ()
        self.refuse: int | None = None
        self.autoping = True
        self.answer_close = True  # False: never answer the client's close frame
        self.client_close: int | None = None  # the close code the session ended with
        self.ended = asyncio.Event()
        self.release = asyncio.Event()  # ends a handler that holds the connection open

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.headers = dict(request.headers)
        if self.refuse:
            return web.json_response({"error": "refused"}, status=self.refuse)
        ws = web.WebSocketResponse(
            protocols=self.protocols, autoping=self.autoping, autoclose=self.answer_close
        )
        await ws.prepare(request)
        try:
            await self.converse(ws, request)
        finally:
            self.client_close = ws.close_code
            self.ended.set()
        if not self.answer_close:
            await self.release.wait()
        return ws

    async def converse(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        for text in self.push:
            await ws.send_str(text)
        if self.close_after == 0:
            await ws.close(code=self.close_code, message=self.close_reason.encode())
            return
        async for message in ws:
            if message.type is WSMsgType.PING:
                continue  # autoping off: never answer
            self.received.append(message.data)
            if self.drop_after is not None and len(self.received) >= self.drop_after:
                assert request.transport is not None
                request.transport.abort()
                return
            if message.type is WSMsgType.TEXT:
                await ws.send_str(message.data)
            elif message.type is WSMsgType.BINARY:
                await ws.send_bytes(message.data)
            if self.close_after is not None and len(self.received) >= self.close_after:
                await ws.close(code=self.close_code, message=self.close_reason.encode())

    async def session_end(self) -> int | None:
        """The close code the server recorded, once its side of the session has ended."""
        await asyncio.wait_for(self.ended.wait(), 30)
        return self.client_close


@pytest.fixture
async def ws_server() -> AsyncIterator[tuple[str, WsServer]]:
    state = WsServer()
    app = web.Application()
    app.router.add_get("/ws", state.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield f"ws://127.0.0.1:{server.port}/ws", state
        state.release.set()


def one_error_line(result: Result, status: int, text: str) -> None:
    assert result.exit_status == status, result.stderr
    assert result.stderr.startswith("aiocurl: error: ") and text in result.stderr
    assert "Traceback" not in result.stderr


async def test_stdin_lines_are_echoed_as_lines(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    result = await arun_cli("--ws-wait", "0.3", url, stdin=b"a\nb\n")
    assert (result.exit_status, result.stdout) == (0, b"a\nb\n"), result.stderr
    assert state.received == ["a", "b"]
    assert await state.session_end() == 1000  # closed properly once the server was quiet


async def test_data_items_make_the_first_message(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    result = await arun_cli("--ws-count", "1", url, "type=subscribe", "n:=1", "X-Token:t")
    assert result.exit_status == 0, result.stderr
    assert json.loads(state.received[0]) == {"type": "subscribe", "n": 1}
    assert state.headers["X-Token"] == "t"
    raw = await arun_cli("--ws-count", "1", url, "--raw", "hello")
    assert raw.stdout == b"hello\n"


async def test_subprotocol_is_negotiated_and_shown(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.protocols, state.push, state.close_after = ("a", "b"), ["hi"], 0
    result = await arun_cli("--ws-protocol", "b", "--ws-protocol", "z", url, "-I")
    assert result.exit_status == 0, result.stderr
    assert "WebSocket subprotocol: b" in result.stderr
    assert state.headers["Sec-WebSocket-Protocol"] == "b,z"


async def test_server_pushes_and_ws_count(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.push = ["one", "two", "three"]
    result = await arun_cli("-I", "--ws-count", "2", url)
    assert (result.exit_status, result.stdout) == (0, b"one\ntwo\n")


@pytest.mark.parametrize(("code", "status"), [(1000, 0), (1001, 0)])
async def test_normal_closes_exit_0(
    ws_server: tuple[str, WsServer], code: int, status: int
) -> None:
    url, state = ws_server
    state.push, state.close_after, state.close_code = ["bye"], 0, code
    result = await arun_cli("-I", url)
    assert (result.exit_status, result.stdout, result.stderr) == (status, b"bye\n", "")


async def test_other_close_codes_exit_1_naming_code_and_reason(
    ws_server: tuple[str, WsServer],
) -> None:
    url, state = ws_server
    state.close_after, state.close_code, state.close_reason = 1, 1008, "token expired"
    result = await arun_cli(url, stdin=b"hello\n")
    one_error_line(result, 1, "closed by server: 1008 policy violation: token expired")
    assert result.stdout == b"hello\n"


async def test_a_close_reason_cannot_drive_the_terminal(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.close_after, state.close_code, state.close_reason = 1, 4000, "bad\nthing\x1b[31m"
    result = await arun_cli(url, stdin=b"hello\n")
    one_error_line(result, 1, "closed by server: 4000 application code: bad\\x0athing\\x1b[31m")


@pytest.mark.parametrize(("status", "code"), [(401, 4), (403, 4), (503, 5)])
async def test_refused_handshake_prints_the_response(
    ws_server: tuple[str, WsServer], status: int, code: int
) -> None:
    url, state = ws_server
    state.refuse = status
    result = await arun_cli(url, "-I")
    assert result.exit_status == code
    assert json.loads(result.stdout) == {"error": "refused"}
    assert f"WebSocket handshake refused: HTTP {status}" in result.stderr
    shown = await arun_cli(url, "-I", tty=True, env={"NO_COLOR": "1"})
    assert shown.text.startswith(f"HTTP/1.1 {status} ")


async def test_dropped_connection_exits_1(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.drop_after = 1
    result = await arun_cli(url, stdin=b"x\n")
    one_error_line(result, 1, "dropped")


async def test_ping_timeout_exits_1(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.autoping = False
    result = await arun_cli("--ws-ping", "0.2", "-I", url)
    one_error_line(result, 1, "no pong from the server within 0.2 s (--ws-ping)")


async def test_binary_round_trip(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    result = await arun_cli("--ws-binary", "--ws-wait", "0.3", url, stdin=b"\x00\x01bin\n")
    assert state.received == [b"\x00\x01bin"]
    assert base64.b64decode(result.stdout.strip()) == b"\x00\x01bin"
    raw = await arun_cli("--ws-binary", "--ws-raw-binary", "--ws-wait", "0.3", url, stdin=b"\xff\n")
    assert raw.stdout == b"\xff"


async def test_verbose_shows_the_handshake_on_stderr(ws_server: tuple[str, WsServer]) -> None:
    url, _ = ws_server
    result = await arun_cli("-v", "--ws-wait", "0.3", url, stdin=b"m\n")
    assert result.stdout == b"m\n"
    assert "GET /ws HTTP/1.1" in result.stderr and "Upgrade: websocket" in result.stderr
    assert "HTTP/1.1 101 Switching Protocols" in result.stderr


async def test_wss_with_a_test_ca(tmp_path: Path) -> None:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    state = WsServer()
    app = web.Application()
    app.router.add_get("/ws", state.handle)
    server = TestServer(app, host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    try:
        url = f"wss://127.0.0.1:{server.port}/ws"
        ok = await arun_cli("--verify", str(bundle), "--ws-wait", "0.3", url, stdin=b"tls\n")
        refused = await arun_cli("-I", url)
    finally:
        await server.close()
    assert (ok.exit_status, ok.stdout) == (0, b"tls\n"), ok.stderr
    one_error_line(refused, 1, "TLS certificate verification failed")


def test_connect_timeout_exits_2() -> None:
    from helpers import hanging_port, run_cli

    with hanging_port() as port:
        result = run_cli("--connect-timeout", "0.3", "-I", f"ws://127.0.0.1:{port}/")
    if "connection refused" in result.stderr:
        pytest.skip("this kernel refuses instead of dropping SYNs on a full queue")
    one_error_line(result, 2, "connect timeout")


async def test_ctrl_c_closes_politely_and_exits_130(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.push = ["ready"]
    executable = shutil.which("aiocurl")
    assert executable
    process = await asyncio.create_subprocess_exec(
        executable, "-I", url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), 30) == b"ready\n"
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert b"Traceback" not in stderr


@pytest.mark.parametrize("ending", [b"\x04", b"/close\r"], ids=["ctrl-d", "close-command"])
async def test_interactive_session_in_a_pty(ws_server: tuple[str, WsServer], ending: bytes) -> None:
    url, state = ws_server
    executable = shutil.which("aiocurl")
    assert executable
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm"
    process = await asyncio.create_subprocess_exec(
        executable, url, stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    seen = b""

    async def until(marker: bytes, start: int = 0) -> int:
        """Read until `marker` appears at or after `start`; where it ends."""
        nonlocal seen
        while marker not in seen[start:]:
            chunk = await asyncio.wait_for(asyncio.to_thread(os.read, controller, 65536), 30)
            assert chunk, f"no {marker!r} in {seen!r}"
            seen += chunk
            if b"\x1b[6n" in chunk:  # answer the cursor-position query like a terminal
                os.write(controller, b"\x1b[1;1R")
        return seen.index(marker, start) + len(marker)

    async def prompt_drawn(start: int) -> None:
        """The prompt is drawn again (bracketed paste on), so the terminal is back in raw
        mode: a Ctrl-D typed while a message is printed (in cooked mode) is the terminal's."""
        await until(b"\x1b[?2004h", start)

    try:
        await until(b"/help for commands")
        os.write(controller, b'{"hello": 1}\r')
        echoed = await until(b"\x1b[0;36m<")  # the echo, shown as an incoming message
        await asyncio.wait_for(_wait_for(lambda: state.received == ['{"hello": 1}']), 30)
        await prompt_drawn(echoed)
        typed = len(seen)
        os.write(controller, b"/ping\r")
        await prompt_drawn(typed)
        os.write(controller, ending)  # Ctrl-D or /close: close normally
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        os.close(controller)
    assert b"\x1b[0;32m>" in seen  # the message sent, shown as outgoing
    assert await state.session_end() == 1000


async def _wait_for(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and reads the upgrade request, but never answers."""
    release = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await release.wait()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        async with server:
            yield int(server.sockets[0].getsockname()[1])
            release.set()
    finally:
        release.set()


@pytest.mark.parametrize("flag", ["--connect-timeout", "--timeout", "--max-time"])
async def test_unanswered_handshake_times_out(flag: str) -> None:
    async with silent_server() as port:
        result = await asyncio.wait_for(
            arun_cli(flag, "0.3", "-I", f"ws://127.0.0.1:{port}/ws"), 20
        )
    one_error_line(result, 2, f"WebSocket handshake with ws://127.0.0.1:{port}/ws")
    assert result.stderr.endswith(f" 0.3 s ({flag})\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (("--ws-wait", "0.2"), b"a\nb\n"),
        (("--ws-count", "1"), b""),
        (("-I", "--ws-count", "1"), b""),
    ],
    ids=["stdin-ends", "count-with-stdin", "count-listening"],
)
async def test_every_close_of_ours_sends_1000(
    ws_server: tuple[str, WsServer], argv: tuple[str, ...], stdin: bytes
) -> None:
    url, state = ws_server
    state.push = ["hello"]
    result = await arun_cli(*argv, url, stdin=stdin)
    assert result.exit_status == 0, result.stderr
    assert await state.session_end() == 1000


async def test_a_server_that_never_answers_the_close_still_gets_it(
    ws_server: tuple[str, WsServer],
) -> None:
    url, state = ws_server
    state.push, state.answer_close = ["hello"], False
    result = await arun_cli("-I", "--ws-count", "1", url)
    assert (result.exit_status, result.stdout) == (0, b"hello\n"), result.stderr
    assert await state.session_end() == 1000


@pytest.mark.parametrize(
    ("argv", "size", "text"),
    [
        (("--ws-max-size", "100"), 101, "a message was larger than --ws-max-size 100 bytes"),
        ((), 4 * 1024 * 1024 + 1, "larger than 4194304 bytes (4 MiB, the default --ws-max-size)"),
    ],
    ids=["flag", "default"],
)
async def test_an_oversized_message_is_named(
    ws_server: tuple[str, WsServer], argv: tuple[str, ...], size: int, text: str
) -> None:
    url, state = ws_server
    state.push = ["x" * size]
    result = await arun_cli("-I", *argv, url)
    one_error_line(result, 1, text)
    assert result.stderr.endswith("; sent close 1009 message too big\n")
    if size < 1024:  # a server still writing a large message may not get to read the close
        assert await state.session_end() == 1009


async def test_scripted_output_keeps_one_line_per_message(
    ws_server: tuple[str, WsServer],
) -> None:
    url, state = ws_server
    state.push = [
        "plain \\ text",
        '{"b": 1,\n "a": ["é", "x\\ny"], "b": 2.50}',
        "two\nlines with a \\n",
        "carriage\r",
        "[1, 2",
    ]
    state.close_after = 0
    result = await arun_cli("-I", url)
    assert result.exit_status == 0, result.stderr
    assert result.stdout.decode().split("\n") == [
        "plain \\ text",  # no CR or LF: as it is
        '{"b": 1,"a": ["é", "x\\ny"], "b": 2.50}',  # JSON: only the line break goes
        "two\\nlines with a \\\\n",
        "carriage\\r",
        "[1, 2",
        "",
    ]


async def test_stdin_that_is_not_utf8_is_an_error_naming_the_line(
    ws_server: tuple[str, WsServer],
) -> None:
    url, state = ws_server
    result = await arun_cli(url, stdin=b"a\nb\n\xff\xfe\nd\n")
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: stdin line 3 is not UTF-8 text (send bytes with --ws-binary)\n"
    )
    assert await state.session_end() == 1000
    assert state.received == ["a", "b"]


async def test_ctrl_c_with_an_open_stdin_pipe(ws_server: tuple[str, WsServer]) -> None:
    url, state = ws_server
    state.push = ["ready"]
    executable = shutil.which("aiocurl")
    assert executable
    read_end, write_end = os.pipe()  # stays open and silent: the stdin thread blocks in read
    try:
        process = await asyncio.create_subprocess_exec(
            executable,
            url,
            stdin=read_end,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(read_end)
    try:
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 30) == b"ready\n"
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        os.close(write_end)
    assert process.returncode == 130, stderr
    assert [line for line in stderr.decode().splitlines() if line] == ["aiocurl: interrupted"]
    assert await state.session_end() == 1000


@pytest.mark.parametrize(
    ("body", "shown"), [(b'{"error": "no"}', b'{"error": "no"}'), (None, None)]
)
async def test_a_refusal_body_is_decoded_like_any_body(
    body: bytes | None, shown: bytes | None
) -> None:
    import gzip

    payload = gzip.compress(body) if body is not None else b"not gzip at all"

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=403, body=payload, headers={"Content-Encoding": "gzip"})

    app = web.Application()
    app.router.add_get("/ws", refuse)
    async with TestServer(app, host="127.0.0.1") as server:
        result = await arun_cli("-I", str(server.make_url("/ws")).replace("http", "ws", 1))
    assert result.exit_status == 4, result.stderr
    assert result.stdout == (shown if shown is not None else payload)  # undecodable: as sent

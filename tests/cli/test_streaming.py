"""Streamed responses arrive as they are sent: through a pipe, a terminal, and rendered."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import shutil
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


class GatedStream:
    """A server that sends the first record, then waits for the test to say go on."""

    def __init__(self, content_type: str, records: list[bytes]) -> None:
        self.content_type = content_type
        self.records = records
        self.go_on = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": self.content_type})
        await response.prepare(request)
        await response.write(self.records[0])
        await self.go_on.wait()
        for record in self.records[1:]:
            await response.write(record)
        await response.write_eof()
        return response


@pytest.fixture
async def sse() -> AsyncIterator[tuple[str, GatedStream]]:
    gate = GatedStream(
        "text/event-stream",
        [
            b'event: tick\nid: 1\ndata: {"n": 1, "text": "first"}\n\n',
            b': keep-alive\n\nid: 2\nretry: 500\ndata: {"n": 2}\n\ndata: plain text\n\n',
        ],
    )
    async for served in serve(gate):
        yield served


async def serve(gate: GatedStream) -> AsyncIterator[tuple[str, GatedStream]]:
    app = web.Application()
    app.router.add_get("/", gate.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield f"http://127.0.0.1:{server.port}/", gate


async def read_until(read: Callable[[], bytes], marker: bytes, limit: float = 30) -> bytes:
    """Read a process's output until `marker` shows up (a deadline, not a sleep)."""
    seen = b""
    while marker not in seen:
        chunk = await asyncio.wait_for(asyncio.to_thread(read), limit)
        if not chunk:
            raise AssertionError(f"output ended before {marker!r}: {seen!r}")
        seen += chunk
    return seen


async def test_sse_through_a_pipe_arrives_line_by_line(sse: tuple[str, GatedStream]) -> None:
    url, gate = sse
    executable = shutil.which("aiocurl")
    assert executable
    process = await asyncio.create_subprocess_exec(
        executable, url, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL
    )
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readuntil(b"\n\n"), 30)
    assert first == b'event: tick\nid: 1\ndata: {"n": 1, "text": "first"}\n\n'  # unchanged bytes
    gate.go_on.set()
    rest = await asyncio.wait_for(process.stdout.read(), 30)
    assert rest == b': keep-alive\n\nid: 2\nretry: 500\ndata: {"n": 2}\n\ndata: plain text\n\n'
    assert await process.wait() == 0


async def test_sse_on_a_terminal_is_shown_event_by_event(sse: tuple[str, GatedStream]) -> None:
    url, gate = sse
    executable = shutil.which("aiocurl")
    assert executable
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = await asyncio.create_subprocess_exec(
        executable, "-b", url, stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    try:
        first = await read_until(lambda: os.read(controller, 65536), b"first")
        gate.go_on.set()
        rest = b""
        while True:
            try:
                chunk = await asyncio.wait_for(asyncio.to_thread(os.read, controller, 65536), 30)
            except OSError:
                break
            if not chunk:
                break
            rest += chunk
    finally:
        os.close(controller)
    assert await process.wait() == 0
    text = ANSI.sub("", (first + rest).decode()).replace("\r\n", "\n")
    assert "event: tick  id: 1\n" in text
    assert '{\n    "n": 1,\n    "text": "first"\n}\n' in text
    assert "id: 2  retry: 500\n" in text
    assert "plain text\n" in text
    assert "\x1b[" in (first + rest).decode()  # coloured


# How the `sse` fixture's events look on a terminal, colours aside.
SSE_SHOWN = (
    "event: tick  id: 1\n"
    '{\n    "n": 1,\n    "text": "first"\n}\n\n'
    ": keep-alive\n\n"
    "id: 2  retry: 500\n"
    '{\n    "n": 2\n}\n\n'
    "plain text\n\n"
)


async def test_sse_rendering_in_process(sse: tuple[str, GatedStream]) -> None:
    url, gate = sse
    gate.go_on.set()
    result = await arun_cli("-b", url, tty=True, env={"NO_COLOR": "1"})
    assert result.text == SSE_SHOWN


async def test_ndjson_records_are_pretty_printed_as_they_arrive() -> None:
    gate = GatedStream("application/x-ndjson", [b'{"id": 1}\n', b'{"id": 2, "b": [1]}\nnot json\n'])
    async for url, _ in serve(gate):
        gate.go_on.set()
        result = await arun_cli("-b", url, tty=True, env={"NO_COLOR": "1"})
        assert (
            result.text
            == '{\n    "id": 1\n}\n{\n    "b": [\n        1\n    ],\n    "id": 2\n}\nnot json\n'
        )
        piped = await arun_cli(url)
        assert piped.stdout == b'{"id": 1}\n{"id": 2, "b": [1]}\nnot json\n'


async def test_stream_flag_prints_plain_lines_as_they_come() -> None:
    gate = GatedStream("text/plain", [b"line one\n", b"line two\npartial"])
    async for url, _ in serve(gate):
        gate.go_on.set()
        result = await arun_cli("-S", "-b", url, tty=True, env={"NO_COLOR": "1"})
        assert result.text == "line one\nline two\npartial\n"


async def test_ndjson_through_a_pipe_is_live() -> None:
    gate = GatedStream("application/x-ndjson", [b'{"id": 1}\n', b'{"id": 2}\n'])
    async for url, _ in serve(gate):
        executable = shutil.which("aiocurl")
        assert executable
        process = await asyncio.create_subprocess_exec(
            executable, url, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL
        )
        assert process.stdout is not None
        assert json.loads(await asyncio.wait_for(process.stdout.readline(), 30)) == {"id": 1}
        gate.go_on.set()
        assert json.loads(await asyncio.wait_for(process.stdout.readline(), 30)) == {"id": 2}
        assert await process.wait() == 0


NDJSON_RECORDS = [b'{"id": 1}\n', b'{"id": 2, "b": [1]}\nnot json\n']
NDJSON_PRETTY = '{\n    "id": 1\n}\n{\n    "b": [\n        1\n    ],\n    "id": 2\n}\nnot json\n'


async def test_coloured_ndjson_on_a_terminal_is_one_pretty_block_per_record() -> None:
    gate = GatedStream("application/x-ndjson", NDJSON_RECORDS)
    async for url, _ in serve(gate):
        gate.go_on.set()
        result = await arun_cli("-b", url, tty=True)
        assert ANSI.search(result.text), "expected colour codes"
        assert ANSI.sub("", result.text) == NDJSON_PRETTY


async def test_ndjson_with_formatting_off_is_one_record_per_line_as_received() -> None:
    gate = GatedStream("application/x-ndjson", [b'{"id": 1,  "z": [1, 2]}\n', b'{"id":2}\n'])
    async for url, _ in serve(gate):
        gate.go_on.set()
        as_received = '{"id": 1,  "z": [1, 2]}\n{"id":2}\n'
        coloured = await arun_cli("--pretty=colors", url)  # into a pipe
        assert ANSI.search(coloured.text), "expected colour codes"
        assert ANSI.sub("", coloured.text) == as_received
        plain = await arun_cli("--pretty=none", "-b", url, tty=True)
        assert plain.text == as_received


async def test_coloured_sse_keeps_the_blank_line_after_each_event(
    sse: tuple[str, GatedStream],
) -> None:
    url, gate = sse
    gate.go_on.set()
    result = await arun_cli("-b", url, tty=True)
    assert ANSI.search(result.text), "expected colour codes"
    assert ANSI.sub("", result.text) == SSE_SHOWN


async def test_coloured_sse_with_formatting_off_keeps_each_data_line() -> None:
    gate = GatedStream("text/event-stream", [b'data: {"n":1}\n\n', b'data: {"n": 2}\n\n'])
    async for url, _ in serve(gate):
        gate.go_on.set()
        result = await arun_cli("--pretty=colors", url)
        assert ANSI.search(result.text), "expected colour codes"
        assert ANSI.sub("", result.text) == '{"n":1}\n\n{"n": 2}\n\n'


async def test_stream_flag_with_colours_keeps_each_line() -> None:
    gate = GatedStream("text/plain", [b"line one\n", b"line two\npartial"])
    async for url, _ in serve(gate):
        gate.go_on.set()
        result = await arun_cli("-S", "-b", "--pretty=colors", url)
        assert ANSI.sub("", result.text) == "line one\nline two\npartial\n"

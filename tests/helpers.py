"""Run the real command in-process with injected streams and TTY flags."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from aiocurl.cli.main import main
from aiocurl.environment import Environment


def sha(data: bytes) -> str:
    """The SHA-256 of bytes, to compare what arrived with what was sent."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Result:
    exit_status: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


def run_cli(
    *argv: str,
    stdin: bytes = b"",
    tty: bool = False,
    stdin_tty: bool = False,
    stderr_tty: bool | None = None,
    env: dict[str, str] | None = None,
    password: str | None = None,
) -> Result:
    """Run `aiocurl ARGV` through its real entry point; `tty` says stdout is a terminal."""
    stdout, stderr = io.BytesIO(), io.StringIO()
    variables = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    variables.update(env or {})

    def prompt(text: str) -> str:
        if password is None:
            raise AssertionError(f"unexpected password prompt: {text}")
        return password

    environment = Environment(
        stdin=io.BytesIO(stdin),
        stdout=stdout,
        stderr=stderr,
        stdin_isatty=stdin_tty,
        stdout_isatty=tty,
        stderr_isatty=tty if stderr_tty is None else stderr_tty,
        env=variables,
        prompt_password=prompt,
    )
    status = main(list(argv), environment)
    return Result(status, stdout.getvalue(), stderr.getvalue())


async def arun_cli(*argv: str, **kwargs: object) -> Result:
    """run_cli from an async test: the command runs its own loop in a worker thread while
    the test's loop keeps serving."""
    return await asyncio.to_thread(run_cli, *argv, **kwargs)  # type: ignore[arg-type]


@contextlib.contextmanager
def hanging_port() -> Iterator[int]:
    """A port where connecting hangs: its listener's accept queue is full, so the kernel
    drops new SYNs instead of refusing them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        fillers = [socket.socket() for _ in range(8)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(address)
        try:
            yield int(address[1])
        finally:
            for filler in fillers:
                filler.close()


async def raw_server(reply: bytes, *, stall: asyncio.Event | None = None) -> asyncio.Server:
    """A server that reads each request head, writes `reply` as raw bytes and hangs up
    (after `stall` is set, when given): the broken servers a client meets."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        if stall is not None:
            await stall.wait()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


async def raw_exchange(reply: bytes, *argv: str) -> tuple[Result, str]:
    """The command's result against a raw_server answering `reply`, and the URL it used."""
    server = await raw_server(reply)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    async with server:
        return await arun_cli(*argv, url), url


@contextlib.asynccontextmanager
async def serving(handle: Any, route: str = "/{tail:.*}") -> AsyncIterator[TestServer]:
    """An aiohttp server on 127.0.0.1 whose every method on `route` goes to `handle`."""
    app = web.Application()
    app.router.add_route("*", route, handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


@contextlib.contextmanager
def app_in_thread(app: web.Application) -> Iterator[str]:
    """`app` served on a free port of 127.0.0.1 from a loop in a background thread, so that
    the command can run its own loop in this one; yields the base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

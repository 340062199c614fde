"""The command as a real process at the edges of its pipes: a reader that goes away, a full
disk behind stdout, Ctrl-C while stdin is an open pipe, a broken ~/.netrc."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer


def executable() -> str:
    path = shutil.which("aiocurl")
    assert path is not None, "aiocurl is not installed"
    return path


def wait_for_stdin_reader(pid: int) -> None:
    """Until a thread other than the main one is blocked reading the stdin pipe."""
    deadline = time.monotonic() + 30
    while not any(
        Path(f"/proc/{pid}/task/{task}/wchan").read_text().endswith("pipe_read")
        for task in os.listdir(f"/proc/{pid}/task")
        if task != str(pid)
    ):
        assert time.monotonic() < deadline, "nothing started reading stdin"
        time.sleep(0.01)


def test_a_reader_that_closes_the_pipe_ends_the_run_quietly(echo_url: str) -> None:
    process = subprocess.Popen(
        [executable(), f"{echo_url}/bytes/10000000"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert len(process.stdout.read(10)) == 10  # `| head -c 10`
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


def test_a_full_disk_behind_stdout_is_named(echo_url: str) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [executable(), f"{echo_url}/bytes/100000"],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == b"aiocurl: error: cannot write to stdout: no space left on device\n"


def test_a_broken_netrc_is_a_warning_in_our_words(echo_url: str, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text('machine localhost login a password b\ngarbage "unterminated\n')
    done = subprocess.run(
        [executable(), f"{echo_url}/get"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        env={**os.environ, "NETRC": str(netrc), "HTTP_PROXY": "", "http_proxy": ""},
    )
    assert done.returncode == 0
    assert done.stderr.decode() == (
        f"aiocurl: warning: ignoring {netrc}: it cannot be read as a .netrc file (line 2)\n"
    )


@pytest.mark.parametrize("argv", [["PUT"], ["POST"], ["--chunked", "POST"]])
def test_ctrl_c_while_stdin_is_a_silent_open_pipe(echo_url: str, argv: list[str]) -> None:
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [executable(), *argv, f"{echo_url}/anything"],
        stdin=read_end,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(read_end)
    try:
        wait_for_stdin_reader(process.pid)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        os.close(write_end)
    assert process.returncode == 130
    assert stderr == b"\naiocurl: interrupted\n"


@pytest.fixture
async def upload_sink() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A server that starts reading a body, says so, and waits for the rest forever."""
    started = asyncio.Event()

    async def take(request: web.Request) -> web.Response:
        await request.content.readexactly(1024)
        started.set()
        await request.read()
        return web.Response(text="done")

    app = web.Application(client_max_size=1 << 30)
    app.router.add_put("/up", take)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/up")), started


async def test_ctrl_c_while_a_large_stdin_is_streaming(
    upload_sink: tuple[str, asyncio.Event],
) -> None:
    url, started = upload_sink
    read_end, write_end = os.pipe()
    process = await asyncio.create_subprocess_exec(
        executable(),
        "PUT",
        url,
        stdin=read_end,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    os.close(read_end)
    writer = asyncio.ensure_future(asyncio.to_thread(os.write, write_end, b"x" * (5 << 20)))
    try:
        await asyncio.wait_for(started.wait(), 30)  # past the 4 MiB buffer: it streams now
        await writer
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        os.close(write_end)
    assert process.returncode == 130
    assert stderr == b"\naiocurl: interrupted\n"

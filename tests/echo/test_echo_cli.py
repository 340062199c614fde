"""The real `python -m aiocurl.echo` process: listening line, serving, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from aiocurl.echo.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_LIMIT = 30.0  # a guard against hanging, not a synchronisation delay


def child_env() -> dict[str, str]:
    """Make the package importable in the child whether or not it is pip-installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


async def start_echo(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiocurl.echo",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=child_env(),
    )


@pytest.fixture
async def server() -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """A running echo process on a free port, and the base URL its first line announced."""
    proc = await start_echo("--host", "127.0.0.1", "--port", "0")
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), STARTUP_LIMIT)
        prefix = "aiocurl-echo listening on "
        text = line.decode().strip()
        assert text.startswith(prefix), text
        yield proc, text.removeprefix(prefix)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_serves_logs_and_stops_on_sigterm(
    server: tuple[asyncio.subprocess.Process, str],
) -> None:
    proc, base_url = server
    assert base_url.startswith("http://127.0.0.1:")
    assert not base_url.endswith(":0")
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/get?x=1") as resp:
        assert resp.status == 200
        assert (await resp.json())["args"] == {"x": "1"}
    proc.terminate()
    _, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_LIMIT)
    assert proc.returncode == 0
    log = stderr.decode()
    assert "GET /get?x=1 -> 200 | body 0 bytes |" in log
    assert "Traceback" not in log


async def test_ctrl_c_exits_cleanly(server: tuple[asyncio.subprocess.Process, str]) -> None:
    proc, _ = server
    proc.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_LIMIT)
    assert proc.returncode == 0
    assert b"Traceback" not in stderr
    assert stdout == b""


async def test_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await start_echo("--port", str(port))
        stdout, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_LIMIT)
    assert proc.returncode == 1
    assert stdout == b""
    assert f"cannot listen on 127.0.0.1:{port}" in stderr.decode()
    assert b"Traceback" not in stderr


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="aiocurl-echo")
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output

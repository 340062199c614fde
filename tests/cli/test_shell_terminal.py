"""`--shell` on a real terminal: the prompt, one connection for many requests, cookies,
the state commands, the history file, Ctrl-C and Ctrl-D; and a script ended by a signal."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import stat
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pseudo_terminal import PtyCommand, pty_command


class Server:
    """Notes the client port of each request; /slow answers only when released."""

    def __init__(self) -> None:
        self.peers: list[int] = []
        self.slow_started = asyncio.Event()
        self.release = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/set", self.set_cookie)
        app.router.add_route("*", "/{tail:.*}", self.echo)
        return app

    def _note(self, request: web.Request) -> None:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.peers.append(peer[1] if peer else 0)

    async def echo(self, request: web.Request) -> web.Response:
        self._note(request)
        return web.json_response(
            {"path": request.path, "trace": request.headers.get("X-Trace"),
             "cookie": request.headers.get("Cookie")}
        )  # fmt: skip

    async def set_cookie(self, request: web.Request) -> web.Response:
        self._note(request)
        response = web.json_response({"set": True})
        response.set_cookie("flavour", "oat")
        return response

    async def slow(self, request: web.Request) -> web.Response:
        self._note(request)
        self.slow_started.set()
        await self.release.wait()
        return web.json_response({"slow": True})


@pytest.fixture
async def server(aiohttp_server: Any) -> Any:
    state = Server()
    running = await aiohttp_server(state.app(), host="127.0.0.1")
    yield f"http://127.0.0.1:{running.port}", state
    state.release.set()


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("AIOCURL_CONFIG_DIR", str(directory))
    return directory


ESCAPES = re.compile(rb"\x1b\[[?0-9;]*[A-Za-z]")


async def shows(
    shell: PtyCommand, text: bytes, start: int = 0, after: int = 0, timeout: float = 30
) -> int:
    """Until `text` shows in the output from position `start`, colours and cursor moves
    aside, at or after `after` in that plain text; returns where it ends there."""

    async def seen() -> int:
        while True:
            plain = ESCAPES.sub(b"", bytes(shell.output[start:]))
            if text in plain[after:]:
                return plain.index(text, after) + len(text)
            if shell.closed.is_set():
                raise AssertionError(f"{text!r} never came; got {plain!r}")
            await shell.more()

    return await asyncio.wait_for(seen(), timeout)


async def request(shell: PtyCommand, line: bytes, expect: bytes, prompt: bytes) -> bytes:
    """Type a line; wait for `expect` after the line's echo, then for the prompt after it.
    Returns what was shown in between, colours aside."""
    at = shell.type(line + b"\r")
    echoed = await shows(shell, line, at)
    shown = await shows(shell, expect, at, echoed)
    end = await shows(shell, prompt, at, shown)
    return ESCAPES.sub(b"", bytes(shell.output[at:]))[echoed:end]


async def ctrl_c_then_the_next_request(
    shell: PtyCommand, url: str, at: int, after: int = 0
) -> None:
    """Ctrl-C now, while the line typed at `at` runs: the shell says it was interrupted,
    shows the status in its prompt, and runs the next request."""
    shell.press_ctrl_c()
    interrupted = await shows(shell, b"aiocurl: interrupted", at, after)
    await shows(shell, f"{url} [130]>".encode(), at, interrupted)  # the status shown
    await request(shell, b"get /after", b'"path": "/after"', f"{url}>".encode())


async def test_a_session_of_requests_on_one_connection(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, state = server
    prompt, users = f"{url}>".encode(), f"{url}/users>".encode()
    async with pty_command("--shell", url, "Authorization:Bearer startsecret") as shell:
        await shows(shell, prompt)
        await request(shell, b"get /a", b'"path": "/a"', prompt)
        await request(shell, b"get /set", b'"set": true', prompt)
        await request(shell, b"get /b", b'"cookie": "flavour=oat"', prompt)
        await request(shell, b"header X-Trace:7", b"", prompt)
        await request(shell, b"cd /users", b"", users)
        shown = await request(shell, b"show", b"GET /users HTTP/1.1", users)
        assert b"X-Trace: 7" in shown
        await request(shell, b"get 1", b'"trace": "7"', users)
        await request(shell, b"unset X-Trace", b"", users)
        await request(shell, b"get 2", b'"trace": null', users)
        await request(shell, b"curl", f"curl {url}/users/2".encode(), users)
        await request(shell, b"get /c Authorization:'Bearer linesecret'", b'"path": "/c"', users)
        at = shell.type(b"\x04")  # Ctrl-D
        assert await shell.exit_status() == 0
        assert b"Traceback" not in shell.output[at:]
    assert len(state.peers) == 6
    assert len(set(state.peers)) == 1  # every request on the one kept-alive connection
    history = config_dir / "shell_history"
    text = history.read_text()
    assert "get /a" in text and "header X-Trace:7" in text and "cd /users" in text
    assert "linesecret" not in text
    assert stat.S_IMODE(history.stat().st_mode) == 0o600


async def test_tab_completes_a_path_a_response_showed_under_a_base_with_a_query(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, _ = server
    prompt = f"{url}/api?key=k>".encode()
    async with pty_command("--shell", f"{url}/api?key=k") as shell:
        await shows(shell, prompt)
        await request(shell, b"get /users", b'"path": "/api/users"', prompt)
        at = shell.type(b"get /u\t")
        await shows(shell, b"get /users", at)
        shell.type(b"\x15\x04")  # Ctrl-U, Ctrl-D
        assert await shell.exit_status() == 0


async def test_ctrl_c_cancels_the_request_and_the_shell_goes_on(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, state = server
    prompt = f"{url}>".encode()
    async with pty_command("--shell", url) as shell:
        await shows(shell, prompt)
        at = shell.type(b"get /slow\r")
        await asyncio.wait_for(state.slow_started.wait(), 30)
        await ctrl_c_then_the_next_request(shell, url, at)
        shell.type(b"exit\r")
        assert await shell.exit_status() == 0
    assert len(state.peers) == 2
    assert state.peers[1] != state.peers[0]  # the cancelled request's connection was closed


async def test_ctrl_c_at_a_password_prompt_abandons_that_line_only(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, state = server
    prompt = f"{url}>".encode()
    async with pty_command("--shell", url) as shell:
        await shows(shell, prompt)
        at = shell.type(b"get /secret -a ada\r")
        asked = await shows(shell, b"password for ada:", at)
        await ctrl_c_then_the_next_request(shell, url, at, asked)
        shell.type(b"\x04")
        assert await shell.exit_status() == 0
    assert len(state.peers) == 1  # only /after was sent


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
async def test_a_signal_during_a_request_ends_the_script(
    server: tuple[str, Server], config_dir: Path, signum: signal.Signals, status: int
) -> None:
    url, state = server
    executable = shutil.which("aiocurl")
    assert executable
    process = await asyncio.create_subprocess_exec(
        executable, "--shell", url, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(b"get /slow\nget /after\n")
    process.stdin.close()
    await asyncio.wait_for(state.slow_started.wait(), 30)
    process.send_signal(signum)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == status
    assert stderr.decode() == f"aiocurl: error: terminated ({signum.name})\n"
    assert stdout == b""
    assert len(state.peers) == 1  # the next line was not sent


async def test_ctrl_c_at_the_prompt_clears_the_line(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, state = server
    prompt = f"{url}>".encode()
    async with pty_command("--shell", url) as shell:
        await shows(shell, prompt)
        at = shell.type(b"get /never")
        await shows(shell, b"get /never", at)
        shell.press_ctrl_c()
        await request(shell, b"get /typed", b'"path": "/typed"', prompt)
        shell.type(b"\x04")
        assert await shell.exit_status() == 0
    assert len(state.peers) == 1


async def test_a_response_looks_as_the_single_command_shows_it(
    server: tuple[str, Server], config_dir: Path
) -> None:
    url, _ = server
    async with pty_command(f"{url}/same", "X-Trace:1") as single:
        assert await single.exit_status() == 0
    expected = _without_dates(bytes(single.output))
    prompt = f"{url}>".encode()
    async with pty_command("--shell", url) as shell:
        await shows(shell, prompt)
        at = shell.type(b"get /same X-Trace:1\r")
        shown = await shows(shell, b'"trace": "1"', at)
        await shows(shell, prompt, at, shown)  # back in the prompt: Ctrl-D is read there
        shell.type(b"\x04")
        assert await shell.exit_status() == 0
    # Colours and all, byte for byte: from the status line to the body's last line.
    shown = bytes(shell.output[at:])
    start = shown.index(expected[:20])
    assert _without_dates(shown[start:])[: len(expected)] == expected


def _without_dates(output: bytes) -> bytes:
    return b"\n".join(line for line in output.split(b"\n") if b"Date" not in line)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
async def test_a_signal_at_the_prompt_ends_the_shell_and_restores_the_terminal(
    server: tuple[str, Server], config_dir: Path, signum: int, status: int
) -> None:
    url, _ = server
    async with pty_command("--shell", url) as shell:
        drawn = await shows(shell, f"{url}>".encode())
        assert shell.process is not None
        at = len(shell.output)
        shell.process.send_signal(signum)
        assert await shell.exit_status() == status
        after = bytes(shell.output[at:])
    assert b"aiocurl: error: terminated" in after
    assert b"\x1b[?2004l" in after  # the prompt left: bracketed paste off, the terminal back
    assert drawn > 0

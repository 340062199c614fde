"""--unix-socket against an aiohttp server on a Unix socket: the URL gives Host and path,
redirects stay on the socket, and a path that is no socket stops before anything is sent."""

from __future__ import annotations

import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from helpers import arun_cli, run_cli


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory with a short path: a Unix socket's path has room for ~100 bytes."""
    with tempfile.TemporaryDirectory(prefix="ac-") as name:
        yield Path(name)


@contextlib.asynccontextmanager
async def unix_server(path: Path, seen: list[tuple[str, str]]) -> AsyncIterator[None]:
    async def answer(request: web.Request) -> web.Response:
        seen.append((request.host, request.path_qs))
        if request.path == "/elsewhere":  # another host: it must not be looked up
            raise web.HTTPFound("http://elsewhere.test/landing")
        if request.path == "/relative":
            raise web.HTTPFound("/v1/info?from=relative")
        return web.Response(text=f"{request.host} {request.path_qs}")

    async def echo(request: web.Request) -> web.WebSocketResponse:
        seen.append((request.host, "ws"))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(f"echo {message.data}")
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.UnixSite(runner, str(path)).start()
    try:
        yield
    finally:
        await runner.cleanup()


async def test_the_url_gives_host_and_path(short_dir: Path) -> None:
    path, seen = short_dir / "app.sock", []
    async with unix_server(path, seen):
        result = await arun_cli("--unix-socket", str(path), ":/v1/info", "q==1")
    assert (result.exit_status, result.stdout, result.stderr) == (
        0,
        b"localhost /v1/info?q=1",
        "",
    )
    assert seen == [("localhost", "/v1/info?q=1")]


async def test_redirects_stay_on_the_socket(short_dir: Path) -> None:
    path, seen = short_dir / "app.sock", []
    async with unix_server(path, seen):
        other_host = await arun_cli("--unix-socket", str(path), "-F", "http://api.test/elsewhere")
        relative = await arun_cli("--unix-socket", str(path), "-F", ":/relative")
    assert other_host.stdout == b"elsewhere.test /landing", other_host.stderr
    assert relative.stdout == b"localhost /v1/info?from=relative", relative.stderr
    assert seen == [
        ("api.test", "/elsewhere"),
        ("elsewhere.test", "/landing"),
        ("localhost", "/relative"),
        ("localhost", "/v1/info?from=relative"),
    ]


async def test_a_websocket_over_the_socket(short_dir: Path) -> None:
    path, seen = short_dir / "app.sock", []
    async with unix_server(path, seen):
        result = await arun_cli(
            "--unix-socket", str(path), "--ws-count", "1", "ws://ws.test/ws", stdin=b"hi\n"
        )
    assert (result.exit_status, result.stdout) == (0, b"echo hi\n"), result.stderr
    assert seen == [("ws.test", "ws")]


async def test_meta_and_verbose_name_the_socket(short_dir: Path) -> None:
    path, seen = short_dir / "app.sock", []
    async with unix_server(path, seen):
        result = await arun_cli("--unix-socket", str(path), "-vv", ":/x")
    assert f"\nRemote address: {path}\n".encode() in result.stdout
    assert result.stderr == f"aiocurl: connected to localhost:80 through the Unix socket {path}\n"


def test_a_missing_path_or_a_file_is_an_error_before_sending(short_dir: Path) -> None:
    plain = short_dir / "file"
    plain.write_text("x")
    missing = run_cli("--unix-socket", str(short_dir / "none.sock"), "--offline", ":/")
    not_socket = run_cli("--unix-socket", str(plain), ":/")
    assert missing.stderr == (
        f"aiocurl: error: --unix-socket: no such socket '{short_dir / 'none.sock'}'\n"
    )
    assert not_socket.stderr == f"aiocurl: error: --unix-socket: '{plain}' is not a socket\n"
    assert missing.exit_status == not_socket.exit_status == 1


def test_flags_that_choose_another_way_out_clash(short_dir: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(short_dir / "s"))
        result = run_cli("--unix-socket", str(short_dir / "s"), "--proxy", "http://p:1", ":/")
    assert result.stderr == "aiocurl: error: --unix-socket and --proxy exclude each other\n"


async def test_a_socket_nobody_listens_on_and_https(short_dir: Path) -> None:
    stale = short_dir / "stale.sock"
    with socket.socket(socket.AF_UNIX) as gone:  # bound, never listening: connecting fails
        gone.bind(str(stale))
    refused = await arun_cli("--unix-socket", str(stale), ":/")
    path, seen = short_dir / "app.sock", []
    async with unix_server(path, seen):
        tls = await arun_cli("--unix-socket", str(path), "https://api.test/")
    assert refused.exit_status == 1
    assert refused.stderr == (
        f"aiocurl: error: cannot connect to the Unix socket '{stale}': connection refused\n"
    )
    assert tls.stderr == (
        "aiocurl: error: https://api.test/: TLS over --unix-socket is not supported "
        "(use an http:// URL)\n"
    )
    assert seen == []  # nothing went in the clear

"""SOCKS proxies against a small SOCKS server written here (RFC 1928 and 1929, CONNECT only;
SOCKS4 and 4a too), and --proxy per scheme: what the proxy was asked for, what the origin
got, and one line in aiocurl's words when the proxy fails."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, hanging_port, serving

# The names only the SOCKS server knows: a request reaches them through it or not at all.
KNOWN = {"origin.socks.test": "127.0.0.1", "api.socks.test": "127.0.0.1"}


@dataclass
class SocksServer:
    """A SOCKS4/4a/5 server that connects where it is asked and pipes bytes both ways."""

    users: dict[str, str] | None = None  # None: no authentication; else USER → PASS
    deny: bool = False  # answer every CONNECT with "not allowed by ruleset"
    asked: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, host, port)
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            version = (await reader.readexactly(1))[0]
            target = await (
                self._socks5(reader, writer) if version == 5 else self._socks4(reader, writer)
            )
            if target is not None:
                await self._connect(reader, writer, version, *target)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _socks5(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[str, int] | None:
        methods = await reader.readexactly((await reader.readexactly(1))[0])
        wanted = 0x02 if self.users is not None else 0x00
        if wanted not in methods:
            writer.write(b"\x05\xff")
            return None
        writer.write(bytes([5, wanted]))
        if self.users is not None:  # RFC 1929
            await reader.readexactly(1)
            user = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            password = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            self.logins.append((user, password))
            granted = self.users.get(user) == password
            writer.write(b"\x01\x00" if granted else b"\x01\x01")
            if not granted:
                return None
        _, command, _, kind = await reader.readexactly(4)
        assert command == 1, "CONNECT only"
        if kind == 1:
            host, label = str(ipaddress.IPv4Address(await reader.readexactly(4))), "ipv4"
        elif kind == 4:
            host, label = str(ipaddress.IPv6Address(await reader.readexactly(16))), "ipv6"
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            label = "name"
        port = int.from_bytes(await reader.readexactly(2), "big")
        self.asked.append((label, host, port))
        if self.deny:
            writer.write(b"\x05\x02\x00\x01" + bytes(6))
            return None
        return KNOWN.get(host, host), port

    async def _socks4(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[str, int] | None:
        head = await reader.readexactly(7)  # command, port, address
        port, address = int.from_bytes(head[1:3], "big"), head[3:7]
        await reader.readuntil(b"\x00")  # the user id
        if address[:3] == b"\x00\x00\x00" and address[3]:  # 4a: the name follows
            host, label = (await reader.readuntil(b"\x00"))[:-1].decode(), "socks4a name"
        else:
            host, label = str(ipaddress.IPv4Address(address)), "socks4 ipv4"
        self.asked.append((label, host, port))
        return KNOWN.get(host, host), port

    async def _connect(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        version: int,
        host: str,
        port: int,
    ) -> None:
        """Connect where asked, say how it went (host unreachable, or granted), and pipe."""
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"\x05\x04\x00\x01" + bytes(6) if version == 5 else b"\x00\x5b" + bytes(6))
            return
        writer.write(b"\x05\x00\x00\x01" + bytes(6) if version == 5 else b"\x00\x5a" + bytes(6))

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        try:
            await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))
        finally:
            upstream_writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SocksServer]:
        def start(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.ensure_future(self.handle(reader, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        server = await asyncio.start_server(start, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()


@pytest.fixture
async def origin() -> AsyncIterator[TestServer]:
    """The server behind the proxy: it answers with the Host it got."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=f"{request.host}{request.path}")

    async with serving(answer) as server:
        yield server


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


async def test_socks5_looks_up_here_and_socks5h_lets_the_proxy(origin: TestServer) -> None:
    async with SocksServer().running() as proxy:
        local = await arun_cli(
            "--proxy", f"socks5://127.0.0.1:{proxy.port}", f"http://localhost:{origin.port}/a"
        )
        remote = await arun_cli(
            "--proxy",
            f"socks5h://127.0.0.1:{proxy.port}",
            f"http://origin.socks.test:{origin.port}/b",
        )
    assert local.stdout == f"localhost:{origin.port}/a".encode(), local.stderr
    assert remote.stdout == f"origin.socks.test:{origin.port}/b".encode(), remote.stderr
    assert proxy.asked == [
        ("ipv4", "127.0.0.1", origin.port),
        ("name", "origin.socks.test", origin.port),
    ]


async def test_socks5_with_a_user_and_password(origin: TestServer) -> None:
    url = f"http://origin.socks.test:{origin.port}/"
    async with SocksServer(users={"ada": "s3cret"}).running() as proxy:
        accepted = await arun_cli("--proxy", f"socks5h://ada:s3cret@127.0.0.1:{proxy.port}", url)
        wrong = await arun_cli("--proxy", f"socks5h://ada:nope@127.0.0.1:{proxy.port}", url)
        none = await arun_cli("--proxy", f"socks5h://127.0.0.1:{proxy.port}", url)
    assert accepted.stdout == f"origin.socks.test:{origin.port}/".encode(), accepted.stderr
    assert proxy.logins == [("ada", "s3cret"), ("ada", "nope")]
    assert proxy.asked == [("name", "origin.socks.test", origin.port)]
    assert wrong.stderr == (
        f"aiocurl: error: the SOCKS proxy 127.0.0.1:{proxy.port} rejected the user name and "
        "password\n"
    )
    assert none.stderr == (
        f"aiocurl: error: the SOCKS proxy 127.0.0.1:{proxy.port} asks for a user name and "
        "password (put them in the proxy URL)\n"
    )
    assert wrong.exit_status == none.exit_status == 1
    assert "nope" not in wrong.stderr


async def test_socks4_and_socks4a(origin: TestServer) -> None:
    async with SocksServer().running() as proxy:
        four = await arun_cli(
            "--proxy", f"socks4://127.0.0.1:{proxy.port}", f"http://localhost:{origin.port}/4"
        )
        four_a = await arun_cli(
            "--proxy",
            f"socks4a://127.0.0.1:{proxy.port}",
            f"http://origin.socks.test:{origin.port}/4a",
        )
    assert (four.stdout, four_a.stdout) == (
        f"localhost:{origin.port}/4".encode(),
        f"origin.socks.test:{origin.port}/4a".encode(),
    )
    assert proxy.asked == [
        ("socks4 ipv4", "127.0.0.1", origin.port),
        ("socks4a name", "origin.socks.test", origin.port),
    ]


async def test_https_through_socks5h_checks_the_name(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    async with https_answering_host("api.socks.test", bundle) as server:
        port = server.port
        async with SocksServer().running() as proxy:
            result = await arun_cli(
                "--verify", str(bundle), "-vv",
                "--proxy", f"socks5h://127.0.0.1:{proxy.port}",
                f"https://api.socks.test:{port}/",
            )  # fmt: skip
    assert result.exit_status == 0, result.stderr
    assert b"\r\n\r\napi.socks.test:" in result.stdout
    assert f"\nRemote address: 127.0.0.1:{proxy.port}\n".encode() in result.stdout
    assert result.stderr == (
        f"aiocurl: connected to api.socks.test:{port} through the SOCKS proxy "
        f"socks5h://127.0.0.1:{proxy.port}\n"
    )


async def _host_answer(request: web.Request) -> web.Response:
    return web.Response(text=request.host)


@contextlib.asynccontextmanager
async def https_answering_host(name: str, bundle: Path) -> AsyncIterator[TestServer]:
    """An https server on 127.0.0.1 that answers with the Host asked for, its certificate
    for `name` from a test CA written to `bundle`."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    ca.cert_pem.write_to_path(str(bundle))
    app = web.Application()
    app.router.add_get("/", _host_answer)
    server = TestServer(app, host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    try:
        yield server
    finally:
        await server.close()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]  # bound, not listening: connecting is refused


async def test_an_unreachable_or_refusing_proxy_says_it_was_the_proxy(
    origin: TestServer, tmp_path: Path
) -> None:
    url = f"http://origin.socks.test:{origin.port}/"
    with closed_port() as dead:
        unreachable = await arun_cli("--proxy", f"socks5h://u:pw@127.0.0.1:{dead}", url)
        lines = tmp_path / "lines"
        lines.write_text(url + "\n")
        batch = await arun_cli("--batch", str(lines), "--proxy", f"socks5h://127.0.0.1:{dead}")
    async with SocksServer(deny=True).running() as proxy:
        denied = await arun_cli("--proxy", f"socks5h://127.0.0.1:{proxy.port}", url)
    async with SocksServer().running() as lost:
        nowhere = await arun_cli("--proxy", f"socks5h://127.0.0.1:{lost.port}", "nowhere.test")
    assert unreachable.exit_status == denied.exit_status == nowhere.exit_status == 1
    assert unreachable.stderr == (
        f"aiocurl: error: cannot connect to the SOCKS proxy 127.0.0.1:{dead}: connection refused\n"
    )
    assert denied.stderr == (
        f"aiocurl: error: the SOCKS proxy 127.0.0.1:{proxy.port} does not allow a connection "
        f"to origin.socks.test:{origin.port} (its rules)\n"
    )
    assert nowhere.stderr == (
        f"aiocurl: error: the SOCKS proxy 127.0.0.1:{lost.port} cannot reach nowhere.test:80 "
        "(host unreachable)\n"
    )
    (record,) = [json.loads(line) for line in batch.stdout.splitlines()]
    assert record["kind"] == "proxy" and "SOCKS proxy" in record["error"]


async def test_a_proxy_that_never_answers_is_a_connect_timeout(origin: TestServer) -> None:
    with hanging_port() as port:
        result = await arun_cli(
            "--connect-timeout", "0.3", "--proxy", f"socks5h://127.0.0.1:{port}",
            f"http://origin.socks.test:{origin.port}/",
        )  # fmt: skip
    assert result.exit_status == 2
    assert result.stderr == (
        f"aiocurl: error: connect timeout: no connection through the SOCKS proxy "
        f"127.0.0.1:{port} within 0.3 s\n"
    )


async def test_a_websocket_through_the_proxy() -> None:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(f"{request.host} {message.data}")
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    async with TestServer(app, host="127.0.0.1") as server, SocksServer().running() as proxy:
        result = await arun_cli(
            "--proxy", f"socks5h://127.0.0.1:{proxy.port}", "--ws-count", "1",
            f"ws://origin.socks.test:{server.port}/ws", stdin=b"hi\n",
        )  # fmt: skip
        port = server.port
    assert result.stdout == f"origin.socks.test:{port} hi\n".encode(), result.stderr
    assert proxy.asked == [("name", "origin.socks.test", port)]


async def test_routing_flags_apply_to_what_the_proxy_is_asked(origin: TestServer) -> None:
    async with SocksServer().running() as proxy:
        rerouted = await arun_cli(
            "--proxy", f"socks5h://127.0.0.1:{proxy.port}",
            "--connect-to", f"elsewhere.test:80:origin.socks.test:{origin.port}",
            "http://elsewhere.test/",
        )  # fmt: skip
        resolved = await arun_cli(
            "--proxy", f"socks5://127.0.0.1:{proxy.port}",
            "--resolve", f"api.example:{origin.port}:127.0.0.1",
            f"http://api.example:{origin.port}/",
        )  # fmt: skip
    assert (rerouted.stdout, resolved.stdout) == (
        b"elsewhere.test/",
        f"api.example:{origin.port}/".encode(),
    )
    assert proxy.asked == [
        ("name", "origin.socks.test", origin.port),
        ("ipv4", "127.0.0.1", origin.port),
    ]


async def test_proxy_per_scheme_routes_http_and_https_apart(tmp_path: Path) -> None:
    """http://plain.test goes to an HTTP proxy, which redirects to https://api.socks.test;
    that request goes through the SOCKS proxy: one run, each request its scheme's proxy."""
    bundle = tmp_path / "ca.pem"
    proxied: list[str] = []
    async with https_answering_host("api.socks.test", bundle) as tls:
        port = tls.port

        async def http_proxy(request: web.Request) -> web.Response:
            proxied.append(str(request.url))
            raise web.HTTPFound(f"https://api.socks.test:{port}/")

        async with serving(http_proxy) as web_proxy, SocksServer().running() as socks:
            result = await arun_cli(
                "--verify", str(bundle), "-F",
                "--proxy", f"http:http://127.0.0.1:{web_proxy.port}",
                "--proxy", f"https:socks5h://127.0.0.1:{socks.port}",
                "http://plain.test/start",
            )  # fmt: skip
    assert result.stdout == f"api.socks.test:{port}".encode(), result.stderr
    assert proxied == ["http://plain.test/start"]
    assert socks.asked == [("name", "api.socks.test", port)]


async def test_all_proxy_names_a_socks_proxy_and_no_proxy_is_honoured(
    origin: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with SocksServer().running() as proxy:
        monkeypatch.setenv("ALL_PROXY", f"socks5h://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        through = await arun_cli(f"http://origin.socks.test:{origin.port}/via")
        direct = await arun_cli(f"http://127.0.0.1:{origin.port}/direct")
    assert through.stdout == f"origin.socks.test:{origin.port}/via".encode(), through.stderr
    assert direct.stdout == f"127.0.0.1:{origin.port}/direct".encode(), direct.stderr
    assert proxy.asked == [("name", "origin.socks.test", origin.port)]

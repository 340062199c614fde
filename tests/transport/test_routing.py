"""--resolve, --connect-to, -4/-6 and --interface against real servers: the connection goes
where the flags say, while the URL, Host, SNI and the certificate check keep the URL's host."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, serving

NAME = "api.routing.test"  # no resolver knows it: only the flags can take a request there


@dataclass
class Seen:
    hosts: list[str] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)


def recording_app(seen: Seen, name: str = "") -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        seen.hosts.append(request.host)
        seen.clients.append(request.remote or "")
        if request.path == "/go":  # to the same name, by an absolute URL
            raise web.HTTPFound(f"{request.scheme}://{request.host}/landing")
        return web.Response(text=f"{name}{request.path}")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    return app


def echo_host(seen: Seen) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler that answers with the Host and path it got."""

    async def answer(request: web.Request) -> web.Response:
        seen.hosts.append(request.host)
        return web.Response(text=f"{request.host}{request.path}")

    return answer


@contextlib.asynccontextmanager
async def tls_server(ca: trustme.CA, seen: Seen) -> AsyncIterator[int]:
    """An https server on 127.0.0.1 whose certificate is for NAME only; it records the SNI
    each handshake asked for."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)

    def note_sni(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        seen.sni.append(name)

    context.sni_callback = note_sni
    server = TestServer(recording_app(seen), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    try:
        yield server.port or 0
    finally:
        await server.close()


async def test_resolve_connects_to_the_address_with_the_name_kept(
    ca: trustme.CA, ca_file: str
) -> None:
    seen = Seen()
    async with tls_server(ca, seen) as port:
        result = await arun_cli(
            "--verify", ca_file, "--resolve", f"{NAME}:{port}:127.0.0.1", f"https://{NAME}:{port}/x"
        )
    assert (result.exit_status, result.stdout, result.stderr) == (0, b"/x", "")
    assert seen.hosts == [f"{NAME}:{port}"] and seen.sni == [NAME]


async def test_resolve_in_xh_form_any_port_and_on_redirects(ca: trustme.CA, ca_file: str) -> None:
    seen = Seen()
    async with tls_server(ca, seen) as port:
        result = await arun_cli(
            "--verify", ca_file, "--resolve", f"{NAME}:127.0.0.1", "-F", f"https://{NAME}:{port}/go"
        )
    assert (result.exit_status, result.stdout) == (0, b"/landing"), result.stderr
    assert seen.hosts == [f"{NAME}:{port}"] * 2 and seen.sni == [NAME]  # one connection, kept


async def test_resolve_with_an_ipv6_address_in_brackets(ipv6: None) -> None:
    seen = Seen()
    async with serving_on(recording_app(seen, "v6"), "::1") as port:
        result = await arun_cli("--resolve", f"{NAME}:{port}:[::1]", f"http://{NAME}:{port}/")
    assert result.stdout == b"v6/" and seen.clients == ["::1"]


async def test_connect_to_another_port_keeps_name_host_and_sni(
    ca: trustme.CA, ca_file: str
) -> None:
    seen = Seen()
    async with tls_server(ca, seen) as port:
        result = await arun_cli(
            "--verify",
            ca_file,
            "--connect-to",
            f"{NAME}:443:127.0.0.1:{port}",
            "-vv",
            f"https://{NAME}/x",
        )
    assert result.exit_status == 0, result.stderr
    assert seen.hosts == [NAME] and seen.sni == [NAME]
    assert f"\nRemote address: 127.0.0.1:{port}\n".encode() in result.stdout
    assert result.stderr == f"aiocurl: connected to {NAME}:443 at 127.0.0.1:{port} (--connect-to)\n"


async def test_connect_to_with_empty_fields_and_a_name_to_look_up() -> None:
    seen = Seen()
    async with serving(echo_host(seen)) as server:
        port = server.port
        # Any host, port 80 → localhost (looked up) on the server's port.
        anywhere = await arun_cli("--connect-to", f":80:localhost:{port}", "http://a.test/x")
        # An address in the URL is matched too; an empty target host keeps the URL's.
        literal = await arun_cli("--connect-to", f"127.0.0.1:1::{port}", "http://127.0.0.1:1/y")
    assert (anywhere.stdout, literal.stdout) == (b"a.test/x", b"127.0.0.1:1/y")


async def test_connect_to_first_match_wins_and_failures_name_the_target() -> None:
    seen = Seen()
    async with serving(echo_host(seen)) as server:
        result = await arun_cli(
            "--connect-to",
            f"a.test:80:127.0.0.1:{server.port}",
            "--connect-to",
            "a.test:80:127.0.0.1:1",
            "http://a.test/",
        )
    assert result.stdout == b"a.test/"
    missing = await arun_cli("--connect-to", "a.test:80:nowhere.invalid:80", "http://a.test/")
    assert missing.exit_status == 1
    assert missing.stderr == (
        "aiocurl: error: could not resolve host 'nowhere.invalid' (--connect-to for a.test:80)\n"
    )


@pytest.fixture
def ipv6() -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("::1 is not available here")


@contextlib.asynccontextmanager
async def serving_on(app: web.Application, host: str, port: int = 0) -> AsyncIterator[int]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def both_families() -> AsyncIterator[tuple[int, Seen]]:
    """Servers on 127.0.0.1 and ::1 on one port, each answering with its family."""
    seen = Seen()
    for _ in range(20):  # the port free on 127.0.0.1 may be taken on ::1
        async with serving_on(recording_app(seen, "v4"), "127.0.0.1") as port:
            try:
                async with serving_on(recording_app(seen, "v6"), "::1", port):
                    yield port, seen
                    return
            except OSError:
                continue
    pytest.fail("no port free on both 127.0.0.1 and ::1")


async def test_ipv4_and_ipv6_choose_the_family(ipv6: None) -> None:
    async with both_families() as (port, seen):
        both = f"dual.test:{port}:127.0.0.1,[::1]"
        four = await arun_cli("-4", "--resolve", both, f"http://dual.test:{port}/")
        six = await arun_cli("-6", "--resolve", both, f"http://dual.test:{port}/")
        six_literal = await arun_cli("--ipv6", f"http://[::1]:{port}/")
        four_local = await arun_cli("--ipv4", f"http://localhost:{port}/")
    assert (four.stdout, six.stdout, six_literal.stdout) == (b"v4/", b"v6/", b"v6/")
    assert four_local.stdout == b"v4/"
    assert seen.clients == ["127.0.0.1", "::1", "::1", "127.0.0.1"]


async def test_a_host_without_an_address_of_that_family_is_one_line(ipv6: None) -> None:
    async with both_families() as (port, seen):
        only_v4 = await arun_cli(
            "-6", "--resolve", f"v4.test:{port}:127.0.0.1", f"http://v4.test:{port}/"
        )
        literal = await arun_cli("-4", f"http://[::1]:{port}/")
        bound = await arun_cli("--interface", "::1", f"http://127.0.0.1:{port}/")
    assert seen.clients == []
    assert only_v4.stderr == (
        "aiocurl: error: v4.test has no IPv6 address (--resolve), and -6 allows no other\n"
    )
    assert literal.stderr == "aiocurl: error: ::1 is an IPv6 address, and -4 allows no other\n"
    assert bound.stderr == (
        "aiocurl: error: 127.0.0.1 is an IPv4 address, and --interface ::1 allows no other\n"
    )
    assert {only_v4.exit_status, literal.exit_status, bound.exit_status} == {1}


async def test_ipv6_for_a_name_the_system_resolves_to_ipv4_only() -> None:
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pass
    else:
        pytest.skip("localhost has an IPv6 address here")
    result = await arun_cli("-6", "http://localhost:1/")
    assert result.exit_status == 1
    assert (
        result.stderr == "aiocurl: error: localhost has no IPv6 address, and -6 allows no other\n"
    )


async def test_interface_is_the_address_the_server_sees() -> None:
    seen = Seen()
    async with serving_on(recording_app(seen), "127.0.0.1") as port:
        result = await arun_cli("--interface", "127.0.0.2", "-v", f"http://127.0.0.1:{port}/")
        alias = await arun_cli("--local-address", "127.0.0.3", f"http://127.0.0.1:{port}/")
    assert seen.clients == ["127.0.0.2", "127.0.0.3"]
    assert result.stderr.startswith(f"aiocurl: connected to 127.0.0.1:{port} from 127.0.0.2:")
    assert alias.exit_status == 0


async def test_routing_survives_a_batch_without_noting_peers(tmp_path: Path) -> None:
    seen = Seen()
    async with serving(echo_host(seen)) as server:
        lines = tmp_path / "lines"
        lines.write_text("http://one.test/a\nhttp://two.test/b\n")
        result = await arun_cli(
            "--batch", str(lines), "--resolve", f"*:{server.port}:127.0.0.1",
            "--connect-to", f"::127.0.0.1:{server.port}",
        )  # fmt: skip
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(record["status"] for record in records) == [200, 200], result.stderr
    assert sorted(seen.hosts) == ["one.test", "two.test"]

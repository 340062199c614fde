"""--offline prints the bytes that would be sent: compared with what a raw server received."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from helpers import arun_cli


@pytest.fixture
async def wire() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A raw server that keeps each request head exactly as it arrived."""
    heads: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield f"http://127.0.0.1:{port}", heads


class TestOfflineIsWhatIsSent:
    """Request line, header names (their case), order and values: the same bytes."""

    @pytest.mark.parametrize(
        "args",
        [
            ("{url}/plain",),
            ("{url}/host", "Host:example.org"),
            ("{url}/host", "host:first.example", "HOST:second.example", "X-After:1"),
            ("POST", "{url}/json", "name=ada", "age:=36"),
            ("{url}/unset", "Accept:", "User-Agent:aiocurl-test"),
            ("-f", "PUT", "{url}/form", "a=1", "X-Repeated:1", "X-Repeated:2"),
        ],
        ids=["plain", "host", "hosts", "json", "unset", "form"],
    )
    async def test_offline_head_matches_the_wire(
        self, wire: tuple[str, list[bytes]], args: tuple[str, ...]
    ) -> None:
        url, heads = wire
        argv = [arg.format(url=url) for arg in args]
        offline = await arun_cli("--offline", *argv)
        assert offline.exit_status == 0, offline.stderr
        sent = await arun_cli(*argv)
        assert sent.exit_status == 0, sent.stderr
        shown = offline.stdout.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
        assert shown.split(b"\r\n") == heads[-1].split(b"\r\n")

    async def test_one_host_header_only(self, wire: tuple[str, list[bytes]]) -> None:
        url, _ = wire
        offline = await arun_cli("--offline", f"{url}/x", "Host:example.org")
        head = offline.stdout.split(b"\r\n\r\n")[0].lower()
        assert head.count(b"\r\nhost: ") == 1

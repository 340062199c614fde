"""What the transport hands aiohttp: small bodies as bytes, files as a stream of blocks read
as they are sent; the bytes that arrive are the file's over plain http, TLS and chunked
framing, and the connection is read while a body goes (an early answer ends it)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, raw_server

from aiocurl.events import RequestRecord, ResponseHead, ResponseMeta, Retry
from aiocurl.request.body import FileSegment, RequestBody
from aiocurl.transport.redirects import Hop
from aiocurl.transport.send import SEND_BLOCK, body_payload

MIB = 1024 * 1024


class Progress:
    def __init__(self) -> None:
        self.reports: list[tuple[int, int | None]] = []

    def request(self, record: RequestRecord) -> None: ...

    def upload_progress(self, sent: int, total: int | None) -> None:
        self.reports.append((sent, total))

    def response_head(self, head: ResponseHead) -> None: ...

    def body_chunk(self, chunk: bytes) -> None: ...

    def response_end(self, meta: ResponseMeta) -> None: ...

    def notice(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def retrying(self, retry: Retry) -> None: ...


def hop(body: RequestBody, chunked: bool = False) -> Hop:
    return Hop("POST", "http://h/", (), frozenset(), body, None, chunked)


@dataclass
class Arrived:
    """What the server received: each request's headers and its body's digest and size."""

    requests: list[dict[str, object]] = field(default_factory=list)


def sink_app(arrived: Arrived) -> web.Application:
    async def sink(request: web.Request) -> web.Response:
        body = await request.read()
        arrived.requests.append(
            {
                "path": request.path,
                "content_length": request.headers.get("Content-Length"),
                "transfer_encoding": request.headers.get("Transfer-Encoding"),
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
        return web.json_response({"size": len(body)})

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/sink")

    app = web.Application(client_max_size=1024**3)
    app.router.add_route("*", "/sink", sink)
    app.router.add_route("*", "/307", redirect)
    return app


@pytest.fixture
async def plain(tmp_path: Path) -> AsyncIterator[tuple[str, Arrived]]:
    arrived = Arrived()
    server = TestServer(sink_app(arrived), host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}", arrived
    await server.close()


@pytest.fixture
async def secure(ca: trustme.CA) -> AsyncIterator[tuple[str, Arrived]]:
    arrived = Arrived()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = TestServer(sink_app(arrived), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    yield f"https://127.0.0.1:{server.port}", arrived
    await server.close()


def random_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def digest(*parts: bytes) -> str:
    return hashlib.sha256(b"".join(parts)).hexdigest()


async def send(
    url: str, body: RequestBody, *, chunked: bool = False, verify: str | None = None
) -> Progress:
    """The payload sent as aiocurl sends it, through a plain aiohttp session."""
    sink = Progress()
    data, header = body_payload(hop(body, chunked), sink)
    context = ssl.create_default_context(cafile=verify) if verify else None
    async with aiohttp.ClientSession() as session:
        response = await session.post(url, data=data, headers=dict(header), ssl=context or True)
        assert response.status == 200
        response.release()
    return sink


def test_small_bodies_go_as_bytes_and_chunked_has_no_length() -> None:
    assert body_payload(hop(RequestBody.of(b"abc")), Progress()) == (b"abc", ())
    data, header = body_payload(hop(RequestBody.of(b"abc"), chunked=True), Progress())
    assert header == () and not isinstance(data, bytes)


async def test_a_file_is_streamed_in_cache_sized_blocks_with_its_length_declared(
    tmp_path: Path,
) -> None:
    size = 3 * SEND_BLOCK + 5
    path = random_file(tmp_path / "big.bin", size)
    sink = Progress()
    data, header = body_payload(hop(RequestBody((FileSegment(str(path), size),))), sink)
    assert header == (("Content-Length", str(size)),)
    assert not isinstance(data, bytes)
    sizes = [len(block) async for block in data]  # type: ignore[union-attr]
    assert sizes == [SEND_BLOCK, SEND_BLOCK, SEND_BLOCK, 5]
    assert sink.reports == [(sum(sizes[: i + 1]), size) for i in range(4)]


async def test_a_file_arrives_whole_over_plain_http(
    plain: tuple[str, Arrived], tmp_path: Path
) -> None:
    size = 3 * MIB + 5
    path = random_file(tmp_path / "big.bin", size)
    url, arrived = plain
    await send(f"{url}/sink", RequestBody((FileSegment(str(path), size),)))
    (request,) = arrived.requests
    assert request["content_length"] == str(size) and request["transfer_encoding"] is None
    assert (request["size"], request["sha256"]) == (size, digest(path.read_bytes()))


async def test_literal_segments_around_a_file_keep_their_order(
    plain: tuple[str, Arrived], tmp_path: Path
) -> None:
    """A multipart body: framing bytes, a file by the kernel, framing bytes."""
    path = random_file(tmp_path / "part.bin", 3 * MIB + 1)
    head, tail = b"--b\r\nContent-Type: x\r\n\r\n", b"\r\n--b--\r\n"
    url, arrived = plain
    body = RequestBody((head, FileSegment(str(path), 3 * MIB + 1), tail))
    await send(f"{url}/sink", body)
    (request,) = arrived.requests
    assert request["sha256"] == digest(head, path.read_bytes(), tail)
    assert request["content_length"] == str(len(head) + 3 * MIB + 1 + len(tail))


async def test_a_file_arrives_whole_over_tls(
    secure: tuple[str, Arrived], ca_file: str, tmp_path: Path
) -> None:
    size = 3 * MIB + 7
    path = random_file(tmp_path / "big.bin", size)
    url, arrived = secure
    await send(f"{url}/sink", RequestBody((FileSegment(str(path), size),)), verify=ca_file)
    (request,) = arrived.requests
    assert (request["size"], request["sha256"]) == (size, digest(path.read_bytes()))


async def test_a_file_arrives_whole_in_chunked_framing(
    plain: tuple[str, Arrived], tmp_path: Path
) -> None:
    size = 2 * MIB + 3
    path = random_file(tmp_path / "big.bin", size)
    url, arrived = plain
    await send(f"{url}/sink", RequestBody((FileSegment(str(path), size),)), chunked=True)
    (request,) = arrived.requests
    assert (request["transfer_encoding"], request["content_length"]) == ("chunked", None)
    assert (request["size"], request["sha256"]) == (size, digest(path.read_bytes()))


async def test_a_307_sends_a_large_file_again_whole(
    plain: tuple[str, Arrived], tmp_path: Path
) -> None:
    size = 8 * MIB + 11
    path = random_file(tmp_path / "big.bin", size)
    url, arrived = plain
    result = await arun_cli("--follow", "PUT", f"{url}/307", f"@{path}")
    assert result.exit_status == 0, result.stderr
    assert json.loads(result.stdout) == {"size": size}
    assert [r["path"] for r in arrived.requests] == ["/sink"]  # the 307 itself reads nothing
    assert arrived.requests[0]["sha256"] == digest(path.read_bytes())


async def test_an_early_answer_ends_an_upload_the_server_stopped_reading(tmp_path: Path) -> None:
    """The server answers 413 after the head and reads no more, leaving the connection
    open: the answer is read while the file is on its way, and ends the upload."""
    path = tmp_path / "large.bin"
    with path.open("wb") as handle:
        handle.truncate(64 * MIB)  # more than the socket buffers of both ends hold
    stall = asyncio.Event()
    reply = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large"
    server = await raw_server(reply, stall=stall)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/upload"
    try:
        async with server:
            result = await arun_cli("--check-status", "--max-time", "20", "PUT", url, f"@{path}")
    finally:
        stall.set()
    assert (result.exit_status, result.stdout) == (4, b"too large"), result.stderr


async def test_ctrl_c_while_a_file_is_sent(tmp_path: Path) -> None:
    """The server takes the first bytes, then reads no more: the upload waits on a full
    socket, and Ctrl-C still ends it at once (exit 130)."""
    started, release = asyncio.Event(), asyncio.Event()

    async def take(request: web.Request) -> web.Response:
        await request.content.readexactly(1024)
        started.set()
        await release.wait()  # reads no more until the command has ended
        return web.Response(text="late")

    path = tmp_path / "large.bin"
    with path.open("wb") as handle:
        handle.truncate(64 * MIB)
    app = web.Application(client_max_size=1 << 30)
    app.router.add_put("/up", take)
    async with TestServer(app, host="127.0.0.1") as server:
        executable = shutil.which("aiocurl")
        assert executable is not None
        process = await asyncio.create_subprocess_exec(
            executable,
            "PUT",
            str(server.make_url("/up")),
            f"@{path}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
        )
        try:
            await asyncio.wait_for(started.wait(), 30)
            process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            release.set()
    assert process.returncode == 130
    assert stderr == b"\naiocurl: interrupted\n"

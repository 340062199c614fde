"""/stream-bytes (chunked, deterministic) and /drip (byte count, status)."""

from __future__ import annotations

import random

import pytest
from aiohttp.test_utils import TestClient

from aiocurl.echo.streams import group_sizes


async def http_chunk_sizes(echo: TestClient, path: str) -> tuple[list[int], bytes]:
    """Sizes of the HTTP chunks as framed by the server, and the whole body."""
    resp = await echo.get(path)
    assert resp.status == 200
    assert resp.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in resp.headers
    assert resp.content_type == "application/octet-stream"
    sizes, current, body = [], 0, bytearray()
    async for data, end_of_chunk in resp.content.iter_chunks():
        body += data
        current += len(data)
        if end_of_chunk:
            sizes.append(current)
            current = 0
    return sizes, bytes(body)


async def test_stream_bytes_are_randbytes_in_chunk_size_writes(echo: TestClient) -> None:
    sizes, body = await http_chunk_sizes(echo, "/stream-bytes/25000?chunk_size=7000&seed=3")
    assert body == random.Random(3).randbytes(25000)
    assert sizes == [7000, 7000, 7000, 4000]


async def test_stream_bytes_defaults(echo: TestClient) -> None:
    sizes, body = await http_chunk_sizes(echo, "/stream-bytes/25000")
    assert body == random.Random(0).randbytes(25000)
    assert sizes == [10240, 10240, 4520]


async def test_stream_bytes_empty(echo: TestClient) -> None:
    assert await (await echo.get("/stream-bytes/0")).read() == b""


@pytest.mark.parametrize(
    "path",
    [
        "/stream-bytes/-1",
        "/stream-bytes/x",
        "/stream-bytes/5?seed=x",
        "/stream-bytes/5?chunk_size=0",
        "/stream-bytes/5?cut=-1",
    ],
)
async def test_stream_bytes_bad_input(echo: TestClient, path: str) -> None:
    resp = await echo.get(path)
    assert resp.status == 400
    assert "error" in await resp.json()


async def test_drip_sends_numbytes_with_content_length(echo: TestClient) -> None:
    resp = await echo.get("/drip?numbytes=7&duration=0.05")
    assert resp.status == 200
    assert resp.headers["Content-Length"] == "7"
    assert resp.content_type == "application/octet-stream"
    assert await resp.read() == b"*" * 7


async def test_drip_defaults_to_ten_bytes(echo: TestClient) -> None:
    assert await (await echo.get("/drip?duration=0")).read() == b"*" * 10


async def test_drip_groups_many_bytes(echo: TestClient) -> None:
    assert await (await echo.get("/drip?numbytes=4321&duration=0")).read() == b"*" * 4321


async def test_drip_status_and_empty_body(echo: TestClient) -> None:
    resp = await echo.get("/drip?numbytes=3&duration=0&code=418")
    assert resp.status == 418
    assert await resp.read() == b"***"
    empty = await echo.get("/drip?numbytes=0")
    assert (empty.status, await empty.read()) == (200, b"")


@pytest.mark.parametrize(
    "query",
    ["numbytes=x", "numbytes=-1", "duration=-1", "duration=nan", "delay=x", "code=204", "code=99"],
)
async def test_drip_bad_input(echo: TestClient, query: str) -> None:
    assert (await echo.get(f"/drip?{query}")).status == 400


def test_group_sizes_are_even_and_complete() -> None:
    assert group_sizes(10, 3) == [4, 3, 3]
    assert group_sizes(5, 5) == [1] * 5
    assert sum(group_sizes(10_485_760, 1000)) == 10_485_760

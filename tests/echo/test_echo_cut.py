"""?cut=N: full headers, then the connection ends after exactly N body bytes."""

from __future__ import annotations

import random

import aiohttp
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient


async def read_until_failure(resp: ClientResponse) -> tuple[bytes, BaseException | None]:
    """Everything received before the read fails, and the failure (None if the body ended)."""
    received = bytearray()
    try:
        while chunk := await resp.content.read(4096):
            received += chunk
    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
        return bytes(received), exc
    return bytes(received), None


@pytest.mark.parametrize(("size", "cut"), [(100_000, 54_321), (1_000_000, 700_001), (10, 0)])
async def test_bytes_cut_after_n(echo: TestClient, size: int, cut: int) -> None:
    resp = await echo.get(f"/bytes/{size}?seed=4&cut={cut}")
    assert resp.status == 200
    assert resp.headers["Content-Length"] == str(size)  # the whole body was promised
    received, failure = await read_until_failure(resp)
    assert failure is not None
    assert received == random.Random(4).randbytes(size)[:cut]


async def test_bytes_cut_past_the_end_delivers_everything(echo: TestClient) -> None:
    resp = await echo.get("/bytes/100?cut=500")
    received, failure = await read_until_failure(resp)
    assert (received, failure) == (random.Random(0).randbytes(100), None)


@pytest.mark.parametrize("cut", [5_500, 100_000])
async def test_stream_bytes_cut_after_n(echo: TestClient, cut: int) -> None:
    resp = await echo.get(f"/stream-bytes/100000?chunk_size=1000&seed=6&cut={cut}")
    assert resp.headers.get("Transfer-Encoding") == "chunked"
    received, failure = await read_until_failure(resp)
    # Even with every byte sent, the last chunk never comes: still a truncated body.
    assert failure is not None
    assert received == random.Random(6).randbytes(100_000)[:cut]


async def test_range_cut_counts_bytes_of_this_response(echo: TestClient) -> None:
    resp = await echo.get(
        "/range/300000?seed=2&cut=777&chunk_size=500", headers={"Range": "bytes=100000-"}
    )
    assert resp.status == 206
    assert resp.headers["Content-Length"] == "200000"
    received, failure = await read_until_failure(resp)
    assert failure is not None
    assert received == random.Random(2).randbytes(300_000)[100_000:100_777]


async def test_range_cut_on_full_body(echo: TestClient) -> None:
    resp = await echo.get("/range/300000?cut=150000")
    assert resp.status == 200
    received, failure = await read_until_failure(resp)
    assert failure is not None
    assert received == random.Random(0).randbytes(300_000)[:150_000]


async def test_server_still_serves_after_a_cut(echo: TestClient) -> None:
    received, _ = await read_until_failure(await echo.get("/bytes/1000?cut=10"))
    assert len(received) == 10
    assert await (await echo.get("/bytes/5")).read() == random.Random(0).randbytes(5)


@pytest.mark.parametrize("path", ["/bytes/5?cut=x", "/bytes/5?cut=-1", "/range/5?cut=x"])
async def test_cut_bad_input(echo: TestClient, path: str) -> None:
    assert (await echo.get(path)).status == 400

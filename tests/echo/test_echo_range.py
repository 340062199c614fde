"""/range/{n}: 200, 206 for single ranges, If-Range, 416 and a server without range support."""

from __future__ import annotations

import random

import pytest
from aiohttp.test_utils import TestClient

from aiocurl.echo.ranges import LAST_MODIFIED

SIZE = 200_003  # several generator blocks, and not a multiple of 4
SEED = 9
DATA = random.Random(SEED).randbytes(SIZE)
PATH = f"/range/{SIZE}?seed={SEED}"
ETAG = f'"range-{SIZE}-{SEED}"'


async def test_no_range_gives_everything(echo: TestClient) -> None:
    resp = await echo.get(PATH)
    assert resp.status == 200
    assert resp.headers["Content-Length"] == str(SIZE)
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["ETag"] == ETAG
    assert resp.headers["Last-Modified"] == LAST_MODIFIED
    assert resp.content_type == "application/octet-stream"
    assert "Content-Range" not in resp.headers
    assert "Content-Disposition" not in resp.headers
    assert await resp.read() == DATA


@pytest.mark.parametrize(
    ("spec", "first", "last"),
    [
        ("bytes=70000-", 70000, SIZE - 1),
        ("bytes=0-0", 0, 0),
        ("bytes=65530-131075", 65530, 131075),  # across block boundaries
        ("bytes=199999-999999", 199999, SIZE - 1),  # the end is clamped to the resource
        ("bytes=-5", SIZE - 5, SIZE - 1),
        ("bytes=-999999", 0, SIZE - 1),
        ("BYTES = 10 - 20", 10, 20),
    ],
)
async def test_single_range_gives_206(echo: TestClient, spec: str, first: int, last: int) -> None:
    resp = await echo.get(PATH, headers={"Range": spec})
    assert resp.status == 206
    assert resp.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert resp.headers["Content-Length"] == str(last - first + 1)
    assert await resp.read() == DATA[first : last + 1]


async def test_chunk_size_does_not_change_the_bytes(echo: TestClient) -> None:
    resp = await echo.get(f"{PATH}&chunk_size=1000", headers={"Range": "bytes=1234-"})
    assert await resp.read() == DATA[1234:]


@pytest.mark.parametrize("spec", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
async def test_unsatisfiable_gives_416(echo: TestClient, spec: str) -> None:
    resp = await echo.get(PATH, headers={"Range": spec})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == f"bytes */{SIZE}"
    assert await resp.read() == b""


async def test_empty_resource_cannot_satisfy_a_range(echo: TestClient) -> None:
    resp = await echo.get("/range/0", headers={"Range": "bytes=0-"})
    assert (resp.status, resp.headers["Content-Range"]) == (416, "bytes */0")
    assert await (await echo.get("/range/0")).read() == b""


@pytest.mark.parametrize(
    "spec", ["bytes=0-1,5-6", "bytes=20-10", "items=0-5", "bytes=x-", "bytes=-", "garbage"]
)
async def test_ranges_not_honoured_give_everything(echo: TestClient, spec: str) -> None:
    resp = await echo.get(PATH, headers={"Range": spec})
    assert resp.status == 200
    assert await resp.read() == DATA


@pytest.mark.parametrize("validator", [ETAG, LAST_MODIFIED, "Wednesday, 01-Jan-25 00:00:00 GMT"])
async def test_if_range_that_matches_gives_206(echo: TestClient, validator: str) -> None:
    headers = {"Range": "bytes=100-", "If-Range": validator}
    resp = await echo.get(PATH, headers=headers)
    assert resp.status == 206
    assert await resp.read() == DATA[100:]


@pytest.mark.parametrize(
    "validator",
    [
        '"range-other"',
        f"W/{ETAG}",  # weak tags never match in If-Range
        "Thu, 02 Jan 2025 00:00:00 GMT",
        "not a date",
    ],
)
async def test_if_range_that_differs_gives_everything(echo: TestClient, validator: str) -> None:
    headers = {"Range": "bytes=100-", "If-Range": validator}
    resp = await echo.get(PATH, headers=headers)
    assert resp.status == 200
    assert "Content-Range" not in resp.headers
    assert await resp.read() == DATA


async def test_etag_query_simulates_a_changed_file(echo: TestClient) -> None:
    changed = await echo.get(f"{PATH}&etag=v2", headers={"Range": "bytes=5-", "If-Range": ETAG})
    assert changed.headers["ETag"] == '"v2"'
    assert changed.status == 200
    same = await echo.get(f"{PATH}&etag=v2", headers={"Range": "bytes=5-", "If-Range": '"v2"'})
    assert same.status == 206
    assert await same.read() == DATA[5:]


async def test_ignore_range_plays_a_server_without_ranges(echo: TestClient) -> None:
    resp = await echo.get(f"{PATH}&ignore_range=1", headers={"Range": "bytes=100-"})
    assert resp.status == 200
    assert "Accept-Ranges" not in resp.headers
    assert "Content-Range" not in resp.headers
    assert await resp.read() == DATA
    unsatisfiable = await echo.get(f"{PATH}&ignore_range=1", headers={"Range": f"bytes={SIZE}-"})
    assert unsatisfiable.status == 200


async def test_head_describes_the_whole_resource(echo: TestClient) -> None:
    resp = await echo.head(PATH, headers={"Range": "bytes=100-"})
    assert resp.status == 200
    assert resp.headers["Content-Length"] == str(SIZE)
    assert resp.headers["ETag"] == ETAG
    assert await resp.read() == b""


async def test_size_is_capped_at_one_gib(echo: TestClient) -> None:
    resp = await echo.head("/range/5000000000")
    assert resp.headers["Content-Length"] == str(1024**3)


@pytest.mark.parametrize(
    "path", ["/range/-1", "/range/x", "/range/5?seed=x", '/range/5?etag=a"b', "/range/5?etag=a%20b"]
)
async def test_range_bad_input(echo: TestClient, path: str) -> None:
    assert (await echo.get(path)).status == 400

"""Documents, compression, bytes, streaming, delay and the index."""

from __future__ import annotations

import gzip
import json
import random
import zlib

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from aiocurl.echo.app import make_app


@pytest.fixture
async def raw_echo(aiohttp_client: AiohttpClient) -> TestClient:
    """A client that hands back the compressed bytes as sent."""
    return await aiohttp_client(make_app(), auto_decompress=False)


async def test_gzip_is_really_gzip(raw_echo: TestClient) -> None:
    resp = await raw_echo.get("/gzip", headers={"X-Probe": "1"})
    assert resp.status == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.content_type == "application/json"
    body = json.loads(gzip.decompress(await resp.read()))
    assert body["gzipped"] is True
    assert body["method"] == "GET"
    assert body["headers"]["X-Probe"] == "1"


async def test_deflate_is_zlib_format(raw_echo: TestClient) -> None:
    resp = await raw_echo.get("/deflate")
    assert resp.headers["Content-Encoding"] == "deflate"
    body = json.loads(zlib.decompress(await resp.read()))
    assert body["deflated"] is True


async def test_compressed_bodies_decode_in_a_normal_client(echo: TestClient) -> None:
    assert (await (await echo.get("/gzip")).json())["gzipped"] is True
    assert (await (await echo.get("/deflate")).json())["deflated"] is True


async def test_bytes_length_type_and_determinism(echo: TestClient) -> None:
    first = await echo.get("/bytes/1000?seed=7")
    assert first.content_type == "application/octet-stream"
    data = await first.read()
    assert len(data) == 1000
    assert data == random.Random(7).randbytes(1000)
    assert await (await echo.get("/bytes/1000?seed=7")).read() == data
    assert await (await echo.get("/bytes/1000?seed=8")).read() != data
    assert await (await echo.get("/bytes/16")).read() == random.Random(0).randbytes(16)
    assert await (await echo.get("/bytes/0")).read() == b""


@pytest.mark.parametrize("path", ["/bytes/-1", "/bytes/x", "/bytes/5?seed=x"])
async def test_bytes_bad_input(echo: TestClient, path: str) -> None:
    assert (await echo.get(path)).status == 400


async def test_stream_sends_json_lines_in_chunks(echo: TestClient) -> None:
    resp = await echo.get("/stream/5?x=1")
    assert resp.status == 200
    assert resp.content_type == "application/json"
    assert resp.headers.get("Transfer-Encoding") == "chunked"
    lines = (await resp.text()).splitlines()
    assert len(lines) == 5
    objects = [json.loads(line) for line in lines]
    assert [obj["id"] for obj in objects] == [0, 1, 2, 3, 4]
    assert objects[0]["args"] == {"x": "1"}
    assert "raw_headers" in objects[0]


async def test_stream_is_capped(echo: TestClient) -> None:
    assert len((await (await echo.get("/stream/500")).text()).splitlines()) == 100


async def test_delay_describes_request(echo: TestClient) -> None:
    resp = await echo.post("/delay/0.01?a=b", json={"k": 1})
    body = await resp.json()
    assert body["json"] == {"k": 1}
    assert body["args"] == {"a": "b"}
    assert body["method"] == "POST"


@pytest.mark.parametrize("value", ["x", "-1", "nan"])
async def test_delay_bad_input(echo: TestClient, value: str) -> None:
    assert (await echo.get(f"/delay/{value}")).status == 400


async def test_json_document(echo: TestClient) -> None:
    resp = await echo.get("/json")
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["slideshow"]["slides"][0]["title"]


async def test_html_xml_utf8_documents(echo: TestClient) -> None:
    html = await echo.get("/html")
    assert (html.content_type, html.charset) == ("text/html", "utf-8")
    assert "<html" in await html.text()
    xml = await echo.get("/xml")
    assert xml.content_type == "application/xml"
    assert (await xml.text()).startswith("<?xml")
    utf8 = await echo.get("/encoding/utf8")
    assert (utf8.content_type, utf8.charset) == ("text/html", "utf-8")
    text = (await utf8.read()).decode("utf-8")
    for sample in ("Привет", "Γειά", "こんにちは", "👋"):
        assert sample in text


async def test_index_lists_endpoints(echo: TestClient) -> None:
    resp = await echo.get("/")
    assert resp.content_type == "text/plain"
    text = await resp.text()
    paths = ("/anything", "/digest-auth/", "/stream/", "/bytes/", "/stream-bytes/", "/drip")
    for path in (*paths, "/range/", "cut=", "/sse", "/ndjson"):
        assert path in text

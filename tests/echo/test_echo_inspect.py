"""Endpoints that describe the request: /get, /post & co, /anything, /headers."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp.test_utils import TestClient


async def raw_exchange(client: TestClient, request: bytes) -> tuple[bytes, bytes]:
    """Send bytes exactly as given; return (status line + headers, body) of the reply."""
    assert client.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    try:
        writer.write(request)
        await writer.drain()
        reply = await reader.read()  # the request says Connection: close, so EOF ends it
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = reply.partition(b"\r\n\r\n")
    return head, body


async def test_get_describes_args_headers_origin_url(echo: TestClient) -> None:
    resp = await echo.get("/get?a=1&b=2&a=3&empty=", headers={"X-Custom": "yes"})
    assert resp.status == 200
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"args", "headers", "raw_headers", "origin", "url"}
    assert body["args"] == {"a": ["1", "3"], "b": "2", "empty": ""}
    assert body["headers"]["X-Custom"] == "yes"
    assert body["origin"] == "127.0.0.1"
    assert body["url"] == f"http://127.0.0.1:{echo.port}/get?a=1&b=2&a=3&empty="


async def test_url_is_kept_as_received(echo: TestClient) -> None:
    request = (
        b"GET /get?q=a%20b&x=%2F HTTP/1.1\r\nHost: example.test:81\r\nConnection: close\r\n\r\n"
    )
    head, body = await raw_exchange(echo, request)
    assert head.startswith(b"HTTP/1.1 200")
    description = json.loads(body)
    assert description["url"] == "http://example.test:81/get?q=a%20b&x=%2F"
    assert description["args"] == {"q": "a b", "x": "/"}


async def test_raw_headers_keep_order_case_and_duplicates(echo: TestClient) -> None:
    request = (
        b"GET /headers HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"x-zeta: 1\r\n"
        b"X-ALPHA: 2\r\n"
        b"X-Zeta: 3\r\n"
        b"MiXeD-CaSe: caf\xe9\r\n"
        b"Connection: close\r\n\r\n"
    )
    head, body = await raw_exchange(echo, request)
    assert head.startswith(b"HTTP/1.1 200")
    description = json.loads(body)
    assert description["raw_headers"] == [
        ["Host", "127.0.0.1"],
        ["x-zeta", "1"],
        ["X-ALPHA", "2"],
        ["X-Zeta", "3"],
        ["MiXeD-CaSe", "café"],  # latin-1, as HTTP/1.1 defines header bytes
        ["Connection", "close"],
    ]
    # The dict keeps the first spelling and joins repeats, whatever their case.
    assert list(description["headers"]) == ["Host", "x-zeta", "X-ALPHA", "MiXeD-CaSe", "Connection"]
    assert description["headers"]["x-zeta"] == "1, 3"


async def test_raw_headers_from_aiohttp_client_keep_given_case(echo: TestClient) -> None:
    resp = await echo.get("/anything", headers={"x-lower": "a", "X-UPPER": "b"})
    names = [name for name, _ in (await resp.json())["raw_headers"]]
    assert names.index("x-lower") < names.index("X-UPPER")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_method_endpoints_describe_json_body(echo: TestClient, method: str) -> None:
    resp = await echo.request(method, f"/{method.lower()}?k=v", json={"n": [1, 2], "s": "é"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {
        "args", "data", "files", "form", "headers", "json", "method", "origin", "raw_headers", "url"
    }  # fmt: skip
    assert body["method"] == method
    assert body["args"] == {"k": "v"}
    assert body["json"] == {"n": [1, 2], "s": "é"}
    assert json.loads(body["data"]) == {"n": [1, 2], "s": "é"}
    assert body["form"] == {} and body["files"] == {}


@pytest.mark.parametrize(("path", "wrong"), [("/get", "POST"), ("/post", "GET"), ("/put", "PATCH")])
async def test_method_endpoints_reject_others(echo: TestClient, path: str, wrong: str) -> None:
    resp = await echo.request(wrong, path)
    assert resp.status == 405


async def test_urlencoded_form_with_repeated_keys(echo: TestClient) -> None:
    resp = await echo.post("/post", data=[("a", "1"), ("b", "x y"), ("a", "2")])
    body = await resp.json()
    assert body["form"] == {"a": ["1", "2"], "b": "x y"}
    assert body["json"] is None
    assert body["data"] == ""  # httpbin: a decoded form leaves data empty


async def test_multipart_fields_and_files(echo: TestClient) -> None:
    form = aiohttp.FormData()
    form.add_field("name", "Ada")
    form.add_field("tag", "one")
    form.add_field("tag", "two")
    form.add_field("upload", b"file contents\n", filename="notes.txt", content_type="text/plain")
    resp = await echo.post("/anything", data=form)
    body = await resp.json()
    assert body["form"] == {"name": "Ada", "tag": ["one", "two"]}
    assert body["files"] == {"upload": "file contents\n"}


async def test_raw_body_is_decoded_with_replacement(echo: TestClient) -> None:
    resp = await echo.post("/anything", data=b"ok \xff end", headers={"Content-Type": "text/plain"})
    body = await resp.json()
    assert body["data"] == "ok \ufffd end"
    assert body["json"] is None


async def test_anything_accepts_custom_verbs_and_any_tail(echo: TestClient) -> None:
    resp = await echo.request("PURGE", "/anything/some/deep/path?x=1")
    assert resp.status == 200
    body = await resp.json()
    assert body["method"] == "PURGE"
    assert body["url"].endswith("/anything/some/deep/path?x=1")


async def test_headers_endpoint(echo: TestClient) -> None:
    resp = await echo.get("/headers", headers={"X-Probe": "42"})
    body = await resp.json()
    assert set(body) == {"headers", "raw_headers"}
    assert body["headers"]["X-Probe"] == "42"
    assert ["X-Probe", "42"] in body["raw_headers"]


async def test_ip_and_user_agent(echo: TestClient) -> None:
    assert await (await echo.get("/ip")).json() == {"origin": "127.0.0.1"}
    resp = await echo.get("/user-agent", headers={"User-Agent": "probe/1"})
    assert await resp.json() == {"user-agent": "probe/1"}

"""/status, the redirect endpoints and cookies."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_status_any_method(echo: TestClient, method: str) -> None:
    resp = await echo.request(method, "/status/418")
    assert resp.status == 418
    assert await resp.read() == b""


async def test_status_3xx_points_at_redirect(echo: TestClient) -> None:
    resp = await echo.get("/status/307", allow_redirects=False)
    assert resp.status == 307
    assert resp.headers["Location"] == "/redirect/1"


async def test_status_401_challenges(echo: TestClient) -> None:
    resp = await echo.get("/status/401")
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="echo"'


@pytest.mark.parametrize("code", ["abc", "99", "600", "100"])
async def test_status_invalid_code(echo: TestClient, code: str) -> None:
    resp = await echo.get(f"/status/{code}")
    assert resp.status == 400


async def test_redirect_chain(echo: TestClient) -> None:
    resp = await echo.get("/redirect/3", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/redirect/2")
    resp = await echo.get("/redirect/1", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/get")
    resp = await echo.get("/redirect/3")
    assert resp.status == 200
    assert len(resp.history) == 3
    assert resp.url.path == "/get"


async def test_absolute_redirect_uses_request_host(echo: TestClient) -> None:
    resp = await echo.get("/absolute-redirect/2", allow_redirects=False)
    assert resp.headers["Location"] == f"http://127.0.0.1:{echo.port}/absolute-redirect/1"
    resp = await echo.get("/absolute-redirect/1", allow_redirects=False)
    assert resp.headers["Location"] == f"http://127.0.0.1:{echo.port}/get"


@pytest.mark.parametrize("path", ["/redirect/0", "/redirect/x", "/absolute-redirect/-1"])
async def test_redirect_invalid_count(echo: TestClient, path: str) -> None:
    assert (await echo.get(path, allow_redirects=False)).status == 400


async def test_redirect_to(echo: TestClient) -> None:
    resp = await echo.post(
        "/redirect-to", params={"url": "http://elsewhere.test/x?y=1"}, allow_redirects=False
    )
    assert (resp.status, resp.headers["Location"]) == (302, "http://elsewhere.test/x?y=1")
    resp = await echo.get(
        "/redirect-to", params={"url": "/get", "status_code": "308"}, allow_redirects=False
    )
    assert (resp.status, resp.headers["Location"]) == (308, "/get")


@pytest.mark.parametrize("query", ["", "?url=/get&status_code=200", "?url=/get&status_code=x"])
async def test_redirect_to_rejects_bad_input(echo: TestClient, query: str) -> None:
    assert (await echo.get(f"/redirect-to{query}", allow_redirects=False)).status == 400


async def test_cookies_reads_cookie_header(echo: TestClient) -> None:
    resp = await echo.get("/cookies", headers={"Cookie": "a=1; b=two"})
    assert await resp.json() == {"cookies": {"a": "1", "b": "two"}}


async def test_cookies_set_redirects_with_set_cookie(echo: TestClient) -> None:
    resp = await echo.get("/cookies/set?k=v&other=2", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/cookies"
    assert resp.headers.getall("Set-Cookie") == ["k=v; Path=/", "other=2; Path=/"]


async def test_cookies_round_trip_through_client_jar(echo: TestClient) -> None:
    resp = await echo.get("/cookies/set?k=v")
    assert await resp.json() == {"cookies": {"k": "v"}}
    resp = await echo.get("/cookies/delete?k")
    assert await resp.json() == {"cookies": {}}

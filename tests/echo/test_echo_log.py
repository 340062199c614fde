"""The per-request log hook."""

from __future__ import annotations

from aiohttp.test_utils import TestClient


async def test_one_line_per_request_with_method_path_headers_size(
    logged_echo: TestClient, log_lines: list[str]
) -> None:
    resp = await logged_echo.post("/post?a=1", data=b"12345", headers={"X-Trace": "abc"})
    assert resp.status == 200
    assert len(log_lines) == 1
    line = log_lines[0]
    assert line.startswith("POST /post?a=1 -> 200 ")
    assert "body 5 bytes" in line
    assert "X-Trace: abc" in line
    assert f"Host: 127.0.0.1:{logged_echo.port}" in line
    assert "\n" not in line


async def test_errors_and_unread_bodies_are_logged(
    logged_echo: TestClient, log_lines: list[str]
) -> None:
    await logged_echo.get("/nowhere")
    await logged_echo.put("/post", data=b"xyz")
    await logged_echo.post("/status/204", data=b"ab")
    assert len(log_lines) == 3
    assert log_lines[0].startswith("GET /nowhere -> 404 ")
    assert log_lines[1].startswith("PUT /post -> 405 | body 3 bytes")
    assert log_lines[2].startswith("POST /status/204 -> 204 | body 2 bytes")


async def test_handlers_still_see_the_body_after_logging(
    logged_echo: TestClient, log_lines: list[str]
) -> None:
    resp = await logged_echo.post("/anything", data={"f": "v"})
    assert (await resp.json())["form"] == {"f": "v"}
    assert "body 3 bytes" in log_lines[0]


async def test_no_hook_no_logging(echo: TestClient, log_lines: list[str]) -> None:
    await echo.get("/get")
    assert log_lines == []

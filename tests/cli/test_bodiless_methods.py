"""A request without a body arrives as --offline shows it: an empty body (Content-Length:
0) for every method but GET, HEAD, OPTIONS and TRACE, and never a Content-Type aiocurl did
not mean to send."""

from __future__ import annotations

import pytest
from helpers import run_cli
from recording_echo import RecordingEcho


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "GET"])
def test_what_arrives_is_what_offline_shows(echo: RecordingEcho, method: str) -> None:
    url = f"{echo.url}/anything/x"
    echo.take()
    assert run_cli(method, url).exit_status == 0
    [received] = echo.take()
    offline = run_cli("--offline", method, url)
    shown = offline.stdout.decode().split("\r\n\r\n")[0].split("\r\n")[1:]
    assert sorted(shown) == sorted(f"{name}: {value}" for name, value in received.headers)
    assert "Content-Type" not in dict(received.headers)
    assert dict(received.headers).get("Content-Length") == (
        None if method in ("GET", "OPTIONS") else "0"
    )

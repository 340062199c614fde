"""--verify no warns where there is TLS to verify (https, wss: see tests/transport), and
nowhere else."""

from __future__ import annotations

from helpers import run_cli


def test_no_warning_for_plain_http(echo_url: str) -> None:
    result = run_cli("--verify", "no", f"{echo_url}/get")
    assert result.exit_status == 0
    assert result.stderr == ""


def test_no_warning_for_plain_ws(echo_url: str) -> None:
    ws_url = echo_url.replace("http://", "ws://", 1) + "/ws"
    result = run_cli("--verify", "no", "--ws-count", "1", ws_url, "a=b")
    assert result.exit_status == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == b'{"a": "b"}\n'

"""A session keeps the base URL it was used with: later commands of that session may give
only a path."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli


def test_a_session_file_keeps_its_base_url(echo_url: str, tmp_path: Path) -> None:
    session = tmp_path / "api.json"
    first = run_cli("--session", str(session), "--base-url", f"{echo_url}/anything", "/one")
    assert first.exit_status == 0, first.stderr
    assert json.loads(session.read_text())["base_url"] == f"{echo_url}/anything"
    later = run_cli("--session", str(session), "/two", "x==1")
    assert later.exit_status == 0, later.stderr
    assert json.loads(later.stdout)["url"] == f"{echo_url}/anything/two?x=1"
    read_only = run_cli("--offline", "--session-read-only", str(session), "/three")
    assert read_only.stdout.startswith(b"GET /anything/three HTTP/1.1\r\n")


def test_a_named_session_finds_its_base_url_under_any_host(echo_url: str, tmp_path: Path) -> None:
    config = {"AIOCURL_CONFIG_DIR": str(tmp_path)}
    base = f"{echo_url}/anything"
    assert run_cli("--session", "dev", "--base-url", base, "/one", env=config).exit_status == 0
    later = run_cli("--session", "dev", "/two", env=config)
    assert later.exit_status == 0, later.stderr
    assert json.loads(later.stdout)["url"] == f"{echo_url}/anything/two"


def test_names_with_different_bases_are_ambiguous(tmp_path: Path) -> None:
    for host, base in (("a.test_80", "http://a.test/v1"), ("b.test_80", "http://b.test/v2")):
        (tmp_path / "sessions" / host).mkdir(parents=True)
        (tmp_path / "sessions" / host / "dev.json").write_text(json.dumps({"base_url": base}))
    result = run_cli(
        "--offline", "--session", "dev", "/x", env={"AIOCURL_CONFIG_DIR": str(tmp_path)}
    )
    assert result.exit_status == 1 and result.stderr.count("\n") == 1
    assert "keep different base URLs (http://a.test/v1, http://b.test/v2)" in result.stderr

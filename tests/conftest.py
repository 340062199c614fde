"""Shared fixtures: the bundled echo server, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme


@pytest.fixture(scope="session")
def echo_url() -> Iterator[str]:
    """The bundled echo server, started once on a free port in a background thread."""
    from helpers import app_in_thread

    from aiocurl.echo.app import make_app

    with app_in_thread(make_app()) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def empty_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite never reads the developer's own config.json or sessions: the command, in
    process or started as a process, looks in an empty directory unless a test says."""
    import os

    before = os.environ.get("AIOCURL_CONFIG_DIR")
    os.environ["AIOCURL_CONFIG_DIR"] = str(tmp_path_factory.mktemp("config"))
    yield
    if before is None:
        del os.environ["AIOCURL_CONFIG_DIR"]
    else:
        os.environ["AIOCURL_CONFIG_DIR"] = before


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A test CA (trustme), for the TLS tests."""
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    """The test CA's certificate as a PEM file."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's temporary folder as the working folder (for files named by the URL)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path

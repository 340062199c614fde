"""The CA store is loaded when a TLS connection starts, and verifies exactly as
ssl.create_default_context() does: SSL_CERT_FILE, SSL_CERT_DIR, --verify PATH; aiohttp's
import-time contexts are left empty, so that one used by mistake fails closed."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer

from aiocurl.transport.trust import DeferredTrustContext


@pytest.fixture
async def tls_url(ca: trustme.CA) -> AsyncIterator[str]:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"secure": request.secure})

    app = web.Application()
    app.router.add_get("/", hello)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = TestServer(app, host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    yield f"https://127.0.0.1:{server.port}/"
    await server.close()


async def aiocurl(*argv: str, **env: str) -> tuple[int, bytes, str]:
    """The installed command as a real process: only there is aiohttp imported by aiocurl
    (this test process imported it long before)."""
    executable = shutil.which("aiocurl")
    assert executable is not None
    process = await asyncio.create_subprocess_exec(
        executable,
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out, err.decode()


async def test_the_default_store_is_the_one_ssl_cert_file_names(
    tls_url: str, ca_file: str, tmp_path: Path
) -> None:
    status, out, err = await aiocurl(tls_url, SSL_CERT_FILE=ca_file)
    assert (status, json.loads(out), err) == (0, {"secure": True}, "")

    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    status, out, err = await aiocurl(tls_url, SSL_CERT_FILE=str(other))
    assert status == 1 and out == b""
    assert err.startswith(f"aiocurl: error: TLS certificate verification failed for {tls_url}")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to name the hash")
async def test_the_default_store_is_the_one_ssl_cert_dir_names(
    tls_url: str, ca_file: str, tmp_path: Path
) -> None:
    hashed = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", ca_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    directory = tmp_path / "certs"
    directory.mkdir()
    shutil.copy(ca_file, directory / f"{hashed}.0")
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    status, out, err = await aiocurl(tls_url, SSL_CERT_DIR=str(directory), SSL_CERT_FILE=str(empty))
    assert (status, json.loads(out), err) == (0, {"secure": True}, "")

    status, _, err = await aiocurl(tls_url, SSL_CERT_DIR=str(tmp_path), SSL_CERT_FILE=str(empty))
    assert status == 1 and "TLS certificate verification failed" in err


async def test_the_system_store_refuses_an_unknown_ca(tls_url: str) -> None:
    """No SSL_CERT_FILE, SSL_CERT_DIR or --verify: the system's store, which does not know
    the test CA, is loaded when the connection starts, and the certificate is refused."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    executable = shutil.which("aiocurl")
    assert executable is not None
    process = await asyncio.create_subprocess_exec(
        executable,
        tls_url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1 and out == b""
    assert err.decode().startswith(
        f"aiocurl: error: TLS certificate verification failed for {tls_url}"
    )


async def test_verify_path_still_replaces_the_default_store(
    tls_url: str, ca_file: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    status, out, _ = await aiocurl("--verify", ca_file, tls_url, SSL_CERT_FILE=str(other))
    assert (status, json.loads(out)) == (0, {"secure": True})
    status, _, err = await aiocurl("--verify", str(other), tls_url, SSL_CERT_FILE=ca_file)
    assert status == 1 and "TLS certificate verification failed" in err


def test_aiohttps_own_contexts_trust_nothing_and_no_store_is_loaded_before_a_connection(
    tmp_path: Path,
) -> None:
    """Should aiohttp build or name its default contexts another way, this says so: they
    must hold no CA (fail closed), and a plain-http run must not have loaded any store."""
    probe = """
import json, ssl
import aiocurl.transport.send
import aiohttp.connector as connector
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.tls import ssl_setting
ours = ssl_setting(TransportPlan())
print(json.dumps({
    "verified": connector._SSL_CONTEXT_VERIFIED.cert_store_stats(),
    "verified_mode": int(connector._SSL_CONTEXT_VERIFIED.verify_mode),
    "ours": ours.cert_store_stats(),
    "ours_mode": int(ours.verify_mode),
    "ours_checks_host": ours.check_hostname,
    "create_default_context_restored": ssl.create_default_context.__module__,
    "paths_restored": "set_default_verify_paths" not in ssl.SSLContext.__dict__,
}))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    found = json.loads(done.stdout)
    assert found["verified"]["x509_ca"] == 0 and found["verified_mode"] == ssl.CERT_REQUIRED
    assert found["ours"]["x509_ca"] == 0  # not loaded until a connection starts
    assert found["ours_mode"] == ssl.CERT_REQUIRED and found["ours_checks_host"] is True
    assert found["create_default_context_restored"] == "ssl" and found["paths_restored"]


def test_the_deferred_store_is_what_create_default_context_loads(
    ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    deferred = DeferredTrustContext()
    assert deferred.get_ca_certs() == []
    deferred.load_trust()
    reference = ssl.create_default_context()
    assert deferred.get_ca_certs() == reference.get_ca_certs() != []
    assert (deferred.verify_mode, deferred.check_hostname) == (
        reference.verify_mode,
        reference.check_hostname,
    )
    assert deferred.minimum_version == reference.minimum_version
    assert deferred.options == reference.options

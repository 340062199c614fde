"""TLS verification and client settings with a test CA (trustme), and an HTTP proxy."""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli


def hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"secure": request.secure})

    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def https_server(ca: trustme.CA, *hostnames: str) -> TestServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*hostnames).configure_cert(context)
    server = TestServer(hello_app(), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    return server


@pytest.fixture
async def tls_url(ca: trustme.CA) -> AsyncIterator[str]:
    server = await https_server(ca, "127.0.0.1")
    yield f"https://127.0.0.1:{server.port}/"
    await server.close()


async def test_unknown_issuer_is_refused_and_says_why(tls_url: str) -> None:
    result = await arun_cli(tls_url)
    assert result.exit_status == 1
    assert result.stderr.startswith(
        f"aiocurl: error: TLS certificate verification failed for {tls_url}"
    )
    assert "unable to get local issuer certificate" in result.stderr


async def test_verify_with_a_ca_bundle(tls_url: str, ca_file: str) -> None:
    result = await arun_cli("--verify", ca_file, tls_url)
    assert json.loads(result.stdout) == {"secure": True}


async def test_verify_no(tls_url: str) -> None:
    result = await arun_cli("--verify", "no", tls_url)
    assert json.loads(result.stdout) == {"secure": True}
    assert result.stderr == "aiocurl: warning: TLS certificates are not verified (--verify no)\n"


async def test_hostname_mismatch(ca: trustme.CA, ca_file: str) -> None:
    server = await https_server(ca, "other.example")
    try:
        result = await arun_cli("--verify", ca_file, f"https://127.0.0.1:{server.port}/")
    finally:
        await server.close()
    assert result.exit_status == 1
    assert "TLS certificate verification failed" in result.stderr
    assert "mismatch" in result.stderr.lower() or "not valid for" in result.stderr


async def test_tls_version_pinning(tls_url: str, ca_file: str) -> None:
    for version in ("tls1.2", "tls1.3"):
        result = await arun_cli("--verify", ca_file, "--ssl", version, tls_url)
        assert result.exit_status == 0, result.stderr


async def client_cert_server(ca: trustme.CA) -> TestServer:
    """An https server that requires a client certificate issued by `ca`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = TestServer(hello_app(), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    return server


async def test_client_certificate(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    server = await client_cert_server(ca)
    client = ca.issue_cert("ada@example.org")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    url = f"https://127.0.0.1:{server.port}/"
    try:
        refused = await arun_cli("--verify", ca_file, url)
        accepted = await arun_cli(
            "--verify", ca_file, "--cert", str(cert), "--cert-key", str(key), url
        )
    finally:
        await server.close()
    assert refused.exit_status == 1 and refused.stderr.startswith("aiocurl: error: ")
    assert json.loads(accepted.stdout) == {"secure": True}


async def test_proxy_gets_the_absolute_url_and_proxy_credentials() -> None:
    seen: dict[str, str] = {}

    async def proxy(request: web.Request) -> web.Response:
        seen["target"] = str(request.url)
        seen["proxy_authorization"] = request.headers.get("Proxy-Authorization", "")
        return web.json_response({"via": "proxy"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    async with TestServer(app, host="127.0.0.1") as server:
        result = await arun_cli(
            "--proxy", f"http://pu:pp@127.0.0.1:{server.port}", "http://origin.test/path?q=1"
        )
    assert json.loads(result.stdout) == {"via": "proxy"}
    assert seen["target"] == "http://origin.test/path?q=1"
    assert seen["proxy_authorization"] == "Basic " + base64.b64encode(b"pu:pp").decode()


async def test_path_as_is(aiohttp_server: object) -> None:
    async def raw_path(request: web.Request) -> web.Response:
        return web.Response(text=request.raw_path)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", raw_path)
    server = await aiohttp_server(app)  # type: ignore[operator]
    base = f"127.0.0.1:{server.port}"
    assert (await arun_cli(f"{base}/a/../b/./c")).stdout == b"/b/c"
    assert (await arun_cli("--path-as-is", f"{base}/a/../b/./c")).stdout == b"/a/../b/./c"


async def test_a_ca_bundle_that_is_not_pem_is_a_clear_error(tls_url: str, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    result = await arun_cli("--verify", str(bogus), tls_url)
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: --verify: cannot load CA certificates from '{bogus}': "
        "it holds no PEM certificates\n"
    )


async def test_expired_certificate_says_so(ca: trustme.CA, ca_file: str) -> None:
    import datetime

    now = datetime.datetime.now(datetime.timezone.utc)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(
        "127.0.0.1",
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    ).configure_cert(context)
    server = TestServer(hello_app(), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    try:
        result = await arun_cli("--verify", ca_file, f"https://127.0.0.1:{server.port}/")
    finally:
        await server.close()
    assert result.exit_status == 1
    assert "TLS certificate verification failed" in result.stderr and "expired" in result.stderr


async def test_encrypted_client_key(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    client = ca.issue_cert("ada@example.org")
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    cert_path, key_path = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert_path))
    key_path.write_bytes(encrypted)
    server = TestServer(hello_app(), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    url = f"https://127.0.0.1:{server.port}/"
    base = ("--verify", ca_file, "--cert", str(cert_path), "--cert-key", str(key_path))
    try:
        with_flag = await arun_cli(*base, "--cert-key-pass", "s3cret", url)
        prompted = await arun_cli(*base, url, stdin_tty=True, password="s3cret")
        refused = await arun_cli(*base, url)
        wrong = await arun_cli(*base, "--cert-key-pass", "nope", url)
    finally:
        await server.close()
    assert json.loads(with_flag.stdout) == {"secure": True}, with_flag.stderr
    assert json.loads(prompted.stdout) == {"secure": True}, prompted.stderr
    assert refused.exit_status == 1 and "the client key is encrypted" in refused.stderr
    assert wrong.exit_status == 1
    assert wrong.stderr == (
        f"aiocurl: error: --cert-key-pass: wrong passphrase for the client key '{key_path}'\n"
    )


@pytest.fixture
def client_files(ca: trustme.CA, tmp_path: Path) -> dict[str, str]:
    """A client certificate, its key, another key, a file with both, and a text file."""
    client, other = ca.issue_cert("ada@example.org"), ca.issue_cert("bob@example.org")
    files = {
        "cert": client.cert_chain_pems[0],
        "key": client.private_key_pem,
        "other_key": other.private_key_pem,
        "both": client.private_key_and_cert_chain_pem,
    }
    paths = {name: str(tmp_path / f"{name}.pem") for name in files}
    for name, blob in files.items():
        blob.write_to_path(paths[name])
    paths["text"] = str(tmp_path / "notes.txt")
    Path(paths["text"]).write_text("not a certificate\n")
    return paths


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--cert", "{text}"), "--cert: '{text}' holds no PEM certificate"),
        (("--cert", "{key}"), "--cert: '{key}' holds no PEM certificate"),
        (
            ("--cert", "{cert}"),
            "--cert: '{cert}' holds no private key; name its file with --cert-key",
        ),
        (
            ("--cert", "{cert}", "--cert-key", "{text}"),
            "--cert-key: '{text}' holds no PEM private key",
        ),
        (
            ("--cert", "{cert}", "--cert-key", "{other_key}"),
            "--cert-key: the private key in '{other_key}' does not belong to the certificate",
        ),
    ],
    ids=["text file", "key as cert", "no key", "text as key", "key of another cert"],
)
async def test_client_certificate_problems_name_the_file(
    tls_url: str, client_files: dict[str, str], flags: tuple[str, ...], message: str
) -> None:
    argv = [flag.format(**client_files) for flag in flags]
    result = await arun_cli(*argv, tls_url)
    assert (result.exit_status, result.stdout) == (1, b"")
    assert result.stderr == f"aiocurl: error: {message.format(**client_files)}\n"


async def test_a_file_with_certificate_and_key_is_enough(
    ca: trustme.CA, ca_file: str, client_files: dict[str, str]
) -> None:
    server = await client_cert_server(ca)
    try:
        result = await arun_cli(
            "--verify", ca_file, "--cert", client_files["both"], f"https://127.0.0.1:{server.port}/"
        )
    finally:
        await server.close()
    assert json.loads(result.stdout) == {"secure": True}, result.stderr


async def test_https_to_a_plain_http_port_says_so() -> None:
    app = web.Application()
    async with TestServer(app, host="127.0.0.1") as server:
        url = f"https://127.0.0.1:{server.port}/"
        result = await arun_cli(url)
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: TLS handshake with {url} failed: "
        "the server did not answer with TLS (is it plain http?)\n"
    )

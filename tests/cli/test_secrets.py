"""No message, hint or warning repeats a secret from the command line, and a server cannot
hand out credentials through a redirect's user info."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, hanging_port, run_cli

SECRET = "S3CRETPW"


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def redirecting() -> AsyncIterator[tuple[str, list[dict[str, str]], dict[str, str]]]:
    """/go redirects to whatever `target["location"]` says; /landing records headers."""
    seen: list[dict[str, str]] = []
    target: dict[str, str] = {}

    async def go(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": target["location"]})

    async def landing(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True})

    async def unavailable(request: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/go", go)
    app.router.add_get("/landing", landing)
    app.router.add_get("/busy", unavailable)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/"), seen, target


def failing_commands(base: str) -> list[list[str]]:
    dead = f"127.0.0.1:{closed_port()}"
    return [
        [f"http://u:{SECRET}@[::1"],
        [f"u:{SECRET}@[::1"],  # no scheme
        [f"u:{SECRET}@exa mple.com"],
        [f"http://u:S3C@{SECRET}@127.0.0.1:99999/"],  # an `@` in the password
        ["-vba", f"u:{SECRET}", f"{dead}/x"],  # inside a cluster of short options
        ["-vbau:" + SECRET, f"{dead}/x"],
        ["--proxy", f"u:{SECRET}@[::1", f"{base}/landing"],
        [f"http://u:{SECRET}@host:1:2/"],
        [f"http://u:{SECRET.replace('P', '%50')}@127.0.0.1:99999/"],
        [f"http://u:{SECRET}@{dead}/x"],
        ["-a", f"u:{SECRET}", f"{dead}/x"],
        [f"--auth=u:{SECRET}", f"{dead}/x"],
        [f"-au:{SECRET}", f"{dead}/x"],
        ["-A", "bearer", "-a", SECRET, f"{dead}/x"],
        [f"{dead}/x", f"Authorization:Bearer {SECRET}"],
        [f"{dead}/x", f"X-Api-Key:{SECRET}", "-v"],
        ["--proxy", f"socks5://u:{SECRET}@h:1", f"{base}/landing"],
        ["--proxy", f"http://u:{SECRET}@", f"{base}/landing"],
        ["--proxy", f"http://u:{SECRET}@{dead}", f"{base}/landing"],
        ["--cert-key-pass", SECRET, "--cert", "/nonexistent.pem", "https://h/"],
        ["-a", f"u:{SECRET}", "--retry", "1", "--retry-delay", "0.01", f"{base}/busy"],
        ["-a", f"u:{SECRET}", "--verify", "no", f"https://{dead}/x"],
        ["-a", f"u:{SECRET}", "-F", f"{base}/go"],  # redirected to an invalid Location
        ["-a", f"u:{SECRET}", "--max-time", "0.3", "h", "a:=NaN"],
    ]


async def test_no_secret_in_any_message(
    redirecting: tuple[str, list[dict[str, str]], dict[str, str]],
) -> None:
    base, _, target = redirecting
    target["location"] = f"http://evil:{SECRET}@bad\\host/"
    for argv in failing_commands(base):
        result = await arun_cli(*argv)
        assert result.stderr.startswith("aiocurl: "), (argv, result.stderr)
        assert SECRET not in result.stderr, (argv, result.stderr)
        assert "unexpected" not in result.stderr, (argv, result.stderr)


async def test_a_timeout_message_keeps_the_secret_out() -> None:
    with hanging_port() as port:
        result = await arun_cli(
            "--connect-timeout", "0.2", f"http://u:{SECRET}@127.0.0.1:{port}/x", "-a", "u:short"
        )
    assert result.exit_status == 2 and SECRET not in result.stderr


def test_short_secrets_are_masked_where_they_stand() -> None:
    result = run_cli("http://u:pw@[::1")
    assert result.stderr.startswith("aiocurl: error: invalid URL 'http://u:***@[::1': ")


async def test_location_userinfo_is_never_sent(
    redirecting: tuple[str, list[dict[str, str]], dict[str, str]],
) -> None:
    base, seen, target = redirecting
    host_port = base.split("//")[1]
    target["location"] = f"http://evil:pw@{host_port}/landing"
    result = await arun_cli("-F", f"{base}/go")
    assert result.exit_status == 0, result.stderr
    assert "Authorization" not in seen[-1]
    # With the user's own credentials the redirect keeps those, never the Location's.
    result = await arun_cli("-F", "-a", "u:p", f"{base}/go")
    assert result.exit_status == 0, result.stderr
    assert seen[-1]["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://bad\\host/x", "contains '\\\\'"),
        ("http://[::1/x", "a '[' that does not enclose an IPv6 address"),
        ("http://h:1:2/", "the port must be a number"),
        ("ftp://h/", "unsupported URL"),
    ],
)
async def test_an_invalid_location_is_a_one_line_error(
    redirecting: tuple[str, list[dict[str, str]], dict[str, str]], location: str, reason: str
) -> None:
    base, _, target = redirecting
    target["location"] = location
    result = await arun_cli("-F", f"{base}/go")
    assert result.exit_status == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("aiocurl: error: ")
    assert "unexpected" not in result.stderr and "redirect" in result.stderr
    assert reason in result.stderr, result.stderr


def test_what_counts_as_a_secret_and_how_it_is_masked() -> None:
    from aiocurl.redact import redact, redact_argv, secrets_in

    argv = ["-a", "ada:hunter22", "http://x:pa55word@h/", "X-Api-Key:k3y-value", "q==v"]
    secrets = secrets_in(argv)
    assert {"hunter22", "pa55word", "k3y-value", "YWRhOmh1bnRlcjIy"} <= secrets  # and Basic
    masked, changed = redact_argv(argv)
    assert changed and masked == ["-a", "ada:***", "http://x:***@h/", "X-Api-Key:***", "q==v"]
    clustered = ["-vba", "u:pw", "-o", "-au:not-a-password", "-qau:pw2", "u:pw3@h/x"]
    assert redact_argv(clustered)[0] == [
        "-vba",
        "u:***",
        "-o",
        "-au:not-a-password",
        "-qau:***",
        "u:***@h/x",
    ]
    assert redact("saw hunter22 and http://a:b@h", secrets) == "saw *** and http://a:***@h"
    assert redact("'u:p@[::1' and http://u:p@q@h/", ()) == "'u:***@[::1' and http://u:***@h/"


async def test_a_download_shows_basic_credentials_masked_on_stderr(
    redirecting: tuple[str, list[dict[str, str]], dict[str, str]], tmp_path: Path
) -> None:
    base, seen, _ = redirecting
    target = tmp_path / "f.json"
    result = await arun_cli("-v", "-d", "-o", str(target), "-a", f"u:{SECRET}", f"{base}/landing")
    assert result.exit_status == 0, result.stderr
    assert seen[-1]["Authorization"] == "Basic " + base64.b64encode(f"u:{SECRET}".encode()).decode()
    assert "Authorization: Basic ***" in result.stderr  # the request head goes to stderr
    assert base64.b64encode(f"u:{SECRET}".encode()).decode() not in result.stderr


async def test_credentials_from_netrc_are_masked_on_stderr_too(
    redirecting: tuple[str, list[dict[str, str]], dict[str, str]], tmp_path: Path
) -> None:
    base, seen, _ = redirecting
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {SECRET}\n")
    target = tmp_path / "f.json"
    result = await arun_cli(
        "-v", "-d", "-o", str(target), f"{base}/landing", env={"NETRC": str(netrc)}
    )
    assert result.exit_status == 0, result.stderr
    token = base64.b64encode(f"bob:{SECRET}".encode()).decode()
    assert seen[-1]["Authorization"] == f"Basic {token}"  # sent, as asked
    assert "Authorization: Basic ***" in result.stderr and token not in result.stderr


@pytest.mark.parametrize(
    "item", ["Authorization:Bearer Topsecret123\nx", "X-Api-Key:Topsecret123\nx"]
)
def test_a_secret_quoted_in_a_message_is_masked_too(item: str) -> None:
    """A message quotes a bad value with its line break as `\\n`: masked all the same."""
    result = run_cli("--offline", "example.org", item)
    assert result.exit_status == 1
    assert "line break" in result.stderr
    assert "Topsecret" not in result.stderr

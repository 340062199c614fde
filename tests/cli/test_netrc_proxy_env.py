"""~/.netrc credentials (per host) and the proxy environment variables."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli

BASIC = "Basic " + base64.b64encode(b"nora:n3trc").decode()


@pytest.fixture
def netrc_file(tmp_path: Path) -> str:
    path = tmp_path / "netrc"
    path.write_text("machine 127.0.0.1 login nora password n3trc\n")
    path.chmod(0o600)
    return str(path)


async def test_netrc_supplies_credentials_for_its_host(echo_url: str, netrc_file: str) -> None:
    result = await arun_cli(f"{echo_url}/basic-auth/nora/n3trc", env={"NETRC": netrc_file})
    assert json.loads(result.stdout) == {"authenticated": True, "user": "nora"}
    ignored = await arun_cli(
        "--ignore-netrc",
        "--check-status",
        f"{echo_url}/basic-auth/nora/n3trc",
        env={"NETRC": netrc_file},
    )
    assert ignored.exit_status == 4


async def test_explicit_auth_wins_over_netrc(echo_url: str, netrc_file: str) -> None:
    result = await arun_cli(
        "-a", "ada:pw", f"{echo_url}/basic-auth/ada/pw", env={"NETRC": netrc_file}
    )
    assert result.exit_status == 0, result.stderr
    assert json.loads(result.stdout)["user"] == "ada"


async def test_netrc_credentials_do_not_follow_a_redirect_to_another_host(
    netrc_file: str,
) -> None:
    seen: list[str | None] = []

    async def landing(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.Response(text="landed")

    other = web.Application()
    other.router.add_get("/", landing)
    async with TestServer(other, host="127.0.0.1") as second:

        async def bounce(request: web.Request) -> web.Response:
            seen.append(request.headers.get("Authorization"))
            raise web.HTTPFound(f"http://localhost:{second.port}/")

        first = web.Application()
        first.router.add_get("/", bounce)
        async with TestServer(first, host="127.0.0.1") as origin:
            result = await arun_cli(
                "-F", f"http://127.0.0.1:{origin.port}/", env={"NETRC": netrc_file}
            )
    assert result.stdout == b"landed"
    assert seen == [BASIC, None]


async def test_proxy_variables_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    targets: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        targets.append(str(request.url))
        return web.Response(text="via proxy")

    async def direct(request: web.Request) -> web.Response:
        return web.Response(text="direct")

    proxy_app, direct_app = web.Application(), web.Application()
    proxy_app.router.add_route("*", "/{tail:.*}", proxy)
    direct_app.router.add_get("/", direct)
    async with (
        TestServer(proxy_app, host="127.0.0.1") as proxy_server,
        TestServer(direct_app, host="127.0.0.1") as direct_server,
    ):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy_server.port}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        # The proxy resolves origin.test, so nothing is looked up here.
        proxied = await arun_cli("http://origin.test/x")
        bypassed = await arun_cli(f"http://127.0.0.1:{direct_server.port}/")
    assert (proxied.stdout, targets) == (b"via proxy", ["http://origin.test/x"])
    assert bypassed.stdout == b"direct"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("http_proxy", "http://u:pw@[bad", "http_proxy is not a usable proxy URL: a '['"),
        ("HTTP_PROXY", "http://127.0.0.1:99999", "HTTP_PROXY is not a usable proxy URL: the port"),
        ("http_proxy", "http://a b:1", "contains ' '"),
        ("all_proxy", "ftp://127.0.0.1:1", "all_proxy names a ftp:// proxy"),
    ],
)
async def test_a_proxy_variable_that_cannot_be_used_is_an_error(
    monkeypatch: pytest.MonkeyPatch, echo_url: str, variable: str, value: str, message: str
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    result = await arun_cli(f"{echo_url}/get")
    assert result.exit_status == 1 and result.stdout == b""  # never sent around the proxy
    assert result.stderr.startswith("aiocurl: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "pw" not in result.stderr

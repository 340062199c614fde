"""Redirects (aiocurl's own loop), authentication and cookies, against real servers."""

from __future__ import annotations

import base64
import json

from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, run_cli


def test_redirects_are_not_followed_by_default(echo_url: str) -> None:
    result = run_cli("-h", f"{echo_url}/redirect/2")
    assert result.exit_status == 0
    assert result.text.startswith("HTTP/1.1 302 Found\r\n")
    assert "Location: /redirect/1" in result.text
    checked = run_cli("--check-status", f"{echo_url}/redirect/2")
    assert checked.exit_status == 3
    assert checked.stderr == "aiocurl: warning: HTTP 302 Found\n"


def test_follow(echo_url: str) -> None:
    result = run_cli("-F", f"{echo_url}/redirect/3")
    assert result.exit_status == 0
    assert json.loads(result.stdout)["url"].endswith("/get")
    absolute = run_cli("--follow", f"{echo_url}/absolute-redirect/2")
    assert json.loads(absolute.stdout)["url"].endswith("/get")


def test_all_prints_each_intermediate_response(echo_url: str) -> None:
    result = run_cli("-F", "--all", "-h", f"{echo_url}/redirect/3")
    assert result.text.count("HTTP/1.1 302 Found") == 3
    assert result.text.count("HTTP/1.1 200 OK") == 1
    verbose = run_cli("-F", "-v", f"{echo_url}/redirect/2")
    assert verbose.text.count("GET /redirect/") == 2 and "GET /get HTTP/1.1" in verbose.text


def test_too_many_redirects_exits_6(echo_url: str) -> None:
    result = run_cli("-F", "--max-redirects", "2", f"{echo_url}/redirect/3")
    assert result.exit_status == 6
    assert result.stderr.startswith("aiocurl: error: too many redirects (more than 2")
    assert run_cli("-F", "--max-redirects", "3", f"{echo_url}/redirect/3").exit_status == 0


def test_303_turns_post_into_get_without_body(echo_url: str) -> None:
    result = run_cli("-F", f"{echo_url}/redirect-to?url=/anything&status_code=303", "a=b")
    body = json.loads(result.stdout)
    assert (body["method"], body["data"], body["json"]) == ("GET", "", None)
    assert "Content-Type" not in dict(body["raw_headers"])


def test_302_turns_put_into_get_but_head_stays_head(echo_url: str) -> None:
    body = json.loads(run_cli("PUT", "-F", f"{echo_url}/redirect-to?url=/anything", "a=b").stdout)
    assert body["method"] == "GET"
    head = run_cli("HEAD", "-F", "-h", f"{echo_url}/redirect-to?url=/anything")
    assert head.exit_status == 0 and "HTTP/1.1 200 OK" in head.text


def test_307_and_308_keep_method_and_body(echo_url: str) -> None:
    for code in (307, 308):
        result = run_cli("-F", f"{echo_url}/redirect-to?url=/anything&status_code={code}", "a=b")
        body = json.loads(result.stdout)
        assert (body["method"], body["json"]) == ("POST", {"a": "b"})


def test_basic_auth(echo_url: str) -> None:
    ok = run_cli("-a", "ada:pw", f"{echo_url}/basic-auth/ada/pw")
    assert json.loads(ok.stdout) == {"authenticated": True, "user": "ada"}
    port = echo_url.rsplit(":", 1)[1]
    in_url = run_cli(f"http://ada:pw@127.0.0.1:{port}/basic-auth/ada/pw")
    assert json.loads(in_url.stdout)["authenticated"] is True
    wrong = run_cli("--check-status", "-a", "ada:nope", f"{echo_url}/basic-auth/ada/pw")
    assert wrong.exit_status == 4
    assert wrong.stderr == "aiocurl: warning: HTTP 401 Unauthorized\n"


def test_password_prompt_on_a_terminal(echo_url: str) -> None:
    result = run_cli("-a", "ada", f"{echo_url}/basic-auth/ada/pw", stdin_tty=True, password="pw")
    assert json.loads(result.stdout)["authenticated"] is True


def test_missing_password_without_a_terminal_is_an_error(echo_url: str) -> None:
    result = run_cli("-a", "ada", f"{echo_url}/basic-auth/ada/pw")
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: -a ada: no password given")


def test_digest_auth(echo_url: str) -> None:
    ok = run_cli("-A", "digest", "-a", "ada:pw", f"{echo_url}/digest-auth/auth/ada/pw")
    assert json.loads(ok.stdout)["authenticated"] is True
    wrong = run_cli(
        "--check-status", "-A", "digest", "-a", "ada:x", f"{echo_url}/digest-auth/auth/ada/pw"
    )
    assert wrong.exit_status == 4


def test_bearer_auth(echo_url: str) -> None:
    result = run_cli("-A", "bearer", "-a", "t0k3n", f"{echo_url}/bearer")
    assert json.loads(result.stdout) == {"authenticated": True, "token": "t0k3n"}


def test_cookies_set_by_a_redirect_are_sent_on(echo_url: str) -> None:
    result = run_cli("-F", f"{echo_url}/cookies/set?flavour=oat&n=1")
    assert json.loads(result.stdout) == {"cookies": {"flavour": "oat", "n": "1"}}


async def test_credentials_stay_with_the_first_origin(echo_url: str) -> None:
    seen: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/landing", record)
    async with TestServer(app, host="127.0.0.1") as other:
        target = str(other.make_url("/landing"))
        result = await arun_cli(
            "-F", "-a", "ada:pw", f"{echo_url}/redirect-to?url={target}", "Cookie:k=v", "X-Keep:1"
        )
    assert result.exit_status == 0, result.stderr
    assert "Authorization" not in seen[0] and "Cookie" not in seen[0]
    assert seen[0]["X-Keep"] == "1"


async def test_same_origin_redirect_keeps_credentials(aiohttp_server: object) -> None:
    async def hop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/landing")

    async def landing(request: web.Request) -> web.Response:
        return web.json_response({"authorization": request.headers.get("Authorization")})

    app = web.Application()
    app.router.add_get("/start", hop)
    app.router.add_get("/landing", landing)
    server = await aiohttp_server(app)  # type: ignore[operator]
    result = await arun_cli("-F", "-a", "ada:pw", str(server.make_url("/start")))
    token = base64.b64encode(b"ada:pw").decode()
    assert json.loads(result.stdout) == {"authorization": f"Basic {token}"}

"""--session and --session-read-only against real servers: cookies set, changed, expired
and deleted across redirects and hosts, the file after each step, HTTPie's format."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, run_cli

SEEN: list[dict[str, Any]] = []


async def cookie_app_handler(request: web.Request) -> web.StreamResponse:
    """Each path does one thing to the cookies; every request is noted in SEEN."""
    SEEN.append({"host": request.host, "path": request.path, "headers": dict(request.headers)})
    response: web.StreamResponse
    path = request.path
    if path == "/login":
        response = web.Response(text="in")
        response.set_cookie("sid", "abc")
        response.set_cookie("theme", "dark", max_age=3600)
    elif path == "/change":
        response = web.Response(text="changed")
        response.set_cookie("sid", "def")
    elif path == "/logout":
        response = web.Response(text="out")
        response.headers.add("Set-Cookie", "sid=; Max-Age=0; Path=/")
        response.headers.add("Set-Cookie", "theme=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")
    elif path == "/hop1":  # a chain that sets `hop` on both hops, `last` on the second
        response = web.Response(status=302, headers={"Location": "/hop2"})
        response.set_cookie("hop", "1")
    elif path == "/hop2":
        response = web.Response(text="end")
        response.set_cookie("hop", "2")
        response.set_cookie("last", "yes")
    elif path == "/elsewhere":  # to another host of the same server
        response = web.Response(status=302, headers={"Location": request.query["to"]})
        response.set_cookie("here", "1")
    elif path == "/domain":
        response = web.Response(text="domain")
        response.set_cookie("wide", "1", domain="site.test")
        response.set_cookie("narrow", "1")
    else:
        response = web.json_response({"cookie": request.headers.get("Cookie")})
    return response


@pytest.fixture
async def cookie_server() -> Any:
    SEEN.clear()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", cookie_app_handler)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


def saved(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def cookie_values(path: Path) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in saved(path)["cookies"]}


def sent_cookie() -> str | None:
    return SEEN[-1]["headers"].get("Cookie")  # type: ignore[no-any-return]


async def test_cookies_set_changed_expired_and_deleted(
    cookie_server: TestServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{cookie_server.port}"
    file = tmp_path / "s.json"
    login = await arun_cli("--session", str(file), f"{base}/login")
    assert login.exit_status == 0, login.stderr
    assert cookie_values(file) == {"sid": "abc", "theme": "dark"}
    theme = next(c for c in saved(file)["cookies"] if c["name"] == "theme")
    sid = next(c for c in saved(file)["cookies"] if c["name"] == "sid")
    assert sid["expires"] is None and sid["domain"] == "127.0.0.1" and sid["path"] == "/"
    assert 3500 < theme["expires"] - __import__("time").time() <= 3600

    await arun_cli("--session", str(file), f"{base}/me")
    assert sorted(sent_cookie().split("; ")) == ["sid=abc", "theme=dark"]  # type: ignore[union-attr]

    await arun_cli("--session", str(file), f"{base}/change")
    assert cookie_values(file) == {"sid": "def", "theme": "dark"}

    await arun_cli("--session", str(file), f"{base}/logout")
    assert cookie_values(file) == {}  # Max-Age=0 and a past Expires both delete
    await arun_cli("--session", str(file), f"{base}/me")
    assert sent_cookie() is None


async def test_expired_cookie_in_the_file_is_not_sent_and_dropped(
    cookie_server: TestServer, tmp_path: Path
) -> None:
    file = tmp_path / "s.json"
    file.write_text(
        json.dumps(
            {
                "cookies": [
                    {
                        "name": "old",
                        "value": "1",
                        "domain": "127.0.0.1",
                        "path": "/",
                        "expires": 1000,
                        "secure": False,
                    },
                    {
                        "name": "new",
                        "value": "2",
                        "domain": "127.0.0.1",
                        "path": "/",
                        "expires": 4102444800,
                        "secure": False,
                    },
                    {
                        "name": "tls",
                        "value": "3",
                        "domain": "127.0.0.1",
                        "path": "/",
                        "expires": None,
                        "secure": True,
                    },
                    {
                        "name": "deep",
                        "value": "4",
                        "domain": "127.0.0.1",
                        "path": "/api",
                        "expires": None,
                        "secure": False,
                    },
                ]
            }
        )
    )
    result = await arun_cli("--session", str(file), f"http://127.0.0.1:{cookie_server.port}/me")
    assert result.exit_status == 0, result.stderr
    assert sent_cookie() == "new=2"  # not expired, not Secure over http, not out of its path
    assert cookie_values(file) == {"new": "2", "tls": "3", "deep": "4"}
    assert next(c for c in saved(file)["cookies"] if c["name"] == "new")["expires"] == 4102444800


async def test_cookies_of_each_redirect_hop_kept_once(
    cookie_server: TestServer, tmp_path: Path
) -> None:
    file = tmp_path / "s.json"
    url = f"http://127.0.0.1:{cookie_server.port}/hop1"
    result = await arun_cli("--session", str(file), "-F", url)
    assert result.exit_status == 0, result.stderr
    assert SEEN[-1]["headers"].get("Cookie") == "hop=1"  # the first hop's cookie, on the second
    names = [cookie["name"] for cookie in saved(file)["cookies"]]
    assert sorted(names) == ["hop", "last"]
    assert cookie_values(file)["hop"] == "2"


async def test_cookies_stay_with_their_host(cookie_server: TestServer, tmp_path: Path) -> None:
    port = cookie_server.port
    resolve = [
        f"--resolve=a.test:{port}:127.0.0.1",
        f"--resolve=b.test:{port}:127.0.0.1",
        f"--resolve=api.site.test:{port}:127.0.0.1",
        f"--resolve=www.site.test:{port}:127.0.0.1",
    ]
    file = tmp_path / "s.json"
    to_b = f"http://b.test:{port}/me"
    result = await arun_cli(
        "--session", str(file), *resolve, "-F", f"http://a.test:{port}/elsewhere?to={to_b}"
    )
    assert result.exit_status == 0, result.stderr
    assert SEEN[-1]["host"] == f"b.test:{port}" and sent_cookie() is None
    await arun_cli("--session", str(file), *resolve, f"http://a.test:{port}/me")
    assert sent_cookie() == "here=1"
    await arun_cli("--session", str(file), *resolve, f"http://b.test:{port}/me")
    assert sent_cookie() is None

    await arun_cli("--session", str(file), *resolve, f"http://api.site.test:{port}/domain")
    domains = {c["name"]: c["domain"] for c in saved(file)["cookies"]}
    assert domains == {"here": "a.test", "wide": ".site.test", "narrow": "api.site.test"}
    await arun_cli("--session", str(file), *resolve, f"http://www.site.test:{port}/me")
    assert sent_cookie() == "wide=1"


async def test_headers_auth_and_cookie_items_are_kept(
    cookie_server: TestServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{cookie_server.port}"
    file = tmp_path / "s.json"
    first = await arun_cli(
        "--session", str(file), "-a", "ada:secret", f"{base}/me",
        "X-Team:blue", "Content-Type:text/plain", "If-None-Match:x", "Range:bytes=0-1",
        "Cookie:flavour=mint; size=2", "a=b",
    )  # fmt: skip
    assert first.exit_status == 0, first.stderr
    assert sorted(sent_cookie().split("; ")) == ["flavour=mint", "size=2"]  # type: ignore[union-attr]
    data = saved(file)
    assert data["headers"] == [{"name": "X-Team", "value": "blue"}]
    assert data["auth"] == {"type": "basic", "raw_auth": "ada:secret"}
    assert cookie_values(file) == {"flavour": "mint", "size": "2"}
    assert os.stat(file).st_mode & 0o777 == 0o600

    await arun_cli("--session", str(file), f"{base}/me", "X-Other:1")
    headers = SEEN[-1]["headers"]
    assert headers["X-Team"] == "blue" and headers["Authorization"].startswith("Basic ")
    assert sorted(sent_cookie().split("; ")) == ["flavour=mint", "size=2"]  # type: ignore[union-attr]
    await arun_cli("--session", str(file), f"{base}/me", "X-Team:red", "X-Other:")
    assert SEEN[-1]["headers"]["X-Team"] == "red" and "X-Other" not in SEEN[-1]["headers"]
    assert saved(file)["headers"] == [{"name": "X-Team", "value": "red"}]


async def test_a_prompted_password_is_stored(cookie_server: TestServer, tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    url = f"http://127.0.0.1:{cookie_server.port}/me"
    result = await arun_cli(
        "--session", str(file), "-a", "ada", url, stdin_tty=True, password="typed"
    )
    assert result.exit_status == 0, result.stderr
    assert saved(file)["auth"] == {"type": "basic", "raw_auth": "ada:typed"}


async def test_read_only_loads_but_never_writes(cookie_server: TestServer, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{cookie_server.port}"
    file = tmp_path / "s.json"
    await arun_cli("--session", str(file), f"{base}/login", "X-Team:blue")
    before = file.read_bytes()
    result = await arun_cli("--session-read-only", str(file), f"{base}/change", "X-New:1")
    assert result.exit_status == 0, result.stderr
    assert SEEN[-1]["headers"]["X-Team"] == "blue" and "sid=abc" in sent_cookie()  # type: ignore[operator]
    assert file.read_bytes() == before
    missing = await arun_cli("--session-read-only", str(tmp_path / "no.json"), f"{base}/me")
    assert missing.exit_status == 1
    assert missing.stderr == (
        f"aiocurl: error: --session-read-only: session file '{tmp_path}/no.json' does not exist\n"
    )


async def test_a_name_is_kept_per_host_in_the_config_dir(
    cookie_server: TestServer, tmp_path: Path
) -> None:
    port = cookie_server.port
    env = {"AIOCURL_CONFIG_DIR": str(tmp_path / "conf")}
    result = await arun_cli("--session", "dev", f"http://127.0.0.1:{port}/login", env=env)
    assert result.exit_status == 0, result.stderr
    file = tmp_path / "conf" / "sessions" / f"127.0.0.1_{port}" / "dev.json"
    assert cookie_values(file) == {"sid": "abc", "theme": "dark"}
    assert stat.S_IMODE(os.stat(file.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    xdg = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "AIOCURL_CONFIG_DIR": ""}
    await arun_cli("--session", "dev", f"http://127.0.0.1:{port}/login", env=xdg)
    assert (tmp_path / "xdg" / "aiocurl" / "sessions" / f"127.0.0.1_{port}" / "dev.json").exists()
    bad = run_cli("--session", "a b", f"http://127.0.0.1:{port}/", env=env)
    assert bad.exit_status == 1 and bad.stderr.startswith("aiocurl: error: --session 'a b': ")


def test_a_corrupt_or_unreadable_file_is_one_line_and_left_alone(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_bytes(b'{"cookies": [')
    result = run_cli("--session", str(file), "http://127.0.0.1:9/")
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: session file '{file}' is not valid JSON (line 1: Expecting value)\n"
    )
    assert file.read_bytes() == b'{"cookies": ['
    wrong = tmp_path / "w.json"
    wrong.write_text('{"headers": 3}')
    result = run_cli("--session", str(wrong), "http://127.0.0.1:9/")
    assert result.stderr == (
        f"aiocurl: error: session file '{wrong}': 'headers' is neither a list nor an object\n"
    )
    (tmp_path / "d.json").mkdir()
    result = run_cli("--session", str(tmp_path / "d.json"), "http://127.0.0.1:9/")
    assert result.stderr == f"aiocurl: error: session file '{tmp_path}/d.json' is a directory\n"


def test_httpie_older_layouts_are_read(echo_url: str, tmp_path: Path) -> None:
    file = tmp_path / "old.json"
    file.write_text(
        json.dumps(
            {
                "headers": {"X-Old": "1"},
                "cookies": {"k": {"value": "v", "domain": "127.0.0.1", "path": "/"}},
                "auth": {"type": "basic", "username": "u", "password": "p"},
            }
        )
    )
    result = run_cli("--session-read-only", str(file), f"{echo_url}/anything")
    assert result.exit_status == 0, result.stderr
    sent = dict(json.loads(result.stdout)["raw_headers"])
    assert sent["X-Old"] == "1" and sent["Cookie"] == "k=v"
    assert sent["Authorization"] == "Basic dTpw"


def test_offline_shows_session_headers_and_writes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_text(json.dumps({"headers": [{"name": "X-Team", "value": "blue"}]}))
    result = run_cli("--offline", "--session", str(file), "http://127.0.0.1:9/", "X-More:1")
    assert result.exit_status == 0 and "X-Team: blue" in result.text
    assert saved(file)["headers"] == [{"name": "X-Team", "value": "blue"}]


def test_not_with_batches_or_load_runs(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    result = run_cli("--session", str(file), "--repeat", "2", "http://127.0.0.1:9/")
    assert result.stderr == "aiocurl: error: --session cannot be used with --repeat or --duration\n"
    lines = tmp_path / "lines"
    lines.write_text("http://127.0.0.1:9/\n")
    result = run_cli("--session-read-only", str(file), "--batch", str(lines))
    assert result.stderr == "aiocurl: error: --session-read-only cannot be used with --batch\n"


async def test_concurrent_writers_never_corrupt_the_file(tmp_path: Path) -> None:
    """Two real processes answered at the same moment: the file is one of their two."""
    arrived: list[asyncio.Event] = [asyncio.Event(), asyncio.Event()]
    both = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        arrived[int(request.query["n"])].set()
        if all(event.is_set() for event in arrived):
            both.set()
        await both.wait()
        response = web.Response(text="ok")
        response.set_cookie(f"c{request.query['n']}", "x" * 2000)
        return response

    aiocurl = shutil.which("aiocurl")
    assert aiocurl is not None
    app = web.Application()
    app.router.add_get("/", handle)
    file = tmp_path / "s.json"
    async with TestServer(app, host="127.0.0.1") as server:
        for _ in range(3):
            env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
            processes = [
                await asyncio.create_subprocess_exec(
                    aiocurl,
                    "--session",
                    str(file),
                    f"http://127.0.0.1:{server.port}/?n={n}",
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=env,
                )
                for n in (0, 1)
            ]
            results = [await process.communicate() for process in processes]
            assert [p.returncode for p in processes] == [0, 0], results
            names = set(cookie_values(file))
            assert names in ({"c0"}, {"c1"}, {"c0", "c1"})  # last writer wins, never half
            for event in (*arrived, both):
                event.clear()
        assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary left


@pytest.mark.skipif(
    importlib.util.find_spec("httpie") is None,
    reason="HTTPie is not installed (pip install httpie) to read and write its session files",
)
async def test_round_trip_through_httpie(cookie_server: TestServer, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{cookie_server.port}"
    file = tmp_path / "s.json"
    ours = await arun_cli("--session", str(file), "-a", "ada:pw", f"{base}/login", "X-Team:blue")
    assert ours.exit_status == 0, ours.stderr
    env = {**os.environ, "HTTPIE_CONFIG_DIR": str(tmp_path / "httpie")}
    httpie = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "httpie", "--ignore-stdin", f"--session={file}", f"{base}/change",
        "X-Other:2", stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    _, err = await httpie.communicate()
    assert httpie.returncode == 0, err
    seen = SEEN[-1]["headers"]
    assert seen["X-Team"] == "blue" and seen["Authorization"] == "Basic YWRhOnB3"
    assert sorted(seen["Cookie"].split("; ")) == ["sid=abc", "theme=dark"]
    # HTTPie's file, read by aiocurl: its change of sid and its new header
    result = await arun_cli("--session-read-only", str(file), f"{base}/me")
    assert result.exit_status == 0, result.stderr
    seen = SEEN[-1]["headers"]
    assert seen["X-Other"] == "2" and seen["Authorization"] == "Basic YWRhOnB3"
    assert sorted(seen["Cookie"].split("; ")) == ["sid=def", "theme=dark"]

"""The routing flags as typed: what each spelling means (request/routes.py, pure), and one
usage line naming the flag for every value that cannot be used, before anything is sent."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys

import pytest
from helpers import run_cli

from aiocurl.request.plan_transport import TransportPlan
from aiocurl.request.routes import (
    ConnectRule,
    ProxyRoute,
    ResolveRule,
    connect_rule,
    proxy_routes,
    resolve_rule,
)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("api.test:443:127.0.0.1", ResolveRule("api.test", 443, ("127.0.0.1",))),
        ("API.test.:443:[::1]", ResolveRule("api.test", 443, ("::1",))),
        ("api.test:127.0.0.1", ResolveRule("api.test", None, ("127.0.0.1",))),  # xh's
        ("api.test:[::1]", ResolveRule("api.test", None, ("::1",))),
        ("api.test:80:10.0.0.1,[::1]", ResolveRule("api.test", 80, ("10.0.0.1", "::1"))),
        ("*:443:127.0.0.1", ResolveRule("*", 443, ("127.0.0.1",))),
        ("bücher.test:1:127.0.0.1", ResolveRule("xn--bcher-kva.test", 1, ("127.0.0.1",))),
    ],
)
def test_resolve_spellings(value: str, rule: ResolveRule) -> None:
    assert resolve_rule(value) == rule


def test_resolve_prefers_an_entry_for_the_port() -> None:
    rules = (
        resolve_rule("*:9.9.9.9"),
        resolve_rule("a.test:1.1.1.1"),
        resolve_rule("a.test:80:[::1]"),
    )
    plan = TransportPlan(resolve=rules)
    assert plan.resolve_rule_for("A.test.", 80) == rules[2]
    assert plan.resolve_rule_for("a.test", 443) == rules[1]
    assert plan.resolve_rule_for("b.test", 443) == rules[0]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("a.test:443:b.test:8443", ConnectRule("a.test", 443, "b.test", 8443)),
        ("::b.test:", ConnectRule(None, None, "b.test", None)),
        ("[::1]:80:[2001:db8::1]:81", ConnectRule("::1", 80, "2001:db8::1", 81)),
        (":443::8443", ConnectRule(None, 443, None, 8443)),
    ],
)
def test_connect_to_spellings(value: str, rule: ConnectRule) -> None:
    assert connect_rule(value) == rule


def test_connect_to_first_match_and_empty_targets() -> None:
    plan = TransportPlan(connect_to=(connect_rule("a.test::b.test:"), connect_rule("::c.test:9")))
    assert plan.connect_target("a.test", 443) == ("b.test", 443)
    assert plan.connect_target("x.test", 80) == ("c.test", 9)
    assert TransportPlan().connect_target("x.test", 80) == ("x.test", 80)


def test_proxy_spellings_and_which_scheme_uses_which() -> None:
    routes = proxy_routes(
        (
            "p.test:3128",
            "https:socks5h://u:pw@[::1]",
            "http:socks4a://s.test:1081",
            "https:http://last.test:3128",
        )
    )
    assert routes[0] == ProxyRoute("http://p.test:3128", "p.test", 3128)
    assert routes[1] == ProxyRoute("socks5h://[::1]:1080", "::1", 1080, "u", "pw", "https")
    assert (routes[2].kind, routes[2].remote_dns, routes[2].scheme) == ("socks4a", True, "http")
    assert TransportPlan(proxies=routes).proxy_for_scheme("https") == routes[3]  # the last
    assert TransportPlan(proxies=routes).proxy_for_scheme("http") == routes[2]  # not for all
    assert TransportPlan(proxies=routes[:1]).proxy_for_scheme("https") == routes[0]
    assert TransportPlan(proxies=routes[1:2]).proxy_for_scheme("http") is None  # environment's


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--resolve", "api.test"], "--resolve: expected HOST:PORT:ADDR or HOST:ADDR, got"),
        (["--resolve", "api.test:443:nope"], "(ADDR: IP addresses, IPv6 in brackets"),
        (["--resolve", "api.test:0:127.0.0.1"], "--resolve: the port must be a number from 1"),
        (["--resolve", "127.0.0.1:80:10.0.0.1"], "--resolve: 127.0.0.1 is an address already"),
        (["--resolve", "a b:80:10.0.0.1"], "--resolve: bad host 'a b'"),
        (["--connect-to", "a.test:443:b.test"], "--connect-to: expected HOST1:PORT1:HOST2:PORT2"),
        (["--connect-to", "a.test:99999:b.test:1"], "--connect-to: the port must be a number"),
        (["--connect-to", "[nope]:1:b:2"], "--connect-to: [nope] is not an IPv6 address"),
        (["--connect-to", "u@a:1:b:2"], "--connect-to: bad host 'u@a'"),
        (["-4", "-6"], "-4/--ipv4 and -6/--ipv6 exclude each other"),
        (["--interface", "eth0"], "--interface: expected a local IP address, got 'eth0'"),
        (["-4", "--interface", "::1"], "--interface ::1 is not an IPv4 address (-4)"),
        (["--proxy", "ftp://p:1"], "--proxy: expected an http://, https://, socks4://, socks4a"),
        (["--proxy", "https:http://u:pw@"], "--proxy: invalid proxy URL 'http://u:***@': no host"),
        (["--proxy", "socks5h://p:1/path"], "a SOCKS proxy URL has no path"),
        (["--proxy", "socks5://u@p:1"], "a SOCKS5 proxy needs both a user and a password"),
        (["--proxy", "socks5://ü:pw@p:1"], "SOCKS credentials must be ASCII"),
    ],
)
def test_a_value_that_cannot_be_used_is_one_usage_line(argv: list[str], message: str) -> None:
    result = run_cli(*argv, "--offline", "example.org")
    assert result.exit_status == 1 and result.stdout == b""
    assert result.stderr.startswith("aiocurl: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr


def imported(argv: list[str]) -> list[str]:
    """Which of the routing modules `aiocurl ARGV` imported, in a fresh process."""
    probe = (
        "import sys\nfrom aiocurl.cli.main import main\n"
        f"main({argv!r})\n"
        "names = ('aiohttp', 'python_socks', 'aiocurl.request.routes', 'rich')\n"
        "print(sorted(m for m in names if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return ast.literal_eval(done.stderr.strip().splitlines()[-1])


def test_offline_shows_the_request_of_the_url_and_imports_no_aiohttp() -> None:
    argv = [
        "--offline", "--resolve", "api.test:443:127.0.0.1", "--connect-to", "::b.test:1",
        "-6", "--proxy", "https:socks5h://p:1080", "https://api.test/x",
    ]  # fmt: skip
    assert run_cli(*argv).stdout.startswith(b"GET /x HTTP/1.1\r\nHost: api.test\r\n")
    assert imported(argv) == ["aiocurl.request.routes"]


def test_socks_support_is_imported_only_for_a_socks_proxy(echo_url: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
        socks = imported(["--proxy", f"socks5://127.0.0.1:{dead}", f"{echo_url}/get"])
    assert imported([f"{echo_url}/get"]) == ["aiohttp"]
    assert socks == ["aiocurl.request.routes", "aiohttp", "python_socks"]

"""Input a user can type that cannot be sent: one line in aiocurl's words, nothing sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import Result, arun_cli, run_cli


def one_line(result: Result, *fragments: str) -> None:
    assert result.exit_status == 1, result.stderr
    assert result.stderr.startswith("aiocurl: error: ") and result.stderr.count("\n") == 1
    assert "unexpected" not in result.stderr and "Errno" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
async def counting() -> AsyncIterator[tuple[str, list[str]]]:
    """A server that notes every request it receives."""
    seen: list[str] = []

    async def note(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", note)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/x")), seen


@pytest.mark.parametrize(
    ("item", "name"),
    [(r"foo\:bar:baz", "'foo:bar'"), ("Fü:x", "'Fü'"), ("a(b:x", "'a(b'"), ("a/b:x", "'a/b'")],
)
async def test_header_names_must_be_tokens(
    counting: tuple[str, list[str]], item: str, name: str
) -> None:
    url, seen = counting
    one_line(await arun_cli(url, item), f"{name} is not a valid header name")
    assert seen == []


@pytest.mark.parametrize("item", ["X:a\x1bb", "X:\x00", "X:a\x7f"])
async def test_header_values_without_control_characters(
    counting: tuple[str, list[str]], item: str
) -> None:
    url, seen = counting
    one_line(await arun_cli(url, item), "a header value cannot contain the control character")
    assert seen == []


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ("n:=NaN", "'n:=NaN': NaN is not a JSON value"),
        ("n:=Infinity", "Infinity is not a JSON value"),
        ("n:=-Infinity", "-Infinity is not a JSON value"),
        ("n:=1e400", "'n:=1e400': 1e400 is too large for a JSON number"),
        ('n:=[1, {"x": -1e999}]', "-1e999 is too large"),
    ],
)
async def test_non_finite_numbers_are_refused(
    counting: tuple[str, list[str]], item: str, fragment: str
) -> None:
    url, seen = counting
    one_line(await arun_cli(url, item), fragment)
    assert seen == []


def test_large_finite_numbers_still_go_out_as_json() -> None:
    result = run_cli("--offline", "--print", "B", "h", "n:=1e308", "m:=12345678901234567890")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.endswith(b'{"n": 1e+308, "m": 12345678901234567890}')


@pytest.mark.parametrize(
    "argv",
    [
        ["-a", "u\udcff:p"],
        ["-A", "bearer", "-a", "tok\udcffen"],
        ["--boundary", "b\udcff"],
        ["--proxy", "http://p\udcff:1"],
        ["--ciphers", "A\udcffB"],
        ["--default-scheme", "ht\udcfftp"],
        ["--response-mime", "text/\udcff"],
        ["--secret-header", "X-\udcff"],
    ],
)
async def test_flag_values_that_are_not_text(
    counting: tuple[str, list[str]], argv: list[str]
) -> None:
    url, seen = counting
    result = await arun_cli(*argv, url)
    one_line(result, f"{argv[-2]}", "is not UTF-8 text")
    assert "\\udcff" not in result.stderr and "\\xff" not in result.stderr  # no value echoed
    assert seen == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "a '[' that does not enclose an IPv6 address"),
        ("http://[zz]:80/", "a '[' that does not enclose an IPv6 address"),
        ("host:1:2", "the port must be a number from 1 to 65535, got '1:2'"),
        ("host:99999", "got '99999'"),
        ("http://a\x01b/", "contains '\\x01'"),
        ("http://a b/", "contains ' '"),
        ("http://h/a\x00b", "NUL"),
        ("http://bad\\host/", "contains '\\\\'"),
        ("ftp://h/", "unsupported scheme 'ftp'"),
    ],
)
def test_urls_that_cannot_be_sent(url: str, reason: str) -> None:
    one_line(run_cli(url), "invalid URL", reason)


def test_no_arguments_give_the_short_usage() -> None:
    result = run_cli()
    one_line(result, "missing URL", "usage: aiocurl [OPTIONS] [METHOD] URL", "--help")
    assert "Options:" not in result.stderr


@pytest.mark.parametrize("value", ["inf", "1e309", "nan", "-1", "0"])
def test_seconds_must_be_finite_and_positive(value: str) -> None:
    for flag in ("--timeout", "--max-time", "--connect-timeout", "--retry-delay", "--ws-wait"):
        one_line(run_cli(flag, value, "h"), f"{flag}: expected a number of seconds > 0")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--multipart", "--boundary", "a\nb", "a=b"], "invalid multipart boundary 'a\\nb'"),
        (["--multipart", "--boundary", "x" * 71, "a=b"], "invalid multipart boundary"),
        (["--multipart", "--boundary", "ends ", "a=b"], "invalid multipart boundary"),
        (["POST", "Content-Length:abc", "a=b"], "Content-Length must be a number of bytes"),
    ],
)
async def test_bodies_that_cannot_be_framed(
    counting: tuple[str, list[str]], argv: list[str], fragment: str
) -> None:
    url, seen = counting
    method = [argv.pop(0)] if argv[0] == "POST" else []
    one_line(await arun_cli(*method, url, *argv), fragment)
    assert seen == []


def test_a_boundary_with_a_space_is_quoted_in_the_header(echo_url: str) -> None:
    result = run_cli("-b", "--multipart", "--boundary", "a b", f"{echo_url}/post", "x=1")
    assert result.exit_status == 0, result.stderr
    import json

    body = json.loads(result.stdout)
    assert body["headers"]["Content-Type"] == 'multipart/form-data; boundary="a b"'
    assert body["form"] == {"x": "1"}


def test_raw_bytes_are_sent_as_typed() -> None:
    result = run_cli("--offline", "--print", "B", "--raw", "caf\udce9", "POST", "h")
    assert result.exit_status == 0, result.stderr
    assert result.stdout == b"caf\xe9"


@pytest.mark.parametrize("host", ["a..b", "a" * 64 + ".com", ".x"])
def test_host_names_with_bad_labels(host: str) -> None:
    one_line(run_cli(f"http://{host}/"), "invalid URL", "has an empty or too long part")


@pytest.mark.parametrize(
    ("proxy", "fragment"),
    [
        ("http://[::1", "a '[' that does not enclose an IPv6 address"),
        ("http://h:99999", "the port must be a number from 1 to 65535"),
        ("http://u:pw@h:1:2", "invalid proxy URL 'http://u:***@h:1:2'"),
        ("ftp://h:1", "expected an http://, https://, socks4://, socks4a://, socks5:// or"),
    ],
)
def test_proxy_urls_that_cannot_be_used(proxy: str, fragment: str) -> None:
    one_line(run_cli("--proxy", proxy, "h"), "--proxy: ", fragment)


@pytest.mark.parametrize("flag", ["--max-headers", "--max-header-size", "--ws-max-size"])
def test_limits_beyond_what_aiohttp_can_hold(flag: str) -> None:
    one_line(run_cli(flag, "99999999999999999999", "h"), f"{flag}: ", "is not in the range")


@pytest.mark.parametrize("argv", [["-o", ""], ["-d", "-o", ""], ["--output="]])
async def test_an_empty_output_name(counting: tuple[str, list[str]], argv: list[str]) -> None:
    url, seen = counting
    one_line(await arun_cli(*argv, "POST", url, "a=b"), "--output: the file name is empty")
    assert seen == []

"""URL shorthands and normalisation."""

from __future__ import annotations

import pytest

from aiocurl.errors import UsageError
from aiocurl.redact import redact_url
from aiocurl.request.urls import (
    expand_shorthand,
    host_header,
    origin,
    prepare_url,
    remove_dot_segments,
)


@pytest.mark.parametrize(
    ("raw", "expanded"),
    [
        (":3000/x", "http://localhost:3000/x"),
        (":3000", "http://localhost:3000"),
        (":/x", "http://localhost/x"),
        (":", "http://localhost"),
        ("://example.org/x", "http://example.org/x"),
        ("example.org/x", "http://example.org/x"),
        ("localhost:8080", "http://localhost:8080"),
        ("https://example.org", "https://example.org"),
        ("HTTP://example.org", "HTTP://example.org"),
    ],
)
def test_expand_shorthand(raw: str, expanded: str) -> None:
    assert expand_shorthand(raw) == expanded


def test_default_scheme() -> None:
    assert expand_shorthand("example.org", "https") == "https://example.org"
    assert expand_shorthand(":8443/x", "https") == "https://localhost:8443/x"


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("example.org", "http://example.org/"),
        ("Example.ORG/Path", "http://example.org/Path"),
        ("example.org/a/./b/../c", "http://example.org/a/c"),
        ("example.org/a b?q=x y", "http://example.org/a%20b?q=x%20y"),
        ("example.org/%7Euser", "http://example.org/%7Euser"),
        ("example.org/x#frag", "http://example.org/x"),
        ("[::1]:8080/x", "http://[::1]:8080/x"),
        ("bücher.example/", "http://xn--bcher-kva.example/"),
    ],
)
def test_prepare_url(raw: str, url: str) -> None:
    assert prepare_url(raw).url == url


def test_path_as_is_keeps_dot_segments() -> None:
    assert prepare_url("h/a/../b/./c", path_as_is=True).url == "http://h/a/../b/./c"


def test_query_items_follow_the_urls_own_query_and_repeat() -> None:
    target = prepare_url("h/s?a=1", query=[("q", "x y"), ("q", "z&w")])
    assert target.url == "http://h/s?a=1&q=x+y&q=z%26w"


def test_credentials_are_split_off() -> None:
    target = prepare_url("http://ada:p%40ss@h/x")
    assert (target.url, target.username, target.password) == ("http://h/x", "ada", "p@ss")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://h:99999/", "invalid URL"),
        ("http://h:port/", "invalid URL"),
        ("ftp://h/", "unsupported scheme 'ftp'"),
        ("http:///path", "no host"),
    ],
)
def test_invalid_urls(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        prepare_url(raw)


@pytest.mark.parametrize(
    ("path", "resolved"),
    [("/a/b/../c", "/a/c"), ("/a/./b/.", "/a/b/"), ("/../a", "/a"), ("/a/..", "/"), ("/", "/")],
)
def test_remove_dot_segments(path: str, resolved: str) -> None:
    assert remove_dot_segments(path) == resolved


def test_origin_and_host_header() -> None:
    assert origin("http://H:80/x") == origin("http://h/y") == ("http", "h", 80)
    assert origin("https://h/") != origin("http://h/")
    assert host_header("http://h:80/x") == "h"
    assert host_header("http://127.0.0.1:8080/x") == "127.0.0.1:8080"


def test_redact_url() -> None:
    assert redact_url("http://u:secret@h/x") == "http://u:***@h/x"
    assert redact_url("http://h/x") == "http://h/x"
    assert (
        redact_url("see http://u:p@[::1 and ws://a:b@c/")
        == "see http://u:***@[::1 and ws://a:***@c/"
    )

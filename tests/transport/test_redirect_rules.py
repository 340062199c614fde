"""The redirect rules as a pure function: method changes and credentials left behind."""

from __future__ import annotations

import pytest

from aiocurl.errors import RequestError
from aiocurl.request.body import RequestBody
from aiocurl.request.plan import Auth
from aiocurl.transport.redirects import Hop, is_secret, next_hop

HEADERS = (
    ("Authorization", "Basic x"),
    ("Cookie", "a=b"),
    ("X-Api-Key", "k"),
    ("Session-Token", "t"),
    ("Content-Type", "application/json"),
    ("Accept", "*/*"),
)


def hop(url: str = "https://h/a", method: str = "POST") -> Hop:
    return Hop(method, url, HEADERS, frozenset(), RequestBody.of(b"{}"), Auth("digest", "u", "p"))


def names(result: Hop) -> list[str]:
    return [name for name, _ in result.headers]


def test_same_origin_keeps_everything() -> None:
    result, dropped = next_hop(hop(), 307, "/b", "https://h/a")
    assert (result.url, names(result), dropped) == ("https://h/b", [n for n, _ in HEADERS], [])
    assert result.method == "POST" and result.body is not None and result.digest is not None


def test_another_origin_drops_credentials() -> None:
    result, dropped = next_hop(hop(), 307, "https://other/b", "https://h/a")
    assert names(result) == ["Content-Type", "Accept"]
    assert dropped == [
        "Authorization",
        "Cookie",
        "X-Api-Key",
        "Session-Token",
        "digest credentials",
    ]
    assert result.digest is None


@pytest.mark.parametrize("location", ["http://h/b", "http://h:443/b"])
def test_https_to_http_drops_credentials_even_on_the_same_host(location: str) -> None:
    result, dropped = next_hop(hop(), 302, location, "https://h/a")
    assert "Authorization" in dropped and "Authorization" not in names(result)


def test_location_trusted_keeps_credentials() -> None:
    result, dropped = next_hop(hop(), 302, "https://other/b", "https://h/a", trusted=True)
    assert dropped == [] and "Authorization" in names(result)


def test_303_becomes_get_without_body_or_body_headers() -> None:
    result, _ = next_hop(hop(), 303, "/b", "https://h/a")
    assert (result.method, result.body) == ("GET", None)
    assert "Content-Type" not in names(result)


def test_redirect_to_a_non_http_url_is_refused() -> None:
    with pytest.raises(RequestError, match="unsupported URL 'ftp://x/'"):
        next_hop(hop(), 302, "ftp://x/", "https://h/a")


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("proxy-authorization", True),
        ("X-Api-Key", True),
        ("GitHub-Token", True),
        ("Stripe-Secret", True),
        ("Deploy-Key", True),
        ("Accept", False),
        ("X-Request-Id", False),
        ("Keyboard", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret(name) is secret
    assert is_secret("X-Custom", frozenset({"x-custom"}))

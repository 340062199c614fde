"""The shell's state as pure values: where `cd` goes, a line's URL, kept items."""

from __future__ import annotations

import re

import pytest

from aiocurl.errors import UsageError
from aiocurl.request.shell_state import (
    RequestLine,
    ShellState,
    merged_items,
    request_line,
    resolved_path,
)

BASE = "http://api.test/v2"


@pytest.mark.parametrize(
    ("current", "path", "expected"),
    [
        ("", "/users", "/users"),
        ("/users", "7", "/users/7"),
        ("/users/7", "..", "/users"),
        ("/users", "../../..", ""),  # never above the base
        ("/users", "/", ""),
        ("/users", "./a/./b/", "/users/a/b/"),
        ("/users", "/orders/", "/orders/"),
        ("", ".", ""),
    ],
)
def test_paths_resolve_like_a_file_system_under_the_base(
    current: str, path: str, expected: str
) -> None:
    assert resolved_path(current, path) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (None, f"{BASE}/users"),
        (".", f"{BASE}/users"),
        ("/orders", f"{BASE}/orders"),
        ("7", f"{BASE}/users/7"),
        ("7?full=1", f"{BASE}/users/7?full=1"),
        ("/search?q=a&b=c", f"{BASE}/search?q=a&b=c"),
        ("https://other.test/x", "https://other.test/x"),
        (":8080/x", ":8080/x"),  # the single command's shorthand, read as it reads it
    ],
)
def test_a_line_path_becomes_a_url(word: str | None, expected: str) -> None:
    state = ShellState(base=BASE, path="/users")
    assert state.url_for(word) == expected


def test_cd_to_a_url_makes_a_new_base() -> None:
    state = ShellState(base=BASE, path="/users")
    state.cd("https://other.test/api")
    assert (state.base, state.path, state.location) == (
        "https://other.test/api",
        "",
        "https://other.test/api",
    )
    state.cd(":9000")
    assert state.location == "http://localhost:9000"
    state.cd("x")
    assert state.location == "http://localhost:9000/x"
    state.cd(None)
    assert state.location == "http://localhost:9000"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://[::1", "a '[' that does not enclose an IPv6 address"),
        ("ftp://files.test/", "unsupported scheme 'ftp'"),
        ("http://api.test:99999/", "port"),
    ],
)
def test_cd_to_a_url_no_request_could_use_is_refused(target: str, reason: str) -> None:
    state = ShellState(base=BASE, path="/users")
    with pytest.raises(UsageError, match=re.escape(reason)):
        state.cd(target)
    assert state.location == f"{BASE}/users"  # where it was


def test_without_a_base_only_urls_will_do() -> None:
    state = ShellState()
    assert state.location is None
    assert state.url_for("example.org/x") == "example.org/x"
    with pytest.raises(UsageError, match="no URL"):
        state.url_for(None)
    with pytest.raises(UsageError, match="no base URL"):
        state.cd("users")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], RequestLine(None, None, [])),
        (["get"], RequestLine("GET", None, [])),
        (
            ["post", "/users", "name=ada", "age:=36"],
            RequestLine("POST", "/users", ["name=ada", "age:=36"]),
        ),
        (["Delete", "7"], RequestLine("DELETE", "7", [])),
        (["PURGE", "/cache"], RequestLine("PURGE", "/cache", [])),
        (["name=ada"], RequestLine(None, None, ["name=ada"])),
        (["X-Trace:1"], RequestLine(None, None, ["X-Trace:1"])),
        (["users", "a==1"], RequestLine(None, "users", ["a==1"])),
        (["get", "/users?x=1"], RequestLine("GET", "/users?x=1", [])),
        (["get", "https://h.test/a", "A:1"], RequestLine("GET", "https://h.test/a", ["A:1"])),
    ],
)
def test_a_line_is_method_path_and_items(words: list[str], expected: RequestLine) -> None:
    assert request_line(words) == expected


def test_items_of_the_same_name_replace_the_kept_ones() -> None:
    kept = ["X-Trace:1", "page==2", "name=ada", "Accept:*/*"]
    given = ["x-trace:2", "name:=3", "page==4"]
    assert merged_items(kept, given) == ["Accept:*/*", "x-trace:2", "name:=3", "page==4"]


def test_keep_checks_the_kind_and_unset_drops_by_name() -> None:
    state = ShellState(base=BASE)
    state.keep_items(["X-Trace:1"], "header")
    state.keep_items(["page==2"], "query")
    state.keep_items(["name=ada", "tags:=[1]"], "data")
    with pytest.raises(UsageError, match="is not a header item"):
        state.keep_items(["a=1"], "header")
    with pytest.raises(UsageError, match="is not a request item"):
        state.keep_items(["nope"], "data")
    assert state.unset("x-trace:")
    assert not state.unset("X-Trace")
    assert state.unset("tags")
    assert state.items == ["page==2", "name=ada"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (None, "http://api.test/v2/users?key=k"),
        ("/orders", "http://api.test/v2/orders?key=k"),
        ("7?full=1", "http://api.test/v2/users/7?key=k&full=1"),
        ("/?full=1", "http://api.test/v2?key=k&full=1"),
    ],
)
def test_a_base_url_with_a_query_keeps_it_after_the_path(word: str | None, expected: str) -> None:
    state = ShellState(base="http://api.test/v2?key=k#top", path="/users")
    assert state.url_for(word) == expected


def test_a_query_alone_keeps_the_bases_trailing_slash() -> None:
    assert ShellState(base="http://api.test/v2/").url_for("?q=1") == "http://api.test/v2/?q=1"

"""--base-url: a URL argument that starts with / goes after the base, whose path is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from aiocurl.request.urls import join_base_url


@pytest.mark.parametrize(
    ("base", "url", "joined"),
    [
        ("https://api.example/v2", "/users", "https://api.example/v2/users"),
        ("https://api.example/v2/", "/users", "https://api.example/v2/users"),
        ("https://api.example/v2//", "//users", "https://api.example/v2/users"),
        ("https://api.example", "/users", "https://api.example/users"),
        ("https://api.example/", "/", "https://api.example/"),
        ("https://api.example/v2", "/", "https://api.example/v2/"),
        ("https://api.example/v2", "/users/", "https://api.example/v2/users/"),
        ("https://api.example/v2", "/users?page=2", "https://api.example/v2/users?page=2"),
        ("https://api.example/v2?key=k", "/users", "https://api.example/v2/users?key=k"),
        (
            "https://api.example/v2?key=k",
            "/users?page=2#top",
            "https://api.example/v2/users?key=k&page=2",
        ),
        ("https://api.example/v2#frag", "/users", "https://api.example/v2/users"),
        ("api.example/v2", "/users", "http://api.example/v2/users"),
        (":8080/v2", "/users", "http://localhost:8080/v2/users"),
        ("https://ada:pw@api.example:8443/v2", "/u", "https://ada:pw@api.example:8443/v2/u"),
    ],
)
def test_joining(base: str, url: str, joined: str) -> None:
    assert join_base_url(base, url) == joined


def test_a_base_without_a_scheme_gets_the_default_scheme() -> None:
    assert join_base_url("api.example/v2", "/u", "https") == "https://api.example/v2/u"


def request_line(*argv: str) -> str:
    result = run_cli("--offline", *argv)
    assert result.exit_status == 0, result.stderr
    return result.text.splitlines()[0] + " " + result.text.splitlines()[1]


def test_offline_shows_the_joined_url_with_query_items() -> None:
    line = request_line("--base-url", "https://api.example/v2?key=k", "/users", "page==2")
    assert line == "GET /v2/users?key=k&page=2 HTTP/1.1 Host: api.example"


def test_the_default_scheme_applies_to_the_base() -> None:
    result = run_cli(
        "--offline", "--curl", "--default-scheme=https", "--base-url=api.example/v2", "/u"
    )
    assert result.exit_status == 0, result.stderr
    assert "https://api.example/v2/u" in result.text


@pytest.mark.parametrize("url", ["https://other.example/x", ":8080/x", "other.example/x"])
def test_other_urls_ignore_the_base(url: str) -> None:
    line = request_line("--base-url", "https://api.example/v2", url)
    assert line.startswith("GET /x HTTP/1.1") and "api.example" not in line


def test_a_method_and_items_with_a_path() -> None:
    result = run_cli("--offline", "--base-url", "https://api.example/v2", "PUT", "/u/1", "a=b")
    assert result.exit_status == 0, result.stderr
    assert result.text.startswith("PUT /v2/u/1 HTTP/1.1")
    assert result.text.endswith('{"a": "b"}')


def test_a_path_without_a_base_is_an_error() -> None:
    result = run_cli("--offline", "/users")
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: invalid URL '/users': a path alone needs --base-url to go after\n"
    )


def test_a_bad_base_is_named_in_the_error() -> None:
    result = run_cli("--offline", "--base-url", "ftp://files.example", "/x")
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: invalid URL 'ftp://files.example/x': unsupported scheme 'ftp'\n"
    )


def test_verbose_shows_what_arrived(echo_url: str) -> None:
    result = run_cli("-v", "--print=Hb", "--base-url", f"{echo_url}/anything/v2/", "/users", "a==1")
    assert result.exit_status == 0, result.stderr
    head, _, body = result.text.partition("\r\n\r\n")
    assert head.startswith("GET /anything/v2/users?a=1 HTTP/1.1")
    assert json.loads(body)["url"].endswith("/anything/v2/users?a=1")


def test_each_batch_line_joins_the_base(echo_url: str, tmp_path: Path) -> None:
    batch = tmp_path / "lines"
    batch.write_text("/anything/a?n=1\nPOST /anything/b x=1\n/get\n")
    result = run_cli("--base-url", echo_url, "--batch", str(batch), "--ordered", "--batch-body")
    assert result.exit_status == 0, result.stderr
    records = [json.loads(line) for line in result.text.splitlines()]
    urls = [record["url"] for record in records]
    assert urls == [f"{echo_url}/anything/a?n=1", f"{echo_url}/anything/b", f"{echo_url}/get"]


def test_a_base_url_from_the_config(echo_url: str, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"default_options": [f"--base-url={echo_url}"]})
    )
    result = run_cli("--print=b", "/get", "q==1", env={"AIOCURL_CONFIG_DIR": str(tmp_path)})
    assert result.exit_status == 0, result.stderr
    assert json.loads(result.stdout)["args"] == {"q": "1"}

"""What the shell remembers of responses: the URLs that answered, where Location points,
the links of JSON bodies on the same origin, header names; bounded."""

from __future__ import annotations

import json

from aiocurl.render.shell_memory import COMMON_HEADERS, ShellMemory, usual_case

BASE = "http://127.0.0.1:8080"
JSON = [("Content-Type", "application/json")]


def test_the_answering_url_is_remembered_without_its_query() -> None:
    memory = ShellMemory()
    memory.note_response(f"{BASE}/users?page=2#top", [], None)
    memory.note_response(f"{BASE}", [], None)
    assert memory.urls() == [f"{BASE}/", f"{BASE}/users"]


def test_location_relative_and_absolute_is_resolved_against_the_url() -> None:
    memory = ShellMemory()
    memory.note_response(f"{BASE}/users/", [("Location", "42")], None)
    memory.note_response(f"{BASE}/users", [("location", "/users/43#frag")], None)
    memory.note_response(
        f"{BASE}/login", [("Location", "https://accounts.example/sso?next=%2F")], None
    )
    memory.note_response(f"{BASE}/a/b", [("Content-Location", "../c.json")], None)
    assert memory.urls() == [
        f"{BASE}/a/b",
        f"{BASE}/c.json",
        f"{BASE}/login",
        "https://accounts.example/sso?next=%2F",  # where a redirect went, any origin
        f"{BASE}/users",
        f"{BASE}/users/43",
        f"{BASE}/users/",
        f"{BASE}/users/42",
    ]


def test_a_location_that_is_no_http_url_is_ignored() -> None:
    memory = ShellMemory()
    memory.note_response(f"{BASE}/x", [("Location", "mailto:ada@example.org")], None)
    memory.note_response(f"{BASE}/x", [("Location", "  ")], None)
    memory.note_response(f"{BASE}/x", [("Location", "http://[::1/broken")], None)
    assert memory.urls() == [f"{BASE}/x"]


def test_links_of_a_json_body_nested_anywhere() -> None:
    body = {
        "data": [
            {"id": 1, "url": f"{BASE}/users/1", "name": "ada"},
            {"id": 2, "links": {"self": "/users/2", "avatar": "/users/2/avatar.png#x"}},
        ],
        "paging": {"next": "/users?page=2", "prev": None},
        "note": "see /docs for more",  # prose with a slash: not a link
        "ratio": "1/2",
        "cdn": "//cdn.example/x.js",  # protocol-relative: another host
        "elsewhere": "https://api.other.example/users/3",
        "same_host_other_port": "http://127.0.0.1:9999/users/4",
        "other_scheme": "https://127.0.0.1:8080/users/5",
        "default_port": "http://127.0.0.1:8080/users/6",
    }
    memory = ShellMemory()
    memory.note_response(f"{BASE}/users", JSON, json.dumps(body).encode())
    assert memory.urls() == [
        f"{BASE}/users",
        f"{BASE}/users/1",
        f"{BASE}/users/2",
        f"{BASE}/users/2/avatar.png",
        f"{BASE}/users?page=2",  # a link keeps its query: the API made it
        f"{BASE}/users/6",
    ]


def test_a_default_port_is_the_same_origin() -> None:
    memory = ShellMemory()
    body = json.dumps(["http://example.test:80/a", "https://example.test/b", "/c"]).encode()
    memory.note_response("http://example.test/", JSON, body)
    assert memory.urls() == [
        "http://example.test/",
        "http://example.test:80/a",
        "http://example.test/c",
    ]


def test_escaped_slashes_and_unicode_in_json_strings() -> None:
    body = rb'{"self": "\/users\/7", "caf\u00e9": "\/caf\u00e9", "bad": "\/x\q"}'
    memory = ShellMemory()
    memory.note_response(f"{BASE}/", JSON, body)
    assert memory.urls() == [f"{BASE}/", f"{BASE}/users/7", f"{BASE}/café"]


def test_a_body_cut_short_still_gives_its_links_before_the_cut() -> None:
    items = [{"href": f"/items/{i}", "pad": "x" * 1000} for i in range(400)]
    body = json.dumps(items).encode()
    assert len(body) > 256 * 1024
    cut = body[: 256 * 1024]  # as the shell gives it
    memory = ShellMemory()
    memory.note_response(f"{BASE}/items", JSON, cut)
    urls = memory.urls()
    assert urls[:3] == [f"{BASE}/items", f"{BASE}/items/0", f"{BASE}/items/1"]
    assert len(urls) == 1 + cut.count(b'"href"')
    # More than 256 KiB given: only the first 256 KiB is read.
    memory = ShellMemory()
    memory.note_response(f"{BASE}/items", JSON, body)
    assert len(memory.urls()) == len(urls)


def test_a_body_that_is_not_json_text_gives_nothing() -> None:
    memory = ShellMemory()
    memory.note_response(f"{BASE}/", JSON, b"\xff\xfe not json at all /x")
    memory.note_response(f"{BASE}/", JSON, b"")
    assert memory.urls() == [f"{BASE}/"]


def test_seen_again_is_most_recent_and_never_twice() -> None:
    memory = ShellMemory()
    memory.note_response(f"{BASE}/a", [], None)
    memory.note_response(f"{BASE}/b", [], json.dumps(["/a", "/a", "/c"]).encode())
    memory.note_response(f"{BASE}/c", [], None)
    assert memory.urls() == [f"{BASE}/c", f"{BASE}/b", f"{BASE}/a"]


def test_the_memory_is_bounded() -> None:
    memory = ShellMemory()
    for i in range(300):
        links = json.dumps([f"/users/{i}/posts", f"/users/{i}/likes"]).encode()
        memory.note_response(f"{BASE}/users/{i}", JSON, links)
    urls = memory.urls()
    assert len(urls) == 500
    assert urls[:3] == [f"{BASE}/users/299", f"{BASE}/users/299/posts", f"{BASE}/users/299/likes"]
    assert f"{BASE}/users/0" not in urls  # the oldest went first
    assert len(set(urls)) == 500


def test_a_huge_body_cannot_fill_the_memory_past_its_bound() -> None:
    memory = ShellMemory(max_urls=10)
    memory.note_response(f"{BASE}/", JSON, json.dumps([f"/n/{i}" for i in range(50)]).encode())
    assert memory.urls() == [f"{BASE}/", *(f"{BASE}/n/{i}" for i in range(9))]


def test_header_names_in_their_usual_case_most_recent_first() -> None:
    memory = ShellMemory()
    memory.note_response(
        f"{BASE}/",
        [
            ("content-type", "application/json"),
            ("x-request-id", "abc"),
            ("X-RateLimit-Remaining", "9"),
            ("Set-Cookie", "sid=1"),  # a response's alone: not offered for a request
            ("Content-Length", "2"),
            ("Access-Control-Allow-Origin", "*"),
            ("ETag", '"v1"'),
        ],
        None,
    )
    memory.note_response(f"{BASE}/", [("X-Trace", "1"), ("Content-Type", "text/plain")], None)
    assert memory.header_names() == [
        "Content-Type",
        "X-Trace",
        "X-RateLimit-Remaining",
        "X-Request-ID",
    ]


def test_header_names_are_bounded() -> None:
    memory = ShellMemory(max_header_names=3)
    memory.note_response(f"{BASE}/", [(f"X-H{i}", "1") for i in range(10)], None)
    assert memory.header_names() == ["X-H9", "X-H8", "X-H7"]


def test_usual_case() -> None:
    assert usual_case("x-api-key") == "X-API-Key"  # a common one's spelling
    assert usual_case("x-custom-thing") == "X-Custom-Thing"
    assert usual_case("X-CUSTOM") == "X-CUSTOM"  # as the server spelt it


def test_a_url_that_is_not_http_teaches_nothing() -> None:
    memory = ShellMemory()
    memory.note_response("ftp://127.0.0.1/x", [("X-A", "1")], b'["/y"]')
    memory.note_response("http://127.0.0.1:99999/x", [], b'["/y"]')
    assert memory.urls() == []


def test_the_common_headers() -> None:
    assert {"Accept", "Authorization", "Content-Type", "Cookie", "If-None-Match"} <= set(
        COMMON_HEADERS
    )
    assert len({name.lower() for name in COMMON_HEADERS}) == len(COMMON_HEADERS)

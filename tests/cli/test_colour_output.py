"""Coloured bodies keep their own line endings, so the section after them starts where it
would without colour."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
JSON = "application/json"


async def document(request: web.Request) -> web.Response:
    return web.Response(body=b'{"final": 2}\n', content_type=JSON)


async def page(request: web.Request) -> web.Response:
    return web.Response(body=b"<p>final</p>\n", content_type="text/html")


async def moved(request: web.Request) -> web.Response:
    """A redirect with a body of the same kind as its target's."""
    target = request.query.get("to", "/document")
    body = b'{"hop": 1}\n' if target == "/document" else b"<p>hop</p>\n"
    content_type = JSON if target == "/document" else "text/html"
    return web.Response(
        status=302, body=body, content_type=content_type, headers={"Location": target}
    )


@pytest.fixture
async def url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/document", document)
    app.router.add_get("/page", page)
    app.router.add_get("/moved", moved)
    async with TestServer(app, host="127.0.0.1") as server:
        yield f"http://127.0.0.1:{server.port}"


async def test_meta_after_a_coloured_body_is_set_apart_by_a_blank_line(url: str) -> None:
    result = await arun_cli("--pretty=colors", "-b", "--meta", f"{url}/document")
    assert ANSI.search(result.text), "expected colour codes"
    text = ANSI.sub("", result.text)
    assert re.fullmatch(
        r'\{"final": 2\}\n\nElapsed time: \d+\.\d{6}s\nRemote address: 127\.0\.0\.1:\d+\n'
        r"(?:[A-Z][a-zA-Z ]+: [^\n]+\n){6}",  # the phases, one line each
        text,
    ), text


async def test_all_sets_coloured_bodies_apart_by_a_blank_line(url: str) -> None:
    result = await arun_cli("--pretty=colors", "-b", "--all", "--follow", f"{url}/moved")
    assert ANSI.search(result.text), "expected colour codes"
    assert ANSI.sub("", result.text) == '{"hop": 1}\n\n{"final": 2}\n'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/moved", '{\n    "hop": 1\n}\n\n{\n    "final": 2\n}\n'),  # reformatted
        ("/moved?to=/page", "<p>hop</p>\n\n<p>final</p>\n"),  # highlighted as it is
    ],
)
async def test_terminal_output_differs_from_no_color_only_by_colour(
    url: str, path: str, expected: str
) -> None:
    args = ("-b", "--all", "--follow", f"{url}{path}")
    coloured = await arun_cli(*args, tty=True)
    plain = await arun_cli(*args, tty=True, env={"NO_COLOR": "1"})
    assert ANSI.search(coloured.text), "expected colour codes"
    assert plain.text == expected
    assert ANSI.sub("", coloured.text) == expected

"""Response helpers shared by the echo handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web


def dump_json(data: Any) -> str:
    """Pretty JSON ending in a newline, so it reads well in a terminal and in `curl` output."""
    # ensure_ascii=False: non-ASCII header values and bodies stay readable, not \u-escaped.
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def json_response(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """An application/json response (utf-8) with pretty-printed `data`."""
    return web.Response(
        text=dump_json(data), status=status, headers=headers, content_type="application/json"
    )


def bad_request(reason: str) -> web.Response:
    """A 400 whose JSON body says what was wrong with the request."""
    return json_response({"error": reason}, status=400)

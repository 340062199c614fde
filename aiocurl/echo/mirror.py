"""Endpoints that describe the request they received."""

from __future__ import annotations

import asyncio
import json
import math

from aiohttp import web

from .describe import basic_description, full_description, header_dict, raw_header_pairs
from .respond import bad_request, json_response

MAX_DELAY = 10.0
MAX_STREAM_LINES = 100  # httpbin's cap


async def get(request: web.Request) -> web.Response:
    return json_response(basic_description(request))


async def anything(request: web.Request) -> web.Response:
    """/post, /put, /patch, /delete and /anything: the full description, body included."""
    return json_response(await full_description(request))


async def headers(request: web.Request) -> web.Response:
    description = {"headers": header_dict(request), "raw_headers": raw_header_pairs(request)}
    return json_response(description)


async def ip(request: web.Request) -> web.Response:
    return json_response({"origin": request.remote or ""})


async def user_agent(request: web.Request) -> web.Response:
    return json_response({"user-agent": request.headers.get("User-Agent")})


async def delay(request: web.Request) -> web.Response:
    try:
        seconds = float(request.match_info["s"])
    except ValueError:
        return bad_request("delay must be a number of seconds")
    if not math.isfinite(seconds) or seconds < 0:
        return bad_request("delay must be a non-negative number of seconds")
    await asyncio.sleep(min(seconds, MAX_DELAY))
    return json_response(await full_description(request))


async def stream(request: web.Request) -> web.StreamResponse:
    try:
        lines = int(request.match_info["n"])
    except ValueError:
        return bad_request("n must be an integer")
    if lines < 0:
        return bad_request("n must not be negative")
    response = web.StreamResponse()
    response.content_type = "application/json"
    await response.prepare(request)
    description = basic_description(request)
    for line_id in range(min(lines, MAX_STREAM_LINES)):
        # One compact object per line and one write per line, so clients see real chunks.
        line = json.dumps({**description, "id": line_id}, ensure_ascii=False) + "\n"
        await response.write(line.encode("utf-8"))
    await response.write_eof()
    return response

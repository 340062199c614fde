"""Live streams for --stream: Server-Sent Events and newline-delimited JSON."""

from __future__ import annotations

import json
import time

from aiohttp import web

from .params import BadParam, optional_int, query_flag, query_int, query_seconds, reports_bad_params
from .sending import send_paced

MAX_COUNT = 1000
MAX_INTERVAL = 10.0
DEFAULT_COUNT = 3
DEFAULT_INTERVAL = 1.0


def sse_event(
    index: int, now: float, *, event: str | None, retry: int | None, multiline: bool
) -> str:
    """One event: id, optional event and retry (first event only), data, blank line."""
    lines = [f"id: {index}"]
    if event is not None:
        lines.append(f"event: {event}")
    if retry is not None and index == 0:
        lines.append(f"retry: {retry}")
    message = {"id": index, "time": now, "message": f"event {index}"}
    lines.append(f"data: {json.dumps(message)}")
    if multiline and index > 0:
        # Several data lines make one value joined by "\n": parsers must handle that.
        lines += ["data: line one", "data: line two"]
    return "\n".join(lines) + "\n\n"


def event_name(request: web.Request) -> str | None:
    name = request.query.get("event")
    if name is not None and ("\n" in name or "\r" in name):
        raise BadParam("event must be a single line")  # it would forge extra fields
    return name or None


def count_and_interval(request: web.Request) -> tuple[int, float]:
    count = min(query_int(request, "count", DEFAULT_COUNT), MAX_COUNT)
    interval = query_seconds(request, "interval", DEFAULT_INTERVAL, cap=MAX_INTERVAL)
    return count, interval


def stream_response(content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Cache-Control": "no-cache"})
    response.content_type = content_type
    return response


@reports_bad_params
async def sse(request: web.Request) -> web.StreamResponse:
    count, interval = count_and_interval(request)
    event = event_name(request)
    retry = optional_int(request, "retry")
    multiline = query_flag(request, "multiline")

    def render(index: int) -> bytes:
        text = sse_event(index, time.time(), event=event, retry=retry, multiline=multiline)
        return text.encode("utf-8")

    response = stream_response("text/event-stream")
    await response.prepare(request)
    return await send_paced(request, response, render, count, interval)


def ndjson_record(index: int) -> bytes:
    return (json.dumps({"id": index, "message": f"record {index}"}) + "\n").encode("utf-8")


@reports_bad_params
async def ndjson(request: web.Request) -> web.StreamResponse:
    count, interval = count_and_interval(request)
    response = stream_response("application/x-ndjson")
    await response.prepare(request)
    return await send_paced(request, response, ndjson_record, count, interval)

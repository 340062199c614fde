"""/range/{n}: a resumable resource of n deterministic bytes (Range, If-Range, 206, 416)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from aiohttp import web

from .generate import BLOCK, random_range, rechunk
from .params import (
    BadParam,
    optional_int,
    path_int,
    query_chunk_size,
    query_flag,
    query_int,
    reports_bad_params,
)
from .sending import send_body

MAX_SIZE = 1024 * 1024 * 1024
# Fixed, so a client can send it back in If-Range and have it match.
LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"
RANGE_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")
ETAG_CHARS = re.compile(r"[\x21\x23-\x7e]*")  # RFC 9110 etagc, minus obs-text


@dataclass(frozen=True)
class Selection:
    """What to answer: 200 with everything, 206 with [start, stop), or 416."""

    status: int
    start: int
    stop: int


def parse_range(header: str) -> tuple[int | None, int | None] | None:
    """(first, last) of a single `bytes=` range; None if it is not one we honour.

    Several ranges are answered with the whole resource, which RFC 9110 allows, rather than
    with multipart/byteranges.
    """
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = RANGE_SPEC.fullmatch(spec)
    if match is None or not (match[1] or match[2]):
        return None
    first = int(match[1]) if match[1] else None
    last = int(match[2]) if match[2] else None
    if first is not None and last is not None and last < first:
        return None  # invalid, so ignored
    return first, last


def resolve(first: int | None, last: int | None, size: int) -> Selection:
    """The 206 for a parsed range over `size` bytes, or a 416 if no byte of it exists."""
    unsatisfiable = Selection(416, 0, 0)
    if first is None:  # bytes=-N: the last N bytes
        if not last or not size:
            return unsatisfiable
        return Selection(206, max(size - last, 0), size)
    if first >= size:
        return unsatisfiable
    stop = size if last is None else min(last + 1, size)
    return Selection(206, first, stop)


def same_date(given: str, expected: str) -> bool:
    try:
        return parsedate_to_datetime(given) == parsedate_to_datetime(expected)
    except (TypeError, ValueError):
        return False


def if_range_holds(value: str, etag: str) -> bool:
    """RFC 9110 §13.1.5: the strong ETag, or exactly the Last-Modified date, still matches."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == etag  # strong comparison: a weak tag never matches
    return same_date(value, LAST_MODIFIED)


def select(request: web.Request, size: int, etag: str, honour_ranges: bool) -> Selection:
    everything = Selection(200, 0, size)
    header = request.headers.get("Range")
    # Range is defined for GET only (RFC 9110 §14.2); HEAD describes the whole resource.
    if header is None or not honour_ranges or request.method != "GET":
        return everything
    if_range = request.headers.get("If-Range")
    if if_range is not None and not if_range_holds(if_range, etag):
        return everything  # the client's copy is stale: start again from byte 0
    parsed = parse_range(header)
    return everything if parsed is None else resolve(*parsed, size)


def etag_for(request: web.Request, size: int, seed: int) -> str:
    tag = request.query.get("etag", f"range-{size}-{seed}")
    if ETAG_CHARS.fullmatch(tag) is None:
        raise BadParam("etag must be visible ASCII without double quotes")
    return f'"{tag}"'


@reports_bad_params
async def range_resource(request: web.Request) -> web.StreamResponse:
    size = min(path_int(request, "n"), MAX_SIZE)
    seed = query_int(request, "seed", 0, minimum=None)
    write_size = query_chunk_size(request, BLOCK)
    cut = optional_int(request, "cut")
    etag = etag_for(request, size, seed)
    # ignore_range plays a server without range support: no Accept-Ranges, always 200.
    honour_ranges = not query_flag(request, "ignore_range")
    headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
    if honour_ranges:
        headers["Accept-Ranges"] = "bytes"
    chosen = select(request, size, etag, honour_ranges)
    if chosen.status == 416:
        headers["Content-Range"] = f"bytes */{size}"
        return web.Response(status=416, headers=headers)
    if chosen.status == 206:
        headers["Content-Range"] = f"bytes {chosen.start}-{chosen.stop - 1}/{size}"
    response = web.StreamResponse(status=chosen.status, headers=headers)
    response.content_type = "application/octet-stream"
    response.content_length = chosen.stop - chosen.start
    await response.prepare(request)
    if request.method == "HEAD":
        await response.write_eof()
        return response
    body = rechunk(random_range(seed, size, chosen.start, chosen.stop), write_size)
    return await send_body(request, response, body, cut)

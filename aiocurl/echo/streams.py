"""Bodies that arrive over time: /stream-bytes in chunks and /drip trickled out."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .content import MAX_BYTES  # the same cap as /bytes
from .generate import random_range, rechunk
from .params import (
    BadParam,
    optional_int,
    path_int,
    query_chunk_size,
    query_int,
    query_seconds,
    reports_bad_params,
)
from .sending import send_body, send_paced

DEFAULT_CHUNK = 10240
MAX_DRIP_SECONDS = 10.0
MAX_DRIP_BYTES = 10 * 1024 * 1024  # httpbin's cap
# Past this many bytes, /drip writes groups rather than single bytes: a timer per byte of a
# 10 MiB drip would be all overhead.
MAX_DRIP_WRITES = 1000


@reports_bad_params
async def stream_bytes(request: web.Request) -> web.StreamResponse:
    """n bytes of random.Random(seed).randbytes(n), chunked, one write per chunk_size."""
    count = min(path_int(request, "n"), MAX_BYTES)
    seed = query_int(request, "seed", 0, minimum=None)
    size = query_chunk_size(request, DEFAULT_CHUNK)
    cut = optional_int(request, "cut")
    response = web.StreamResponse()
    response.content_type = "application/octet-stream"
    # No content_length: on HTTP/1.1 aiohttp then sends Transfer-Encoding: chunked.
    await response.prepare(request)
    return await send_body(
        request, response, rechunk(random_range(seed, count, 0, count), size), cut
    )


def drip_status(request: web.Request) -> int:
    code = query_int(request, "code", 200)
    if not 200 <= code <= 599 or code in (204, 304):
        raise BadParam("code must be a status from 200 to 599 that allows a body (not 204, 304)")
    return code


def group_sizes(total: int, groups: int) -> list[int]:
    """`total` split into `groups` sizes that differ by at most one."""
    base, extra = divmod(total, groups)
    return [base + 1 if index < extra else base for index in range(groups)]


@reports_bad_params
async def drip(request: web.Request) -> web.StreamResponse:
    """httpbin's /drip: after `delay`, numbytes `*`s spread evenly over `duration` seconds."""
    numbytes = min(query_int(request, "numbytes", 10), MAX_DRIP_BYTES)
    duration = query_seconds(request, "duration", 2.0, cap=MAX_DRIP_SECONDS)
    delay = query_seconds(request, "delay", 0.0, cap=MAX_DRIP_SECONDS)
    status = drip_status(request)
    sizes = group_sizes(numbytes, min(numbytes, MAX_DRIP_WRITES)) if numbytes else []
    # The first write goes out at once and the last at `duration`, as with httpbin.
    interval = duration / (len(sizes) - 1) if len(sizes) > 1 else 0.0
    await asyncio.sleep(delay)  # before the status line, as httpbin does
    response = web.StreamResponse(status=status)
    response.content_type = "application/octet-stream"
    response.content_length = numbytes
    await response.prepare(request)
    return await send_paced(request, response, lambda i: b"*" * sizes[i], len(sizes), interval)

"""Endpoints that serve fixed or generated content: documents, compression, bytes, index."""

from __future__ import annotations

import gzip
import random
import sys
import zlib

from aiohttp import web

from . import samples
from .describe import basic_description
from .generate import random_range
from .params import optional_int, path_int, query_int, reports_bad_params
from .respond import dump_json, json_response
from .sending import send_body

MAX_BYTES = 100 * 1024 * 1024


async def index(request: web.Request) -> web.Response:
    return web.Response(text=samples.INDEX, content_type="text/plain")


async def json_document(request: web.Request) -> web.Response:
    return json_response(samples.SLIDESHOW)


async def html_document(request: web.Request) -> web.Response:
    return web.Response(text=samples.HTML, content_type="text/html")


async def xml_document(request: web.Request) -> web.Response:
    return web.Response(text=samples.XML, content_type="application/xml")


async def utf8_document(request: web.Request) -> web.Response:
    return web.Response(text=samples.UTF8, content_type="text/html")


def encoded_json(body: bytes, encoding: str) -> web.Response:
    # Compressed by hand so the bytes on the wire do not depend on aiohttp's compression setup.
    return web.Response(
        body=body,
        headers={"Content-Encoding": encoding},
        content_type="application/json",
        charset="utf-8",
    )


def flagged_description(request: web.Request, flag: str) -> bytes:
    """httpbin's /gzip body: a flag plus the request's headers, method and origin."""
    description = basic_description(request)
    description.pop("args")
    description.pop("url")
    return dump_json({flag: True, **description, "method": request.method}).encode("utf-8")


async def gzipped(request: web.Request) -> web.Response:
    body = gzip.compress(flagged_description(request, "gzipped"))
    return encoded_json(body, "gzip")


async def deflated(request: web.Request) -> web.Response:
    # HTTP "deflate" is the zlib format (RFC 1950), not raw deflate.
    body = zlib.compress(flagged_description(request, "deflated"))
    return encoded_json(body, "deflate")


async def brotli_encoded(request: web.Request) -> web.Response:
    import brotli  # type: ignore[import-untyped]  # a dependency, for aiocurl's decoding

    body = brotli.compress(flagged_description(request, "brotli"))
    return encoded_json(body, "br")


async def zstd_encoded(request: web.Request) -> web.Response:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd
    body = zstd.compress(flagged_description(request, "zstd"))
    return encoded_json(body, "zstd")


@reports_bad_params
async def random_bytes(request: web.Request) -> web.StreamResponse:
    count = min(path_int(request, "n"), MAX_BYTES)
    seed = query_int(request, "seed", 0, minimum=None)
    cut = optional_int(request, "cut")
    if cut is None:
        data = random.Random(seed).randbytes(count)
        return web.Response(body=data, content_type="application/octet-stream")
    # Cut short: the full Content-Length is promised, then fewer bytes arrive.
    response = web.StreamResponse()
    response.content_type = "application/octet-stream"
    response.content_length = count
    await response.prepare(request)
    return await send_body(request, response, random_range(seed, count, 0, count), cut)

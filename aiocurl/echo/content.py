"""Endpoints that serve fixed or generated content: documents, compression, bytes, index."""

from __future__ import annotations

import gzip
import random
import zlib

from aiohttp import web

from . import samples
from .describe import basic_description
from .respond import bad_request, dump_json, json_response

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


async def random_bytes(request: web.Request) -> web.Response:
    try:
        count = int(request.match_info["n"])
        seed = int(request.query.get("seed", "0"))
    except ValueError:
        return bad_request("n and seed must be integers")
    if count < 0:
        return bad_request("n must not be negative")
    data = random.Random(seed).randbytes(min(count, MAX_BYTES))
    return web.Response(body=data, content_type="application/octet-stream")

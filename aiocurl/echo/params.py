"""Reading path and query parameters; a bad one becomes a 400 that names it."""

from __future__ import annotations

import functools
import math

from aiohttp import web
from aiohttp.typedefs import Handler

from .respond import bad_request

MAX_CHUNK = 1024 * 1024  # bounds the memory of one write

FLAG_TRUE = frozenset({"1", "true", "yes", "on"})


class BadParam(ValueError):
    """A parameter the handler cannot use; the message is sent back in the 400 body."""


def reports_bad_params(handler: Handler) -> Handler:
    """Turn a BadParam raised while reading parameters into a 400 response."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadParam as exc:
            return bad_request(str(exc))

    return wrapper


def to_int(name: str, text: str, *, minimum: int | None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadParam(f"{name} must be an integer") from None
    if minimum is not None and value < minimum:
        raise BadParam(f"{name} must be at least {minimum}")
    return value


def path_int(request: web.Request, name: str, *, minimum: int | None = 0) -> int:
    return to_int(name, request.match_info[name], minimum=minimum)


def query_int(request: web.Request, name: str, default: int, *, minimum: int | None = 0) -> int:
    text = request.query.get(name)
    return default if text is None else to_int(name, text, minimum=minimum)


def optional_int(request: web.Request, name: str, *, minimum: int | None = 0) -> int | None:
    text = request.query.get(name)
    return None if text is None else to_int(name, text, minimum=minimum)


def query_seconds(request: web.Request, name: str, default: float, *, cap: float) -> float:
    """A non-negative, finite number of seconds, silently capped like /delay's."""
    text = request.query.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadParam(f"{name} must be a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise BadParam(f"{name} must be a non-negative number of seconds")
    return min(value, cap)


def query_flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").strip().lower() in FLAG_TRUE


def query_chunk_size(request: web.Request, default: int) -> int:
    """?chunk_size=: bytes per write, at least 1, capped at MAX_CHUNK."""
    return min(query_int(request, "chunk_size", default, minimum=1), MAX_CHUNK)

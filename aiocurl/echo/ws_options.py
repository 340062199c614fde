"""/ws query parameters: what the WebSocket conversation does, all checked before the upgrade."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .params import BadParam, optional_int, query_flag, query_int, query_seconds

MAX_PUSHES = 1000
MAX_INTERVAL = 10.0
DEFAULT_INTERVAL = 1.0
# Codes an endpoint must never put in a close frame (RFC 6455 §7.4.1).
RESERVED_CLOSE_CODES = frozenset({1004, 1005, 1006, 1015})
# A control frame's payload is at most 125 bytes, and the code takes two of them.
MAX_REASON_BYTES = 123


@dataclass(frozen=True)
class Close:
    """End with a close frame carrying this code and reason."""

    code: int
    reason: str


@dataclass(frozen=True)
class Drop:
    """End by aborting the TCP connection: no close frame at all."""


Ending = Close | Drop


@dataclass(frozen=True)
class WsOptions:
    protocols: tuple[str, ...] = ()
    pushes: int = 0
    interval: float = DEFAULT_INTERVAL
    ending: Ending | None = None
    after: int = 0  # client messages to receive before the ending
    answer_pings: bool = True
    token: str | None = None  # the Bearer token the handshake requires
    refuse_status: int | None = None


def subprotocols(request: web.Request) -> tuple[str, ...]:
    text = request.query.get("protocols", "")
    return tuple(name for name in (part.strip() for part in text.split(",")) if name)


def close_code(request: web.Request) -> int | None:
    code = optional_int(request, "close", minimum=None)
    if code is not None and (not 1000 <= code <= 4999 or code in RESERVED_CLOSE_CODES):
        raise BadParam("close must be a close code: 1000-4999, not 1004-1006 or 1015")
    return code


def close_reason(request: web.Request) -> str:
    reason = request.query.get("reason", "")
    if len(reason.encode("utf-8")) > MAX_REASON_BYTES:
        raise BadParam(f"reason must be at most {MAX_REASON_BYTES} bytes of UTF-8")
    return reason


def ending(request: web.Request) -> Ending | None:
    code, reason = close_code(request), close_reason(request)
    drop = query_flag(request, "drop")
    if code is not None and drop:
        raise BadParam("close and drop exclude each other")
    if code is None and "reason" in request.query:
        raise BadParam("reason needs close")
    if code is None and not drop and "after" in request.query:
        raise BadParam("after needs close or drop")
    if drop:
        return Drop()
    return None if code is None else Close(code, reason)


def refuse_status(request: web.Request) -> int | None:
    status = optional_int(request, "status", minimum=None)
    if status is not None and not 400 <= status <= 599:
        raise BadParam("status must be a 4xx or 5xx code")
    return status


def required_token(request: web.Request) -> str | None:
    token = request.query.get("auth")
    if token is not None and not token.strip():
        raise BadParam("auth must be a non-empty token")
    return None if token is None else token.strip()


def ws_options(request: web.Request) -> WsOptions:
    """Everything /ws was asked to do; BadParam names the first parameter it cannot use."""
    return WsOptions(
        protocols=subprotocols(request),
        pushes=min(query_int(request, "count", 0), MAX_PUSHES),
        interval=query_seconds(request, "interval", DEFAULT_INTERVAL, cap=MAX_INTERVAL),
        ending=ending(request),
        after=query_int(request, "after", 0),
        answer_pings=not query_flag(request, "no_pong"),
        token=required_token(request),
        refuse_status=refuse_status(request),
    )

"""Where a request's time went: DNS lookup, TCP connect, TLS handshake, sending, waiting
for the server, receiving the body.

Only a single request that asks for phases (--timing, --meta, -vv, --write-out) gets
this tracing: `open_session(timing=True)`. Without it nothing here runs, and `hop_timing`
costs a request one ContextVar lookup, so a load run pays nothing it could measure.

aiohttp's TraceConfig tells the DNS lookup (on_dns_resolvehost_start/end), the making of a
connection (on_connection_create_start/end), the request written (on_request_headers_sent,
then on_request_chunk_sent per body chunk) and the response head received
(on_request_end). It has no signal between TCP and TLS: the TCP connection is made, then
asyncio wraps it with the SSL context (`wrap_bio`) and drives the handshake through the
SSL object's `do_handshake`, all inside connection creation. So `watch_tls` gives the
session's context an SSL object class of its own (`SSLContext.sslobject_class`, which
Python lets an instance override) that notes the first `do_handshake`: TCP ended and TLS
started there, and TLS ended with the connection's creation. The handshake runs in
callbacks scheduled from the request's task, so they see that task's context variables:
`_CLOCK` names the request whose connection it is.

tests/cli/test_timing.py fails should aiohttp or asyncio change this underneath (the TLS
phase missing, or not between the end of TCP and the end of connection creation).
"""

from __future__ import annotations

import ssl
import time
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

import aiohttp

from aiocurl.events import Timing


class HopClock(SimpleNamespace):
    """One request's milestones on the perf_counter clock. aiohttp builds one per request
    as the trace's context (`trace_config_ctx_factory`), in the request's task."""

    def __init__(self, **_trace_request_ctx: Any) -> None:
        super().__init__()
        self.origin = time.perf_counter()
        self.dns_start: float | None = None
        self.dns_end: float | None = None
        self.create_start: float | None = None
        self.create_end: float | None = None
        self.tls_start: float | None = None
        self.sent: float | None = None
        self.head: float | None = None
        self.method, self.url = "", ""  # as sent (on_request_start)
        self.reported = False  # its Timing went out with the response's meta
        _CLOCK.set(self)

    def since(self, moment: float | None) -> float | None:
        return None if moment is None else moment - self.origin

    def timing(self, end: float) -> Timing:
        """The phases so far, the hop ending at `end` (perf_counter)."""
        since = self.since
        tcp_start = self.dns_end if self.dns_end is not None else self.create_start
        tcp_end = self.tls_start if self.tls_start is not None else self.create_end
        return Timing(
            dns_start=since(self.dns_start),
            dns_end=since(self.dns_end),
            connect_start=since(tcp_start) if self.create_start is not None else None,
            connect_end=since(tcp_end),
            tls_start=since(self.tls_start),
            tls_end=since(self.create_end) if self.tls_start is not None else None,
            request_sent=since(self.sent),
            first_byte=since(self.head),
            end=end - self.origin,
        )


# The clock of the request being sent in this task (None: no phases were asked for).
_CLOCK: ContextVar[HopClock | None] = ContextVar("aiocurl_hop_clock", default=None)


def hop_timing(end: float) -> Timing | None:
    """The phases of the request this task just finished, or None when the session does
    not trace them. Called for every request, so: one lookup when there is nothing."""
    clock = _CLOCK.get()
    if clock is None:
        return None
    clock.reported = True
    return clock.timing(end)


def unfinished_hop() -> tuple[str, str, Timing] | None:
    """The method, URL and phases of a request that failed before its response was
    complete (what it reached, ending now); None if every request sent was reported."""
    clock = _CLOCK.get()
    if clock is None or clock.reported:
        return None
    return clock.method, clock.url, clock.timing(time.perf_counter())


def phase_tracer() -> aiohttp.TraceConfig:
    """The trace that notes each milestone on the request's HopClock."""
    tracer = aiohttp.TraceConfig(trace_config_ctx_factory=HopClock)
    tracer.on_request_start.append(_note_request)
    tracer.on_dns_resolvehost_start.append(_note("dns_start"))
    tracer.on_dns_resolvehost_end.append(_note("dns_end"))
    tracer.on_connection_create_start.append(_note("create_start"))
    tracer.on_connection_create_end.append(_note("create_end"))
    tracer.on_request_headers_sent.append(_note("sent"))
    tracer.on_request_chunk_sent.append(_note("sent"))  # the last chunk wins
    tracer.on_request_end.append(_note("head"))
    return tracer


async def _note_request(
    _session: aiohttp.ClientSession,
    clock: SimpleNamespace,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    clock.method, clock.url = params.method, str(params.url)


def _note(milestone: str) -> Any:
    async def note(_session: aiohttp.ClientSession, clock: HopClock, _params: object) -> None:
        setattr(clock, milestone, time.perf_counter())

    return note


def watch_tls(context: ssl.SSLContext) -> None:
    """Make the connections of `context` note when their TLS handshake starts."""
    context.sslobject_class = _TimedSSLObject


class _TimedSSLObject(ssl.SSLObject):
    """An SSL object that notes its first handshake step on the clock of the request whose
    task made the connection."""

    _started = False

    def do_handshake(self) -> None:
        if not self._started:
            self._started = True
            clock = _CLOCK.get()
            if clock is not None and clock.tls_start is None:
                clock.tls_start = time.perf_counter()
        super().do_handshake()

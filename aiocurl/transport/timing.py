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

Runs of many requests (batches, load runs) cannot afford that tracing: it costs a request
about a third more. They count phases from what costs nothing per request instead. Each
worker task holds one `RunClock` (`count_phases`); `_send_hop` already reads the clock at
the start of a hop, when the response head is returned and at the end of the body; and
only a new connection (keep-alive makes them rare) is timed in the connector
(`TimedConnections._create_connection`), its DNS lookup in the resolver (`TimedResolver`)
and its TLS handshake through the same SSL object class. What such a run does not know
is when the request was written: its "server" phase runs from the connection being ready
(or the hop's start, on a reused connection) to the response head.
"""

from __future__ import annotations

import socket
import ssl
import time
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler

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


class RunClock:
    """The connection milestones of one worker of a batch or load run: the last connection
    its requests made, on the perf_counter clock. A request that made none reuses one."""

    __slots__ = ("create_end", "create_start", "dns_end", "dns_start", "tls_start")

    def __init__(self) -> None:
        self.create_start: float | None = None
        self.create_end: float | None = None
        self.dns_start: float | None = None
        self.dns_end: float | None = None
        self.tls_start: float | None = None

    def connecting(self) -> None:
        self.create_start = time.perf_counter()
        self.create_end = self.dns_start = self.dns_end = self.tls_start = None

    def timing(self, started: float, head: float | None, end: float) -> Timing:
        """The phases of a hop that started at `started`: the connection's if it made one
        (a phase cut short by a failure ends at `end`), the head's arrival and the end."""
        first_byte = None if head is None else head - started
        create_start = self.create_start
        if create_start is None or create_start < started:  # a reused connection
            return Timing(first_byte=first_byte, end=end - started)
        dns_start, dns_end, tls_start = self.dns_start, self.dns_end, self.tls_start
        create_end = self.create_end if self.create_end is not None else end
        tcp_start: float | None = dns_end if dns_end is not None else create_start
        if dns_start is not None and dns_end is None:  # the lookup failed
            dns_end, tcp_start = create_end, None
        tcp_end = tls_start if tls_start is not None else create_end
        return Timing(
            dns_start=_offset(dns_start, started),
            dns_end=_offset(dns_end, started),
            connect_start=_offset(tcp_start, started),
            connect_end=_offset(tcp_end, started),
            tls_start=_offset(tls_start, started),
            tls_end=create_end - started if tls_start is not None else None,
            first_byte=first_byte,
            end=end - started,
        )


def _offset(moment: float | None, origin: float) -> float | None:
    return None if moment is None else moment - origin


# The clock of the request being sent in this task (None: no phases were asked for), or
# of the worker of a run that counts phases.
_CLOCK: ContextVar[HopClock | RunClock | None] = ContextVar("aiocurl_hop_clock", default=None)


def count_phases() -> RunClock:
    """Count the phases of the requests this task sends (one call per worker task)."""
    clock = RunClock()
    _CLOCK.set(clock)
    return clock


def hop_timing(started: float, head: float, end: float) -> Timing | None:
    """The phases of the request this task just finished (which started at `started`, got
    its head at `head` and ended at `end`), or None when nothing counts them. Called for
    every request, so: one lookup when there is nothing."""
    clock = _CLOCK.get()
    if clock is None:
        return None
    if type(clock) is RunClock:
        return clock.timing(started, head, end)
    assert isinstance(clock, HopClock)
    clock.reported = True
    return clock.timing(end)


def unfinished_hop() -> tuple[str, str, Timing] | None:
    """The method, URL and phases of a request that failed before its response was
    complete (what it reached, ending now); None if every request sent was reported."""
    clock = _CLOCK.get()
    if not isinstance(clock, HopClock) or clock.reported:
        return None
    return clock.method, clock.url, clock.timing(time.perf_counter())


def reached_phases(started: float) -> Timing | None:
    """In a run that counts phases: what the connection of a request that started at
    `started` and failed just now reached (None when nothing counts them)."""
    clock = _CLOCK.get()
    if type(clock) is not RunClock:
        return None
    return clock.timing(started, None, time.perf_counter())


class TimedResolver(AbstractResolver):
    """A resolver that notes its lookups on the worker's RunClock; aiohttp asks it only
    for a name that is not an address and not in its DNS cache, as its tracing does."""

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        clock = _CLOCK.get()
        if type(clock) is not RunClock:
            return await self._inner.resolve(host, port, family)
        clock.dns_start = time.perf_counter()
        found = await self._inner.resolve(host, port, family)
        clock.dns_end = time.perf_counter()
        return found

    async def close(self) -> None:
        await self._inner.close()


class TimedConnections(aiohttp.BaseConnector):
    """A connector that times the connections it makes (aiohttp calls `_create_connection`
    only for a new one) on the worker's RunClock, and their DNS lookups; put it first
    among a connector's bases. The TLS handshake is noted by `watch_tls`."""

    _resolver: AbstractResolver  # a TCPConnector's; a UnixConnector has none

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resolver = getattr(self, "_resolver", None)
        if isinstance(resolver, AbstractResolver):
            # aiohttp closes the resolver it made, and the connector that gave one closes
            # it itself: the wrapper closes what it wraps, so both still happen.
            self._resolver = TimedResolver(resolver)

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> ResponseHandler:
        clock = _CLOCK.get()
        if type(clock) is not RunClock:
            return await super()._create_connection(req, traces, timeout)
        clock.connecting()
        protocol = await super()._create_connection(req, traces, timeout)
        clock.create_end = time.perf_counter()
        return protocol


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

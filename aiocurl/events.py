"""What the transport reports and the renderers show: plain values, no aiohttp, no rich.

The transport pushes these into a Sink as they happen; the renderer is a Sink. A WebSocket
session also takes what to send from an Outbox, and reports messages to a MessageSink.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from aiocurl.errors import AiocurlError
from aiocurl.request.body import RequestBody

Headers = tuple[tuple[str, str], ...]
RawHeaders = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    url: str
    headers: Headers  # as sent, in order
    body: RequestBody | None
    version: str = "HTTP/1.1"


# Not frozen, and with slots: a load run builds one per request, and a frozen dataclass
# costs it several times as much to build. Nothing changes a head once it is built.
@dataclass(slots=True)
class ResponseHead:
    url: str
    version: str
    status: int
    reason: str
    raw_headers: RawHeaders  # as received: original case and order
    final: bool  # False for a redirect that will be followed
    _headers: Headers | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(
        cls, url: str, version: str, status: int, reason: str, headers: Headers, final: bool
    ) -> ResponseHead:
        """A head from headers given as text."""
        raw = tuple((name.encode("utf-8"), value.encode("utf-8")) for name, value in headers)
        return cls(url, version, status, reason, raw, final)

    @property
    def headers(self) -> Headers:
        """The header lines as text: UTF-8, or Latin-1 for a line that is not UTF-8;
        decoded when first asked for (a load run sends thousands of requests, reads none)."""
        if self._headers is None:
            self._headers = tuple((_text(name), _text(value)) for name, value in self.raw_headers)
        return self._headers

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for n, v in self.headers if n.lower() == lowered), None)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass(slots=True)  # not frozen: a batch or load run builds one per request
class Timing:
    """When each phase of one request happened, in seconds from its start on a monotonic
    clock. None: the phase did not happen (a reused connection has no connect, plain http
    no TLS, an IP address or a name already resolved no DNS lookup) or was not reached.

    A single request that asks for phases gets all of them from aiohttp's tracing
    (transport/timing.py). The cheap ones, `first_byte` and `end`, need no tracing: a run
    of many requests can fill them from its own clock, and the connection's phases for a
    new connection; it leaves `request_sent` None."""

    dns_start: float | None = None
    dns_end: float | None = None
    connect_start: float | None = None  # TCP (to the proxy, if any)
    connect_end: float | None = None
    tls_start: float | None = None
    tls_end: float | None = None
    request_sent: float | None = None  # the last of the request handed to the connection
    first_byte: float | None = None  # the response head has arrived
    end: float | None = None  # the body read to its end, or the request failed

    @property
    def new_connection(self) -> bool:
        return self.connect_start is not None

    @property
    def ready(self) -> float:
        """When the connection was ready for the request: 0 for a reused one."""
        return self.tls_end or self.connect_end or 0.0

    def span(self, start: float | None, end: float | None) -> float | None:
        """A phase's duration, None if it did not end; never negative (a server may answer
        before the last of a request body is sent)."""
        if start is None or end is None:
            return None
        return max(0.0, end - start)

    @property
    def dns(self) -> float | None:
        return self.span(self.dns_start, self.dns_end)

    @property
    def connect(self) -> float | None:
        return self.span(self.connect_start, self.connect_end)

    @property
    def tls(self) -> float | None:
        return self.span(self.tls_start, self.tls_end)

    @property
    def sending(self) -> float | None:
        return self.span(self.ready, self.request_sent)

    @property
    def waiting(self) -> float | None:
        """Server processing: from the request sent to the response head."""
        return self.span(self.request_sent, self.first_byte)

    @property
    def server(self) -> float | None:
        """Until the first byte: from the request sent or, when that is not known (runs of
        many requests), from the connection ready (the hop's start, for a reused one)."""
        sent = self.request_sent
        return self.span(self.ready if sent is None else sent, self.first_byte)

    @property
    def receiving(self) -> float | None:
        """Content transfer: from the response head to the end of the body."""
        return self.span(self.first_byte, self.end) if self.first_byte is not None else None


@dataclass(slots=True)  # one per request, as ResponseHead
class ResponseMeta:
    elapsed: float  # seconds from sending the request to the end of the body
    remote: str | None  # peer address as host:port
    body_size: int
    timing: Timing | None = None  # the phases, when the run asked for them


@dataclass(frozen=True)
class Retry:
    """Another attempt is coming: the `attempt`-th of `retries` retries, after `seconds`."""

    attempt: int
    retries: int
    seconds: float
    reason: str

    @property
    def text(self) -> str:
        return f"retry {self.attempt}/{self.retries} in {self.seconds:.1f} s: {self.reason}"


class Sink(Protocol):
    def request(self, record: RequestRecord) -> None: ...

    def upload_progress(self, sent: int, total: int | None) -> None: ...

    def response_head(self, head: ResponseHead) -> None: ...

    def body_chunk(self, chunk: bytes) -> None: ...

    def response_end(self, meta: ResponseMeta) -> None: ...

    def notice(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def retrying(self, retry: Retry) -> None: ...


class RawTarget(Protocol):
    """A file or pipe that a plain body's bytes may be written to directly, by its file
    descriptor, bypassing `Sink.body_chunk` (transport/raw_body.py).

    A sink that saves a body untouched may offer one: `raw_target()` after `response_head`,
    returning None when the bytes must come through `body_chunk` (a terminal, a body to
    format). The transport reports what it wrote with `raw_written(count)` on the sink
    (RawSink)."""

    def raw_fd(self) -> int:
        """The descriptor to write at: what was buffered is flushed first, and a file that
        is created with its first byte is created now (asked only once bytes are here)."""
        ...

    def write_error(self, error: OSError) -> AiocurlError:
        """The error to report for a write to the descriptor that failed."""
        ...


class RawSink(Sink, Protocol):
    """A sink that may take a plain body's bytes by file descriptor (RawTarget)."""

    def raw_target(self) -> RawTarget | None: ...

    def raw_written(self, count: int) -> None:
        """`count` more bytes of the body went to the raw target: progress, resume state."""
        ...


@dataclass(frozen=True)
class Outgoing:
    """Something to send on a WebSocket: a message, a ping, or a close."""

    kind: str  # text | binary | ping | close
    data: bytes = b""
    code: int = 1000
    reason: str = ""


# Items are sent in order; a list is a batch read at once. An error ends the session: it is
# closed with 1000, then the error is raised. None: no more to send.
Outbox = asyncio.Queue[Outgoing | list[Outgoing] | AiocurlError | None]


class MessageSink(Protocol):
    """Where a WebSocket session's messages are shown."""

    def opened(self, protocol: str | None) -> None: ...

    def message(self, data: str | bytes, *, incoming: bool) -> None: ...

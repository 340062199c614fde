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


@dataclass(slots=True)  # one per request, as ResponseHead
class ResponseMeta:
    elapsed: float  # seconds from sending the request to the end of the body
    remote: str | None  # peer address as host:port
    body_size: int


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

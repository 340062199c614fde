"""What --timing and --write-out report, noted from the events as they pass to the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from aiocurl.events import (
    RawSink,
    RawTarget,
    RequestRecord,
    ResponseHead,
    ResponseMeta,
    Retry,
    Sink,
    Timing,
)


@dataclass(frozen=True)
class Hop:
    """One request of the run and what came of it: its response, or the failure that
    ended it (`head` None, or `meta` None when the body broke off)."""

    method: str
    url: str
    head: ResponseHead | None
    meta: ResponseMeta | None
    timing: Timing | None


class TransferLog:
    """A Sink in front of another: passes every event on, and notes each response's head
    and meta, the request that went out last and the retries. A retry starts the notes
    afresh, as curl reports the last attempt."""

    def __init__(self, inner: Sink, method: str, url: str) -> None:
        self._inner = inner
        self.method, self.url = method, url  # of the request that went out last
        self.uploaded = 0  # body bytes of that request
        self.received = 0  # body bytes of the response arriving (or last arrived)
        self.hops: list[Hop] = []
        self.retries = 0
        self._head: ResponseHead | None = None  # the response whose body is arriving

    def hops_until(self, failure: tuple[str, str, Timing] | None) -> list[Hop]:
        """The hops, with the one a failure interrupted: its method, URL and phases as far
        as they got (transport.timing.unfinished_hop)."""
        if failure is None:
            return list(self.hops)
        method, url, timing = failure
        return [*self.hops, Hop(method, url, self._head, None, timing)]

    # Sink

    def request(self, record: RequestRecord) -> None:
        self.method, self.url = record.method, record.url
        body = record.body
        self.uploaded = (body.length or 0) if body is not None else 0
        self._head = None
        self._inner.request(record)

    def upload_progress(self, sent: int, total: int | None) -> None:
        self.uploaded = sent  # a streamed body (a pipe) has no length until it is sent
        self._inner.upload_progress(sent, total)

    def response_head(self, head: ResponseHead) -> None:
        self._head = head
        self.received = 0
        self._inner.response_head(head)

    def body_chunk(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self._inner.body_chunk(chunk)

    def raw_target(self) -> RawTarget | None:
        """The renderer's, if it has one (events.RawSink)."""
        offer = getattr(self._inner, "raw_target", None)
        return offer() if offer is not None else None

    def raw_written(self, count: int) -> None:
        self.received += count
        cast(RawSink, self._inner).raw_written(count)  # it offered the target

    def response_end(self, meta: ResponseMeta) -> None:
        head, self._head = self._head, None
        hop = Hop(self.method, head.url if head else self.url, head, meta, meta.timing)
        if head is not None and head.final and self.hops and _same_response(self.hops[-1], head):
            self.hops[-1] = hop  # a retried status shown as the answer once retries end
        else:
            self.hops.append(hop)
        self._inner.response_end(meta)

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def warning(self, text: str) -> None:
        self._inner.warning(text)

    def retrying(self, retry: Retry) -> None:
        self.retries += 1
        self.hops.clear()
        self._head = None
        self._inner.retrying(retry)


def _same_response(hop: Hop, head: ResponseHead) -> bool:
    before = hop.head
    return (
        before is not None
        and not before.final
        and before.raw_headers is head.raw_headers
        and before.status == head.status
    )

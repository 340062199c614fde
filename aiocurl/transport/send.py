"""Send a request plan: each hop's head and body go to the sink as they arrive."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

import aiohttp

from aiocurl.errors import AiocurlError, RequestError, TooManyRedirects
from aiocurl.events import RawSink, ResponseHead, ResponseMeta, Sink
from aiocurl.request.body import (
    CHUNK,
    FileSegment,
    RequestBody,
    Segment,
    StreamSegment,
    iter_segment,
    read_some,
)
from aiocurl.request.plan import RequestPlan
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.decoding import DecodeError, decoder_for
from aiocurl.transport.proxy import proxy_for
from aiocurl.transport.redirects import REDIRECT_STATUSES, Hop, first_hop, next_hop
from aiocurl.transport.session import active_sessions, open_session
from aiocurl.transport.timing import hop_timing

if TYPE_CHECKING:  # what a failure needs is imported when one happens (start-up)
    from aiocurl.transport.errors import BodyProgress

# aiohttp's default 64 KiB read buffer caps a download at a third of curl's rate here;
# 1 MiB reaches it. read(n) still returns whatever has arrived, so streams stay live.
READ_CHUNK = 1024 * 1024


async def perform(plan: RequestPlan, sink: Sink) -> ResponseHead:
    """Run the request, its redirects and any retries; return the last head."""
    live = active_sessions()
    if live is not None:  # in the interactive shell: its sessions stay open
        observed = live.observed(sink)
        return await perform_on(live.session_for(plan.transport, observed), plan, observed)
    async with open_session(plan.transport, sink, timing=plan.output.phases) as session:
        return await perform_on(session, plan, sink)


async def perform_on(session: aiohttp.ClientSession, plan: RequestPlan, sink: Sink) -> ResponseHead:
    """The request, its redirects and any retries, on a session that may carry others."""
    if plan.transport.retries:
        from aiocurl.transport.retry import retry_allowed, with_retries

        if retry_allowed(plan):

            async def attempt(retry_on: frozenset[int]) -> ResponseHead:
                return await exchange(session, plan, sink, retry_on)

            return await with_retries(plan, sink, attempt)
    if not plan.transport.follow:  # one hop, whose head is final: exchange's loop, unrolled
        return await _send_hop(session, first_hop(plan.request), plan.transport, sink)
    return await exchange(session, plan, sink, frozenset())


async def exchange(
    session: aiohttp.ClientSession, plan: RequestPlan, sink: Sink, retry_on: frozenset[int]
) -> ResponseHead:
    """One attempt: the request and the redirects it is allowed to follow."""
    settings = plan.transport
    hop = first_hop(plan.request)
    for _ in range(settings.max_redirects + 1):
        head = await _send_hop(session, hop, settings, sink, retry_on)
        if head.final:
            return head
        hop, dropped = next_hop(
            hop,
            head.status,
            head.header("Location") or "",
            plan.request.url,
            trusted=settings.location_trusted,
            secret_headers=settings.secret_headers,
        )
        if dropped:
            sink.notice(f"not sending {', '.join(dropped)} to {hop.url} (another origin)")
    raise TooManyRedirects(
        f"too many redirects (more than {settings.max_redirects}; see --max-redirects)"
        f", last to {hop.url}"
    )


async def _send_hop(
    session: aiohttp.ClientSession,
    hop: Hop,
    settings: TransportPlan,
    sink: Sink,
    retry_on: frozenset[int] = frozenset(),
) -> ResponseHead:
    started = time.perf_counter()
    kept = bytearray()  # the body of a response that will be retried, in case it is not
    size: int | None = None  # body bytes delivered once the body began, for messages
    started_body: aiohttp.ClientResponse | None = None
    url = hop.target
    proxy, proxy_auth = proxy_for(url, settings)
    # A plain-http request goes to the proxy as is, so the credential rides in its
    # headers; aiohttp uses proxy_headers only for the CONNECT of an https tunnel.
    tunnelled = url.scheme == "https"
    data, length_header = body_payload(hop, sink)
    extra = (tuple(proxy_auth.items()) if proxy_auth and not tunnelled else ()) + length_header
    headers = hop.headers + extra if extra else hop.header_dict
    try:
        # Not `async with`: its four extra coroutine layers cost a load run a tenth of
        # aiohttp's own time per request; `finally` below does what its exit does.
        response = await session.request(
            hop.method,
            url,
            headers=headers,
            skip_auto_headers=hop.skip_auto_headers,
            data=data,
            allow_redirects=False,
            proxy=proxy,
            proxy_headers=proxy_auth if tunnelled else None,
            middlewares=_digest(hop),
            trace_request_ctx=hop.trace_context,
            read_bufsize=READ_CHUNK,
        )
        headed = time.perf_counter()  # request() returns once the head has arrived
        unwatch: Callable[[], None] | None = None
        try:
            head = _head(response, hop, follow=settings.follow, retry_on=retry_on)
            remote: str | None = getattr(session.connector, "last_peer", None)
            sink.response_head(head)
            size, started_body = 0, response
            coding = response.headers.get("Content-Encoding") if settings.decompress else None
            decoder = decoder_for(coding)
            content = response.content
            fast = _raw_body(response, head, sink, settings) if not content.is_eof() else None
            if fast is not None:  # the body's bytes go around aiohttp
                size = await fast(hop.url, time_left(settings, started))
            else:
                unwatch = watch_for_lost_connection(response)
            while fast is None and not content.at_eof():  # not iter_chunked: none after the last
                chunk = await content.read(READ_CHUNK)
                for piece in decoder.decode(chunk) if decoder else (chunk,):
                    size = (size or 0) + len(piece)
                    if settings.max_filesize is not None and size > settings.max_filesize:
                        counted = "after decoding" if settings.decompress else "as sent"
                        raise RequestError(
                            f"{hop.url}: the body is larger than --max-filesize "
                            f"{settings.max_filesize} bytes (counted {counted}); stopped"
                        )
                    sink.body_chunk(piece)
                    if response.status in retry_on and len(kept) < IN_MEMORY_LIMIT:
                        kept += piece
            if decoder is not None:
                decoder.finish()
        finally:
            if unwatch is not None:
                unwatch()
            # As `async with` ends a response. A body read to its end has already given
            # the connection back (`closed`); release() would then only cost a load run a
            # twentieth of its time, in an exception made and dropped for every response.
            if not response.closed:
                response.release()
            if hop.body is not None:  # and lets a body still on its way stop
                await response.wait_for_close()
    except AiocurlError:
        raise
    except DecodeError as exc:
        progress = body_progress(started_body, size or 0)
        from aiocurl.transport.errors import decoding_error  # only on failure: start-up

        raise decoding_error(exc, hop.url, progress) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        progress = body_progress(started_body, size or 0)
        from aiocurl.transport.errors import map_error

        raise map_error(exc, hop.url, settings, body=progress) from exc
    ended = time.perf_counter()
    meta = ResponseMeta(ended - started, remote, size or 0, hop_timing(started, headed, ended))
    sink.response_end(meta)
    if head.status in retry_on:
        from aiocurl.transport.retry import RetryableStatus

        raise RetryableStatus(head, bytes(kept), meta)
    return head


RawBody = Callable[[str, "float | None"], Awaitable[int]]


def _raw_body(
    response: aiohttp.ClientResponse, head: ResponseHead, sink: Sink, settings: TransportPlan
) -> RawBody | None:
    """How to move this body around aiohttp (transport/raw_body.py), when it may be: a
    plain body whose bytes the sink saves as they are, to a file or a pipe."""
    if not hasattr(sink, "raw_target"):  # the cheap test first: a load run's sink has none
        return None
    from aiocurl.transport.raw_body import move_body, raw_target_for

    raw_sink = cast("RawSink", sink)
    target = raw_target_for(response, head, raw_sink, settings)
    if target is None:
        return None

    def move(url: str, max_time_left: float | None) -> Awaitable[int]:
        return move_body(
            response, target, raw_sink, url=url, settings=settings, max_time_left=max_time_left
        )

    return move


def time_left(settings: TransportPlan, started: float) -> float | None:
    """What is left of --max-time for this hop (aiohttp counts it per request)."""
    if settings.total_timeout is None:
        return None
    return settings.total_timeout - (time.perf_counter() - started)


def watch_for_lost_connection(response: aiohttp.ClientResponse) -> Callable[[], None] | None:
    """While the body is read, make a read fail, not wait forever, when the connection is
    lost under it; returns how to stop watching, or None when there is nothing to watch.

    aiohttp (3.14, C parser) hands a parser failure that comes after the head to the
    connection, not to the body: a read waiting for the body then waits forever, and a later
    one raises RuntimeError. Losing the connection otherwise tells the body (its end, or its
    error) in the step that resolves `closed`, before callbacks run: a body still untold
    then is that case, and gets the parser's error. The watch ends with the body, since a
    connection kept alive goes on to serve other requests (a load run: thousands)."""
    protocol = response.connection.protocol if response.connection else None
    if protocol is None or not hasattr(protocol, "closed"):
        return None  # the body is complete, or an aiohttp that cannot say when it closes
    closed = protocol.closed
    if closed is None:  # already lost
        _fail_untold_body(response, protocol)
        return None

    def lost(future: asyncio.Future[None]) -> None:
        if not future.cancelled():
            future.exception()  # seen, so asyncio does not log it as never retrieved
        _fail_untold_body(response, protocol)

    def unwatch() -> None:
        closed.remove_done_callback(lost)

    closed.add_done_callback(lost)
    return unwatch


def _fail_untold_body(response: aiohttp.ClientResponse, protocol: object) -> None:
    content = response.content
    if content.is_eof() or content.exception() is not None:
        return
    failure = getattr(protocol, "exception", lambda: None)()
    error = aiohttp.ClientPayloadError("the connection closed while the body was read")
    error.__cause__ = failure if isinstance(failure, BaseException) else None
    content.set_exception(error)


def body_progress(response: aiohttp.ClientResponse | None, received: int) -> BodyProgress | None:
    """How far a response body had come, for the message when it fails; None before it."""
    if response is None:
        return None
    # Bytes as sent, before decoding (aiohttp >= 3.13 counts them; else they are the same).
    on_wire = getattr(response.content, "total_raw_bytes", received)
    from aiocurl.transport.errors import BodyProgress

    return BodyProgress(received, on_wire, response.content_length)


# Bodies up to this size go to aiohttp as bytes; larger ones stream, with progress.
IN_MEMORY_LIMIT = 1024 * 1024
# Files and literal bytes stream in blocks of this size: small enough to stay in the CPU's
# cache between the read and the send (1 MiB blocks took a sixth longer to upload 1 GiB to
# a local server here). sendfile(2) was slower still: the receiving end then copies from
# page-sized pieces, and asyncio's loop.sendfile stops reading the connection meanwhile.
SEND_BLOCK = 256 * 1024


def body_payload(
    hop: Hop, sink: Sink
) -> tuple[bytes | AsyncIterator[bytes] | None, tuple[tuple[str, str], ...]]:
    """What aiohttp sends, and the Content-Length header a streamed body needs (without
    one aiohttp frames a stream as chunked, which is what --chunked and stdin want)."""
    body = hop.body
    if body is None:
        return None, ()
    data = body.in_memory
    if data is not None and len(data) <= IN_MEMORY_LIMIT and not hop.chunked:
        return data, ()
    length = body.length
    header = () if hop.chunked or length is None else (("Content-Length", str(length)),)
    return stream_body(body, sink), header


async def stream_body(body: RequestBody, sink: Sink) -> AsyncIterator[bytes]:
    total, sent = body.length, 0
    for segment in body.segments:
        async for block in _segment_blocks(segment):
            sent += len(block)
            sink.upload_progress(sent, total)
            yield block


async def _segment_blocks(segment: Segment) -> AsyncIterator[bytes]:
    """A segment's blocks; a pipe (stdin, `<(command)`, a FIFO) may block, so it is opened
    and read off the loop, where timeouts and Ctrl-C still reach the run, while files and
    literals are read in place."""
    if isinstance(segment, StreamSegment):
        while block := await off_loop(read_some, segment.stream, CHUNK):
            yield block
    elif isinstance(segment, FileSegment) and segment.size is None:
        stream: BinaryIO = await off_loop(open, segment.path, "rb")  # a FIFO waits for a writer
        with stream:
            while block := await off_loop(read_some, stream, CHUNK):
                yield block
    else:
        for block in iter_segment(segment, SEND_BLOCK):
            yield block


Result = TypeVar("Result")


async def off_loop(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` on a daemon thread: asyncio's executor threads are joined at exit,
    so one blocked on a silent pipe would keep Ctrl-C from ending the run."""
    import threading

    loop = asyncio.get_running_loop()
    done: asyncio.Future[Result] = loop.create_future()

    def call() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (function(*args), None)
        except BaseException as exc:  # handed to the waiting task
            outcome = (None, exc)
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(_settle, done, *outcome)

    threading.Thread(target=call, daemon=True, name="aiocurl-pipe").start()
    return await done


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the waiting task was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _head(
    response: aiohttp.ClientResponse, hop: Hop, *, follow: bool, retry_on: frozenset[int]
) -> ResponseHead:
    """A head is final unless a redirect will be followed or the status will be retried."""
    will_follow = follow and response.status in REDIRECT_STATUSES and "Location" in response.headers
    will_follow = will_follow or response.status in retry_on
    # The URL as sent (aiohttp drops only a fragment): spelling out response.url again
    # would cost a load run more than the rest of the head.
    return head_of(response, final=not will_follow, url=hop.sent_url)


def head_of(
    response: aiohttp.ClientResponse, *, final: bool, url: str | None = None
) -> ResponseHead:
    """A response's status line and headers as received (original case and order)."""
    return ResponseHead(
        str(response.url) if url is None else url,
        _version_text(response.version),
        response.status,
        response.reason or "",
        response.raw_headers,
        final,
    )


def _version_text(version: aiohttp.HttpVersion | None) -> str:
    if version is None:
        return "HTTP/1.1"
    return _VERSIONS.get(version) or f"HTTP/{version.major}.{version.minor}"


_VERSIONS = {aiohttp.HttpVersion11: "HTTP/1.1", aiohttp.HttpVersion10: "HTTP/1.0"}


def _digest(hop: Hop) -> tuple[aiohttp.DigestAuthMiddleware, ...] | None:
    if hop.digest is None:
        return None
    return (aiohttp.DigestAuthMiddleware(hop.digest.username, hop.digest.password),)

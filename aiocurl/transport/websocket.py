"""A WebSocket session: aiohttp's ws_connect driven by an outgoing queue, results to sinks.

The handshake goes through the session's middleware, so its request and response are shown
like any other; a refused handshake is printed with its body, as curl or HTTPie would.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from aiocurl.errors import AiocurlError, RequestError, TimeoutFired, printable
from aiocurl.events import MessageSink, Outbox, Outgoing, ResponseMeta, Sink
from aiocurl.redact import redact_url
from aiocurl.request.plan import RequestPlan, WebSocketPlan
from aiocurl.status import ExitStatus
from aiocurl.transport.decoding import decode_whole
from aiocurl.transport.errors import map_error
from aiocurl.transport.proxy import proxy_for
from aiocurl.transport.routing import connector_for
from aiocurl.transport.send import head_of
from aiocurl.transport.session import new_session, request_tracer

CLOSE_NAMES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1006: "abnormal closure",
    1007: "invalid payload",
    1008: "policy violation",
    1009: "message too big",
    1010: "mandatory extension",
    1011: "internal error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
}
NORMAL_CLOSES = frozenset({1000, 1001})
DEFAULT_MAX_SIZE = 4 * 1024 * 1024  # aiohttp's own default, named in messages
# How long a close of ours waits for the server's answering close frame (aiohttp: 10 s).
CLOSE_WAIT = 2.0


class HandshakeRefused(AiocurlError):
    """The server answered the upgrade with an ordinary HTTP response (already printed)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"WebSocket handshake refused: HTTP {status} {reason}")
        self.exit_status = (
            ExitStatus.CLIENT_ERROR
            if 400 <= status < 500
            else ExitStatus.SERVER_ERROR
            if status >= 500
            else ExitStatus.ERROR
        )


async def run_websocket(
    plan: RequestPlan,
    ws_plan: WebSocketPlan,
    shown: Sink,
    refused: Sink,
    messages: MessageSink,
    outbox: Outbox | None,
) -> None:
    """Connect, send and receive until the session ends; raise for any unclean end."""
    settings = plan.transport
    session = new_session(
        settings,
        connector=connector_for(settings, shown),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout),
        trust_env=False,
        trace_configs=[request_tracer(shown)],
        middlewares=_handshake_middlewares(plan, shown, refused),
    )
    async with session:
        ws = await _handshake(session, plan, ws_plan)
        messages.opened(ws.protocol)
        try:
            await _converse(ws, ws_plan, messages, outbox)
        except (asyncio.CancelledError, Exception):  # Ctrl-C, a failure: say goodbye first
            with contextlib.suppress(Exception):
                await asyncio.shield(asyncio.wait_for(ws.close(code=1000), CLOSE_WAIT))
            raise


async def _handshake(
    session: aiohttp.ClientSession, plan: RequestPlan, ws_plan: WebSocketPlan
) -> aiohttp.ClientWebSocketResponse[bool]:
    """Connect and upgrade within the connect timeout (and --max-time, if sooner): a server
    that accepts the connection but never answers the upgrade must not hang the run."""
    settings = plan.transport
    limit = settings.connect_timeout
    if settings.total_timeout is not None:
        limit = min(limit, settings.total_timeout)
    try:
        return await asyncio.wait_for(_connect(session, plan, ws_plan), limit)
    except asyncio.TimeoutError:  # wait_for's own: _connect maps aiohttp's timeouts
        raise _handshake_timeout(plan, limit) from None


def _handshake_timeout(plan: RequestPlan, limit: float) -> TimeoutFired:
    settings, where = plan.transport, redact_url(plan.request.url)
    if settings.total_timeout is not None and settings.total_timeout < settings.connect_timeout:
        return TimeoutFired(
            f"WebSocket handshake with {where} took longer than {limit:g} s (--max-time)"
        )
    # --timeout also bounds connecting when --connect-timeout is not given (plan_transport).
    flag = "--timeout" if settings.read_timeout == limit else "--connect-timeout"
    return TimeoutFired(
        f"connect timeout: no WebSocket handshake with {where} within {limit:g} s ({flag})"
    )


async def _connect(
    session: aiohttp.ClientSession, plan: RequestPlan, ws_plan: WebSocketPlan
) -> aiohttp.ClientWebSocketResponse[bool]:
    request, settings = plan.request, plan.transport
    url = URL(request.url, encoded=True)
    proxy, proxy_auth = proxy_for(url, settings)
    try:
        return await session.ws_connect(
            url,
            headers=list(request.headers),
            protocols=ws_plan.protocols,
            heartbeat=ws_plan.ping,
            max_msg_size=ws_plan.max_size or DEFAULT_MAX_SIZE,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=CLOSE_WAIT),
            proxy=proxy,
            proxy_headers=proxy_auth,
        )
    except aiohttp.WSServerHandshakeError as exc:
        raise HandshakeRefused(exc.status, _phrase(exc.status)) from exc
    except AiocurlError:
        raise
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise map_error(exc, request.url, settings) from exc


def _handshake_middlewares(
    plan: RequestPlan, shown: Sink, refused: Sink
) -> tuple[Callable[..., Awaitable[aiohttp.ClientResponse]], ...]:
    """Show the 101 like any response; read and print the body of a refusal."""

    async def record(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        started = time.perf_counter()
        response = await handler(request)
        head = head_of(response, final=True)
        if response.status == 101:
            shown.response_head(head)
            return response
        body = await response.read()
        if plan.transport.decompress:
            body = decode_whole(body, response.headers.get("Content-Encoding"))
        refused.response_head(head)
        refused.body_chunk(body)
        refused.response_end(ResponseMeta(time.perf_counter() - started, None, len(body)))
        return response

    middlewares: list[Callable[..., Awaitable[aiohttp.ClientResponse]]] = [record]
    auth = plan.request.auth
    if auth is not None and auth.kind == "digest":
        middlewares.insert(0, aiohttp.DigestAuthMiddleware(auth.username, auth.password))
    return tuple(middlewares)


async def _converse(
    ws: aiohttp.ClientWebSocketResponse[bool],
    ws_plan: WebSocketPlan,
    messages: MessageSink,
    outbox: Outbox | None,
) -> None:
    """Receive in this task, send in another; once the user's input has ended, a watchdog
    closes the session when the server has been quiet for --ws-wait seconds.

    The task that closes the session is awaited, never cancelled: aiohttp's close() called
    from another task first wakes this one out of receive(), and only then writes the close
    frame, so cancelling the closer once this task wakes would lose the frame (1006)."""
    if ws_plan.first_message is not None:
        await ws.send_str(ws_plan.first_message.decode("utf-8"))
    state = _Session(asyncio.get_running_loop().time())
    sender = asyncio.ensure_future(_pump(ws, ws_plan, outbox, state)) if outbox else None
    try:
        message = await _receive(ws, ws_plan, messages, state)
        if message is None and state.closer is None:  # --ws-count reached
            await _close(ws, state)
        await _settle(state.closer)
        if sender is not None and sender.done() and not sender.cancelled():
            sender.result()  # a failure to send is the real story
        if state.closer is None:
            _check_end(ws, message, ws_plan)
    finally:
        for task in (sender, state.watchdog):
            if task is not None and not task.done():
                task.cancel()


@dataclass
class _Session:
    last: float  # loop time of the last message received
    closer: asyncio.Task[Any] | None = None  # the task that closes the session, when we do
    watchdog: asyncio.Future[None] | None = None


async def _receive(
    ws: aiohttp.ClientWebSocketResponse[bool],
    ws_plan: WebSocketPlan,
    messages: MessageSink,
    state: _Session,
) -> Any:
    """Hand each message to the sink until the session ends (the last message says how), or
    until --ws-count messages have arrived (None)."""
    received = 0
    while True:
        message = await ws.receive()
        if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return message
        state.last = asyncio.get_running_loop().time()
        messages.message(message.data, incoming=True)
        received += 1
        if ws_plan.count is not None and received >= ws_plan.count:
            return None


async def _close(
    ws: aiohttp.ClientWebSocketResponse[bool], state: _Session, code: int = 1000, reason: str = ""
) -> None:
    """Close from this task, marked as ours first: the receiving task sees it as it wakes.
    aiohttp then waits up to CLOSE_WAIT for the server's answering close frame."""
    state.closer = asyncio.current_task()
    await ws.close(code=code, message=reason.encode("utf-8"))


async def _settle(closer: asyncio.Task[Any] | None) -> None:
    """Let another task finish closing (bounded), and raise what it raised."""
    if closer is None or closer is asyncio.current_task():
        return
    await asyncio.wait({closer}, timeout=CLOSE_WAIT + 1)
    if closer.done() and not closer.cancelled():
        closer.result()


async def _pump(
    ws: aiohttp.ClientWebSocketResponse[bool],
    ws_plan: WebSocketPlan,
    outbox: Outbox,
    state: _Session,
) -> None:
    try:
        while (batch := await outbox.get()) is not None:
            if isinstance(batch, AiocurlError):
                raise batch
            for item in batch if isinstance(batch, list) else (batch,):
                if item.kind == "close":
                    await _close(ws, state, item.code, item.reason)
                    return
                await _send(ws, item)
    except (aiohttp.ClientConnectionError, ConnectionError):
        return  # the connection is gone: the receiving task reports how it ended
    except Exception:
        # Close, so that the receiving task stops waiting; then the failure is the story.
        if state.closer is None:
            await _close(ws, state)
        raise
    state.last = asyncio.get_running_loop().time()
    state.watchdog = asyncio.ensure_future(_close_when_quiet(ws, ws_plan.wait, state))


async def _close_when_quiet(
    ws: aiohttp.ClientWebSocketResponse[bool], wait: float, state: _Session
) -> None:
    loop = asyncio.get_running_loop()
    while (remaining := state.last + wait - loop.time()) > 0:
        await asyncio.sleep(remaining)
    await _close(ws, state)


async def _send(ws: aiohttp.ClientWebSocketResponse[bool], item: Outgoing) -> None:
    """Send a message or a ping. Text arrives as UTF-8 already checked by its source."""
    if item.kind == "ping":
        await ws.ping(item.data)
    elif item.kind == "binary":
        await ws.send_bytes(item.data)
    else:
        await ws.send_str(item.data.decode("utf-8"))


def _check_end(
    ws: aiohttp.ClientWebSocketResponse[bool], message: Any, ws_plan: WebSocketPlan
) -> None:
    """A clean close (1000, 1001) ends quietly; anything else is an error naming why."""
    error = ws.exception()
    if isinstance(error, aiohttp.ServerTimeoutError) or (
        error is not None and "heartbeat" in str(error).lower()
    ):
        raise RequestError(f"no pong from the server within {ws_plan.ping:g} s (--ws-ping)")
    if message.type is aiohttp.WSMsgType.CLOSE:
        code = int(message.data)
        if code in NORMAL_CLOSES:
            return
        raise RequestError(f"closed by server: {describe_close(code, message.extra or '')}")
    if message.type is aiohttp.WSMsgType.ERROR and isinstance(message.data, aiohttp.WebSocketError):
        raise _refused_frame(message.data.code, ws_plan)
    if error is None or isinstance(error, (ConnectionError, aiohttp.ClientConnectionError)):
        raise RequestError("the connection dropped without a close frame (1006)")
    raise RequestError(f"the WebSocket session failed ({type(error).__name__})")


def _refused_frame(code: int, ws_plan: WebSocketPlan) -> RequestError:
    """aiohttp closed the session over what the server sent (it has sent `code` already)."""
    sent = f"sent close {describe_close(code, '')}"
    if code != 1009:
        return RequestError(f"the server broke the WebSocket protocol; {sent}")
    if ws_plan.max_size is None:
        mib = DEFAULT_MAX_SIZE // (1024 * 1024)
        limit = f"{DEFAULT_MAX_SIZE} bytes ({mib} MiB, the default --ws-max-size)"
    else:
        limit = f"--ws-max-size {ws_plan.max_size} bytes"
    return RequestError(f"a message was larger than {limit}; {sent}")


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def describe_close(code: int, reason: str) -> str:
    name = CLOSE_NAMES.get(code, "application code" if code >= 3000 else "unknown code")
    return f"{code} {name}" + (f": {printable(reason)}" if reason else "")

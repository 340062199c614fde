"""/ws: a WebSocket that echoes, and on request pushes, closes, drops, stays silent or refuses."""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType, web

from .auth import same
from .params import reports_bad_params
from .respond import bad_request, json_response
from .ws_options import Close, Ending, WsOptions, ws_options


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def refusal(request: web.Request, options: WsOptions) -> web.Response | None:
    """The plain HTTP answer that takes the place of the handshake, if the query asks for one."""
    if options.token is not None:
        given = bearer_token(request)
        if given is None or not same(given, options.token):
            return json_response(
                {"error": "token required"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
    status = options.refuse_status
    if status is not None:
        return json_response({"error": "refused", "status": status}, status=status)
    return None


async def echo(ws: web.WebSocketResponse, after: int, received_enough: asyncio.Event) -> None:
    """Send each text and binary message back as it came, until the connection ends."""
    received = 0
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type is WSMsgType.ERROR:
                return
            else:
                continue  # a PING left unanswered (no_pong) or a PONG: not a client message
            received += 1
            if received >= after:
                received_enough.set()
    except ConnectionResetError:
        pass  # the client left mid-echo


async def push(ws: web.WebSocketResponse, count: int, interval: float) -> None:
    """Send {"push": i} for i in range(count), the i-th at start + i * interval."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        for index in range(count):
            # Deadlines from one start time, as in send_paced: no drift with slow sends.
            await asyncio.sleep(max(0.0, start + index * interval - loop.time()))
            if ws.closed:
                return
            await ws.send_str(json.dumps({"push": index}))
    except ConnectionResetError:
        pass  # the client left between pushes


async def ending_due(pushing: asyncio.Task[None], received_enough: asyncio.Event) -> None:
    """Return once the pushes are over and enough client messages have arrived."""
    await asyncio.wait([pushing])
    await received_enough.wait()


async def end(request: web.Request, ws: web.WebSocketResponse, ending: Ending) -> None:
    if isinstance(ending, Close):
        await ws.close(code=ending.code, message=ending.reason.encode("utf-8"))
        return
    # abort(), not close(): the client must see the connection lost with no close frame.
    transport = request.transport
    if transport is not None:
        transport.abort()


async def converse(request: web.Request, ws: web.WebSocketResponse, options: WsOptions) -> None:
    """Echo, push and end as the options say; return when the connection is over."""
    received_enough = asyncio.Event()
    if options.after == 0:
        received_enough.set()
    echoing = asyncio.create_task(echo(ws, options.after, received_enough))
    pushing = asyncio.create_task(push(ws, options.pushes, options.interval))
    tasks = [echoing, pushing]
    try:
        if options.ending is not None:
            due = asyncio.create_task(ending_due(pushing, received_enough))
            tasks.append(due)
            await asyncio.wait([due, echoing], return_when=asyncio.FIRST_COMPLETED)
            if not echoing.done():
                # Stop the echo loop first: a close() racing its pending receive() makes aiohttp
                # drop the connection without waiting for the client's close frame.
                echoing.cancel()
                await asyncio.wait([echoing])
                await end(request, ws, options.ending)
                return
        await echoing  # until the client closes or the connection is lost
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


@reports_bad_params
async def websocket(request: web.Request) -> web.StreamResponse:
    options = ws_options(request)
    refused = refusal(request, options)
    if refused is not None:
        return refused
    ws = web.WebSocketResponse(protocols=options.protocols, autoping=options.answer_pings)
    if not ws.can_prepare(request).ok:
        return bad_request("/ws needs a WebSocket upgrade")
    await ws.prepare(request)
    await converse(request, ws, options)
    return ws

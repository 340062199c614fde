"""Writing bodies piece by piece: cut connections and paced streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable

from aiohttp import web


def client_gone(request: web.BaseRequest) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def cut_connection(request: web.BaseRequest) -> None:
    """End the connection mid-response, so the client sees a truncated body.

    close(), not abort(): abort() would drop bytes still queued in the transport, and the
    client must receive exactly the bytes written so far before the connection ends.
    """
    transport = request.transport
    if transport is not None:
        transport.close()


async def send_body(
    request: web.BaseRequest,
    response: web.StreamResponse,
    pieces: AsyncIterable[bytes],
    cut: int | None = None,
) -> web.StreamResponse:
    """Write `pieces` to a prepared response, then finish it.

    With `cut`, the connection is cut once `cut` body bytes are out and the response never
    finishes (if the body is shorter, all of it is sent first).
    """
    sent = 0
    try:
        async for piece in pieces:
            if cut is not None and sent + len(piece) >= cut:
                await response.write(piece[: cut - sent])
                cut_connection(request)
                return response
            await response.write(piece)
            sent += len(piece)
        if cut is not None:
            cut_connection(request)
            return response
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left; nobody is there to tell
    return response


async def send_paced(
    request: web.BaseRequest,
    response: web.StreamResponse,
    render: Callable[[int], bytes],
    count: int,
    interval: float,
) -> web.StreamResponse:
    """Write render(i) for i in range(count), the i-th at start + i * interval, then finish.

    Each piece is rendered when it is due (so it can carry the time it was sent) and goes to the
    transport at once: aiohttp's StreamResponse.write does not buffer.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        for index in range(count):
            # Deadlines from one start time: the total does not drift with slow writes.
            await asyncio.sleep(max(0.0, start + index * interval - loop.time()))
            if client_gone(request):
                return response
            await response.write(render(index))
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client left; nobody is there to tell
    return response

"""The fast path for a plain body: once aiohttp has parsed the head, the rest of the body
goes from the connection's socket to the sink's file or pipe without passing through Python
objects.

aiohttp hands a body over as bytes objects, copied several times on the way; a large
download spends most of its CPU there. A body qualifies when the bytes saved are exactly the
bytes on the wire: plain http (no TLS on the connection), nothing to decode, framed by
Content-Length or by the connection's close (chunked framing needs aiohttp's parser), no
--max-filesize to count, a final response (not a redirect to follow, not a status to retry),
Linux, and a sink that offers a raw target (a file or a pipe, never a terminal). What aiohttp
already read goes through the sink as usual; the rest moves with os.splice (socket → pipe →
file, zero copy) or, where the target refuses splice (a file opened to append), with readv
into one reused buffer and os.write.

The event loop stays in charge: the socket is non-blocking and waited on with the loop,
--timeout (no byte for N seconds) and --max-time fire on that wait with the errors the
general path raises, and the task yields at least every YIELD_EVERY seconds, so Ctrl-C and
SIGTERM cancel it as they cancel the general path. A body that ends short of its
Content-Length fails as it does there. The connection is closed afterwards: it never goes back
to the pool with unread bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import sys
from dataclasses import dataclass

import aiohttp
from aiohttp.http_exceptions import ContentLengthError

from aiocurl.errors import AiocurlError
from aiocurl.events import RawSink, RawTarget, ResponseHead
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.decoding import decoder_for
from aiocurl.transport.errors import BodyProgress, map_error

BLOCK = 1024 * 1024  # the most moved per step: the pipe's size asked of the kernel, the buffer
YIELD_EVERY = 0.05  # seconds of moving bytes without waiting before the loop gets a turn


@dataclass
class Moved:
    """What the fast path did in this process: which path a body took can be seen."""

    bodies: int = 0  # bodies taken over from aiohttp
    handed: int = 0  # bytes aiohttp had read before, passed on through body_chunk
    spliced: int = 0  # of them, moved with splice to their end
    copied: int = 0  # of them, moved (at least in part) through the buffer


MOVED = Moved()


def raw_target_for(
    response: aiohttp.ClientResponse, head: ResponseHead, sink: RawSink, settings: TransportPlan
) -> RawTarget | None:
    """The sink's raw target, when this response's body may go around aiohttp."""
    if not head.final or sys.platform != "linux":
        return None
    if settings.max_filesize is not None:  # counted piece by piece on the general path
        return None
    headers = response.headers
    if "Transfer-Encoding" in headers:  # chunked framing: aiohttp's parser removes it
        return None
    if settings.decompress and decoder_for(headers.get("Content-Encoding")) is not None:
        return None  # decoded: the bytes saved are not the bytes sent
    connection = response.connection
    transport = connection.transport if connection is not None else None
    if (
        transport is None
        or transport.is_closing()
        or transport.get_extra_info("ssl_object") is not None  # TLS, also to a proxy
        or transport.get_extra_info("socket") is None
    ):
        return None
    return sink.raw_target()


async def move_body(
    response: aiohttp.ClientResponse,
    target: RawTarget,
    sink: RawSink,
    *,
    url: str,
    settings: TransportPlan,
    max_time_left: float | None,
) -> int:
    """The body into `target`; returns its size. What aiohttp has already read goes through
    the sink's body_chunk; the rest comes from the socket. The connection is closed after."""
    size = 0
    content = response.content
    # All of it, synchronously: reading may let aiohttp's parser go on with bytes it held
    # back, and nothing reaches the socket until the loop runs again.
    while chunk := content.read_nowait():
        sink.body_chunk(chunk)
        size += len(chunk)
    if content.is_eof():
        return size
    MOVED.handed += size
    connection = response.connection
    assert connection is not None and connection.transport is not None
    transport = connection.transport
    # The socket is ours from here on. aiohttp's own read timer keeps running and may mark
    # the abandoned stream as timed out later: harmless, as nothing reads it again and the
    # connection is closed below.
    transport.pause_reading()
    length = response.content_length
    mover = _Mover(
        transport.get_extra_info("socket").fileno(),
        target,
        sink,
        read_timeout=settings.read_timeout,
        max_time_left=max_time_left,
    )
    MOVED.bodies += 1
    try:
        moved = await mover.move(None if length is None else length - size)
    except _Failed as failed:
        progress = BodyProgress(size + failed.moved, size + failed.moved, length)
        raise _error(failed.cause, url, settings, progress, length) from failed.cause
    finally:
        mover.close()
        response.close()
    size += moved
    if length is not None and size < length:  # the connection closed early
        progress = BodyProgress(size, size, length)
        raise _error(None, url, settings, progress, length)
    return size


class _Failed(Exception):
    """The connection failed (or a timer fired) after `moved` bytes."""

    def __init__(self, cause: BaseException, moved: int) -> None:
        super().__init__(str(cause))
        self.cause, self.moved = cause, moved


def _error(
    cause: BaseException | None,
    url: str,
    settings: TransportPlan,
    progress: BodyProgress,
    length: int | None,
) -> AiocurlError:
    """The general path's error for the same failure: a body cut short of its
    Content-Length (closed or reset) reads as aiohttp's parser reports it."""
    closed = cause is None or (isinstance(cause, OSError) and not isinstance(cause, TimeoutError))
    if length is not None and closed:
        cut = aiohttp.ClientPayloadError("Response payload is not completed")
        cut.__cause__ = ContentLengthError(
            f"Not enough data to satisfy content length header "
            f"(received {progress.on_wire} of {length} bytes)."
        )
        cause = cut
    assert cause is not None
    return map_error(cause, url, settings, body=progress)


class _Mover:
    """Moves bytes from a non-blocking socket to the target's descriptor, waiting for the
    socket with the event loop."""

    def __init__(
        self,
        socket_fd: int,
        target: RawTarget,
        sink: RawSink,
        *,
        read_timeout: float | None,
        max_time_left: float | None,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._target = target
        self._sink = sink
        self._read_timeout = read_timeout
        self._deadline = None if max_time_left is None else self._loop.time() + max_time_left
        self._out: int | None = None  # the target's descriptor, asked for with the first bytes
        self._pipe: tuple[int, int] | None = None  # splice's pipe: read end, write end
        self._room = 0  # what the pipe holds
        self._buffer: memoryview | None = None
        self._waiter: asyncio.Future[None] | None = None
        # A descriptor of our own for the socket: the loop refuses a reader on one that a
        # transport owns. The transport's reader is paused, so only this one watches it.
        self._socket = os.dup(socket_fd)
        try:
            self._loop.add_reader(self._socket, self._readable)
        except BaseException:
            os.close(self._socket)  # not left open by a mover that never was
            raise

    async def move(self, remaining: int | None) -> int:
        """Until `remaining` bytes have moved, or (None) until the connection closes."""
        moved = 0
        self._open_pipe()
        turn = self._loop.time() + YIELD_EVERY
        while remaining is None or moved < remaining:
            step = BLOCK if remaining is None else min(BLOCK, remaining - moved)
            try:
                count = self._take(step)
            except BlockingIOError:
                try:
                    await self._wait()
                except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
                    raise _Failed(exc, moved) from None
                turn = self._loop.time() + YIELD_EVERY
                continue
            except OSError as exc:
                raise _Failed(exc, moved) from None
            if count == 0:  # the server closed the connection
                break
            self._put(count)
            moved += count
            self._sink.raw_written(count)
            now = self._loop.time()
            if now >= turn:  # the socket never ran dry: let signals and timers in
                if self._deadline is not None and now >= self._deadline:
                    raise _Failed(asyncio.TimeoutError(), moved)
                await asyncio.sleep(0)
                turn = now + YIELD_EVERY
        if self._pipe is not None:
            MOVED.spliced += 1
        else:
            MOVED.copied += 1
        return moved

    def close(self) -> None:
        self._loop.remove_reader(self._socket)
        os.close(self._socket)
        self._close_pipe()

    # Taking from the socket, putting to the target

    def _open_pipe(self) -> None:
        try:
            read_end, write_end = os.pipe2(os.O_CLOEXEC)
        except OSError:  # out of descriptors: the buffer needs none
            self._use_buffer()
            return
        self._pipe = (read_end, write_end)
        # 1 MiB moves more per step than the default 64 KiB; a user over the limit keeps that.
        with contextlib.suppress(OSError):
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, BLOCK)
        self._room = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)

    def _close_pipe(self) -> None:
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            os.close(pipe[0])
            os.close(pipe[1])

    def _use_buffer(self) -> None:
        """From here on readv into one buffer and os.write, for a socket or a target that
        splice refuses."""
        self._close_pipe()
        if self._buffer is None:
            self._buffer = memoryview(bytearray(BLOCK))

    def _take(self, most: int) -> int:
        """Bytes from the socket into the pipe (or the buffer): how many; 0 at its end."""
        if self._pipe is None:
            assert self._buffer is not None
            return os.readv(self._socket, [self._buffer[:most]])
        try:
            return os.splice(
                self._socket,
                self._pipe[1],
                min(most, self._room),
                flags=os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK,
            )
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            self._use_buffer()  # a socket that cannot splice (nothing was taken)
            return self._take(most)

    def _put(self, count: int) -> None:
        """The `count` bytes just taken, all of them, to the target."""
        if self._out is None:
            self._out = self._target.raw_fd()
        left = count
        while left:
            try:
                left -= self._put_some(left, count - left)
            except OSError as exc:
                if self._pipe is not None and exc.errno == errno.EINVAL:
                    # A target that splice refuses: a file opened to append (--continue,
                    # `>> file`). What waits in the pipe goes through the buffer instead.
                    self._from_pipe_to_buffer(count, left)
                    continue
                raise self._target.write_error(exc) from None

    def _put_some(self, left: int, done: int) -> int:
        assert self._out is not None
        if self._pipe is not None:
            return os.splice(self._pipe[0], self._out, left, flags=os.SPLICE_F_MOVE)
        assert self._buffer is not None
        return os.write(self._out, self._buffer[done : done + left])

    def _from_pipe_to_buffer(self, count: int, left: int) -> None:
        """The `left` bytes still in the pipe, read into the buffer where this step's writes
        from it expect them (its last `left` of `count`); the pipe is closed then."""
        assert self._pipe is not None
        read_end = self._pipe[0]
        buffer = self._buffer if self._buffer is not None else memoryview(bytearray(BLOCK))
        got = count - left
        while got < count:
            got += os.readv(read_end, [buffer[got:count]])
        self._buffer = buffer
        self._close_pipe()

    # Waiting with the event loop

    def _readable(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self) -> None:
        """Until the socket has bytes (or its end), no longer than --timeout from now
        (nothing received for that long) or --max-time."""
        loop = self._loop
        waiter = self._waiter = loop.create_future()
        expiry, error = self._expiry()
        timer = loop.call_at(expiry, _expire, waiter, error) if error is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def _expiry(self) -> tuple[float, BaseException | None]:
        """When the wait gives up, and with which of the general path's errors."""
        read_by = None if self._read_timeout is None else self._loop.time() + self._read_timeout
        if self._deadline is not None and (read_by is None or self._deadline <= read_by):
            return self._deadline, asyncio.TimeoutError()
        if read_by is not None:
            return read_by, aiohttp.SocketTimeoutError("Timeout on reading data from socket")
        return 0.0, None


def _expire(waiter: asyncio.Future[None], error: BaseException) -> None:
    if not waiter.done():
        waiter.set_exception(error)

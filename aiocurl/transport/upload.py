"""A request body as aiohttp sends it: its segments in order, a regular file over a plain
connection handed to the kernel.

Small bodies of literal bytes go to aiohttp as bytes. Anything larger is a `BodyPayload`,
which writes each segment when aiohttp asks for the body: literal bytes as they are, a pipe
(stdin, `<(command)`, a FIFO) in blocks read off the loop, and a regular file of known size
with sendfile(2) (`loop.sock_sendfile`), which on a plain connection (no TLS, no chunked
framing) moves the file from the page cache to the socket without a copy through Python:
a 1 GiB upload then costs a few hundredths of a second of CPU instead of tenths, while the
connection is read as before (an early answer from the server is seen). Over TLS, or
framed as chunks, a file is read in blocks as before. Either way the file is opened only
now (so a body is re-sent whole after a 307/308 redirect or a retry), the length declared
is the one planned, and progress is reported as the bytes go.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, BinaryIO, TypeVar

import aiohttp
from aiohttp.abc import AbstractStreamWriter

from aiocurl.events import Sink
from aiocurl.request.body import (
    CHUNK,
    FileSegment,
    RequestBody,
    Segment,
    StreamSegment,
    iter_segment,
    read_some,
)
from aiocurl.transport.redirects import Hop

# Bodies up to this size go to aiohttp as bytes; larger ones stream, with progress.
IN_MEMORY_LIMIT = 1024 * 1024
# A file goes to the kernel in pieces of this size, progress reported after each: large
# enough that each call's cost (the transport paused and flushed) is lost in it.
SENDFILE_PIECE = 8 * 1024 * 1024


def body_payload(
    hop: Hop, sink: Sink
) -> tuple[bytes | BodyPayload | None, tuple[tuple[str, str], ...]]:
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
    return BodyPayload(body, sink), header


class BodyPayload(aiohttp.payload.Payload):
    """The segments of a body, written to the connection as aiohttp sends the request."""

    _autoclose = True  # holds nothing open between writes

    def __init__(self, body: RequestBody, sink: Sink) -> None:
        super().__init__(body, content_type="application/octet-stream")
        self._body = body
        self._sink = sink
        # No size: the Content-Length header body_payload adds is what declares one, and
        # without it (--chunked, a pipe) aiohttp frames the body as chunks.
        self._size = None
        self._cached: bytes | None = None  # the whole body, once a digest needed it

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        """The body, cut at `content_length` (the Content-Length sent) when there is one."""
        if self._cached is not None:
            await writer.write(self._cached[:content_length])
            return
        progress = _Progress(self._sink, self._body.length, content_length)
        to_kernel = _plain_socket(writer)
        for segment in self._body.segments:
            if progress.left == 0:
                break
            if to_kernel and isinstance(segment, FileSegment) and segment.size is not None:
                await _send_file(writer, segment, progress)
                continue
            async with contextlib.aclosing(segment_blocks(segment)) as blocks:
                async for block in blocks:
                    block = progress.cut(block)
                    await writer.write(block)
                    progress.sent(len(block))
                    if progress.left == 0:
                        break

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        if self._cached is None:
            raise TypeError("the body is streamed: read it with as_bytes() first")
        return self._cached.decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body, for a digest that hashes it (qop=auth-int); then it is sent from
        memory, so a pipe is read only once."""
        if self._cached is None:
            self._cached = b"".join([block async for block in _all_blocks(self._body)])
        return self._cached


class _Progress:
    """Bytes sent so far, reported to the sink, and how many more may go (None: any)."""

    def __init__(self, sink: Sink, total: int | None, limit: int | None) -> None:
        self._sink, self._total = sink, total
        self.done = 0
        self.left = limit

    def cut(self, block: bytes) -> bytes:
        return block if self.left is None else block[: self.left]

    def sent(self, size: int) -> None:
        self.done += size
        if self.left is not None:
            self.left -= size
        self._sink.upload_progress(self.done, self._total)


async def _send_file(
    writer: AbstractStreamWriter, segment: FileSegment, progress: _Progress
) -> None:
    """The file's planned size (less, should it have shrunk since), moved by the kernel;
    what the kernel would not take goes in blocks.

    The kernel writes through a second descriptor of the connection's socket: asyncio's own
    loop.sendfile would stop reading the connection meanwhile, so a server that answers
    early (413) and stops reading would leave the upload waiting forever; this way its
    answer is read as before, and the end of the response stops the upload (aiohttp
    cancels the body's task, which closes the second descriptor)."""
    transport = writer.transport
    connection = transport.get_extra_info("socket") if transport is not None else None
    assert transport is not None and connection is not None and segment.size is not None
    size = segment.size if progress.left is None else min(segment.size, progress.left)
    writer.send_headers()  # aiohttp holds the head back to send it with the first bytes
    loop = asyncio.get_running_loop()
    offset = 0
    with open(segment.path, "rb") as file:
        if not transport.get_write_buffer_size():  # else those bytes must go first, in order
            with _second_descriptor(connection) as twin:
                while offset < size:
                    piece = min(SENDFILE_PIECE, size - offset)
                    try:
                        moved = await loop.sock_sendfile(twin, file, offset, piece, fallback=False)
                    except asyncio.SendfileNotAvailableError:
                        break  # a file the kernel cannot send, or a failed send: blocks say
                    if moved == 0:
                        break  # the file ended early (the blocks find its end too)
                    offset += moved
                    progress.sent(moved)
        await _write_blocks(writer, file, offset, size, progress)
    await writer.write(b"")  # sends nothing: marks the body sent, for the phase timing


async def _write_blocks(
    writer: AbstractStreamWriter, file: BinaryIO, offset: int, end: int, progress: _Progress
) -> None:
    """The file from `offset` to `end` (or its end, if sooner), in blocks."""
    file.seek(offset)
    while offset < end and (block := file.read(min(CHUNK, end - offset))):
        await writer.write(block)
        offset += len(block)
        progress.sent(len(block))


def _second_descriptor(connection: socket.socket) -> socket.socket:
    """The same socket under another descriptor, non-blocking like the first (the flag is
    the socket's, shared by both); closing it leaves the connection's own alone."""
    twin = socket.socket(fileno=os.dup(connection.fileno()))
    twin.setblocking(False)
    return twin


def _plain_socket(writer: AbstractStreamWriter) -> bool:
    """Whether the connection is a socket of its own, unframed: no TLS (the kernel cannot
    encrypt), no chunked framing (the kernel would not add it)."""
    transport = writer.transport
    if transport is None or getattr(writer, "chunked", True):
        return False
    return transport.get_extra_info("ssl_object") is None and (
        transport.get_extra_info("socket") is not None
    )


async def _all_blocks(body: RequestBody) -> AsyncIterator[bytes]:
    for segment in body.segments:
        async for block in segment_blocks(segment):
            yield block


async def segment_blocks(segment: Segment) -> AsyncGenerator[bytes, None]:
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
        for block in iter_segment(segment):
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

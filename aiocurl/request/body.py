"""Request bodies as data: literal bytes, files read when sent, and a stdin remainder.

Plans, --offline, -v and the transport all read the same segments, so what is shown is what
is sent; files are never read whole into memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileSegment:
    """A file's bytes, read from disk each time the body is sent; a pipe or device (size
    None) is read once, until its end, and its length is not known before."""

    path: str
    size: int | None


@dataclass(frozen=True)
class StreamSegment:
    """What is left of a stream (stdin) after the buffered prefix: readable once."""

    stream: BinaryIO


Segment = bytes | FileSegment | StreamSegment


@dataclass(frozen=True)
class RequestBody:
    segments: tuple[Segment, ...]
    source: str = "data items"  # for messages: "stdin", "--raw", "@file", ...

    @classmethod
    def of(cls, data: bytes, source: str = "data items") -> RequestBody:
        return cls((data,), source)

    @property
    def length(self) -> int | None:
        """The exact size, or None when part of it is a stream of unknown length."""
        total = 0
        for segment in self.segments:
            size = len(segment) if isinstance(segment, bytes) else _size(segment)
            if size is None:
                return None
            total += size
        return total

    @property
    def replayable(self) -> bool:
        """Whether it can be sent again (a 307/308 redirect, a retry)."""
        return not any(_read_once(s) for s in self.segments)

    @property
    def in_memory(self) -> bytes | None:
        """The bytes when the body is nothing but literals."""
        if all(isinstance(s, bytes) for s in self.segments):
            return b"".join(s for s in self.segments if isinstance(s, bytes))
        return None


def _size(segment: FileSegment | StreamSegment) -> int | None:
    return segment.size if isinstance(segment, FileSegment) else None


def _read_once(segment: Segment) -> bool:
    """Whether the segment is a stream that can be read only once (stdin, a pipe)."""
    return isinstance(segment, StreamSegment) or (
        isinstance(segment, FileSegment) and segment.size is None
    )


def read_some(stream: BinaryIO, size: int = CHUNK) -> bytes:
    """Whatever the stream has, up to `size` bytes; b"" at its end.

    A pipe is read through its file descriptor, not its buffered reader: a daemon thread
    blocked here must not hold the reader's lock when the interpreter shuts down (Ctrl-C
    with an open pipe on stdin would abort the process). Every read of such a stream goes
    through here, so no bytes are left behind in a buffer."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests)
        return getattr(stream, "read1", stream.read)(size)
    return os.read(fd, size)


def iter_segment(segment: Segment, chunk: int = CHUNK) -> Iterator[bytes]:
    """A segment's bytes in chunks; files are opened only now, and closed after."""
    if isinstance(segment, bytes):
        for start in range(0, len(segment), chunk):
            yield segment[start : start + chunk]
    elif isinstance(segment, FileSegment):
        with open(segment.path, "rb") as handle:
            while block := handle.read(chunk):
                yield block
    else:
        while block := read_some(segment.stream, chunk):
            yield block


def iter_body(body: RequestBody, chunk: int = CHUNK) -> Iterator[bytes]:
    for segment in body.segments:
        yield from iter_segment(segment, chunk)


def read_all(body: RequestBody) -> bytes:
    """The whole body in memory: for --compress, which needs it all at once."""
    return b"".join(iter_body(body))

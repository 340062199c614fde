"""Piped stdin as a request body: empty means no body, small is buffered, large streams."""

from __future__ import annotations

import threading

from aiocurl.environment import Environment
from aiocurl.request.body import RequestBody, Segment, StreamSegment, read_some

# Up to this much is kept in memory, so the body can be shown, compressed and re-sent on
# a 307/308 redirect; beyond it stdin streams and can be sent only once.
STDIN_BUFFER = 4 * 1024 * 1024
READ = 64 * 1024
HINT = "aiocurl: waiting for the request body on stdin; pass -I/--ignore-stdin if there is none\n"


def read_stdin_body(env: Environment) -> RequestBody | None:
    """The body piped to stdin, or None when stdin is empty (`</dev/null`, a closed pipe)."""
    first = _first_chunk(env)
    if not first:
        return None
    buffered = bytearray(first)
    while len(buffered) <= STDIN_BUFFER:
        block = read_some(env.stdin, READ)
        if not block:
            return RequestBody.of(bytes(buffered), source="stdin")
        buffered += block
    segments: tuple[Segment, ...] = (bytes(buffered), StreamSegment(env.stdin))
    return RequestBody(segments, source="stdin")


def _first_chunk(env: Environment) -> bytes:
    """Wait for stdin's first bytes; if none come for a while, say how to stop waiting."""
    result: list[bytes] = []
    failure: list[BaseException] = []
    arrived = threading.Event()

    def read() -> None:
        try:
            result.append(read_some(env.stdin, READ))
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)
        finally:
            arrived.set()

    threading.Thread(target=read, daemon=True, name="aiocurl-stdin").start()
    if not arrived.wait(env.stdin_hint_after):
        env.stderr.write(HINT)
        env.stderr.flush()
        arrived.wait()
    if failure:
        raise failure[0]
    return result[0]

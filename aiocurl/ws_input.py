"""stdin as a stream of WebSocket messages, read on a daemon thread so that a blocked read
never holds the process open when the session ends."""

from __future__ import annotations

import asyncio
import threading
from typing import BinaryIO

from aiocurl.body import read_some
from aiocurl.transport.websocket import Outbox, Outgoing

READ = 64 * 1024


def stdin_outbox(stdin: BinaryIO, *, binary: bool) -> Outbox:
    """Each line becomes one message (text, or binary with --ws-binary); None at the end.
    Lines are handed over in batches of whatever has arrived: one wake-up of the event loop
    per read, not per line."""
    loop = asyncio.get_running_loop()
    outbox: Outbox = asyncio.Queue()
    kind = "binary" if binary else "text"

    def hand_over(lines: list[bytes]) -> None:
        outbox.put_nowait([Outgoing(kind, line.rstrip(b"\r")) for line in lines])

    def pump() -> None:
        pending = b""
        try:
            while block := read_some(stdin, READ):
                *lines, pending = (pending + block).split(b"\n")
                if lines:
                    loop.call_soon_threadsafe(hand_over, lines)
            if pending:
                loop.call_soon_threadsafe(hand_over, [pending])
        finally:
            loop.call_soon_threadsafe(outbox.put_nowait, None)

    threading.Thread(target=pump, daemon=True, name="aiocurl-ws-stdin").start()
    return outbox

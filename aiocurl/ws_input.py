"""stdin as a stream of WebSocket messages, read on a daemon thread so that a blocked read
never holds the process open when the session ends."""

from __future__ import annotations

import asyncio
import threading
from typing import BinaryIO

from aiocurl.transport.websocket import Outbox, Outgoing


def stdin_outbox(stdin: BinaryIO, *, binary: bool) -> Outbox:
    """Each line becomes one message (text, or binary with --ws-binary); None at the end."""
    loop = asyncio.get_running_loop()
    outbox: Outbox = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(stdin.readline, b""):
                data = line.rstrip(b"\r\n") if line.endswith(b"\n") else line
                item = Outgoing("binary" if binary else "text", data)
                loop.call_soon_threadsafe(outbox.put_nowait, item)
        finally:
            loop.call_soon_threadsafe(outbox.put_nowait, None)

    threading.Thread(target=pump, daemon=True, name="aiocurl-ws-stdin").start()
    return outbox

"""stdin as a stream of WebSocket messages, read on a daemon thread so that a blocked read
never holds the process open when the session ends."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import BinaryIO

from aiocurl.errors import AiocurlError, os_reason
from aiocurl.events import Outbox, Outgoing
from aiocurl.request.body import read_some

READ = 64 * 1024


class NotText(AiocurlError):
    """A line of stdin that cannot be sent as a text message."""

    def __init__(self, number: int) -> None:
        super().__init__(f"stdin line {number} is not UTF-8 text (send bytes with --ws-binary)")


def stdin_outbox(stdin: BinaryIO, *, binary: bool) -> Outbox:
    """Each line becomes one message (text, or binary with --ws-binary); None at the end.
    Lines are handed over in batches of whatever has arrived: one wake-up of the event loop
    per read, not per line. A line that is not UTF-8 text ends the input with an error,
    after the lines before it."""
    loop = asyncio.get_running_loop()
    outbox: Outbox = asyncio.Queue()

    def hand_over(item: list[Outgoing] | AiocurlError | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the session is over
            loop.call_soon_threadsafe(outbox.put_nowait, item)

    reader = _LineReader(hand_over, binary=binary)

    def pump() -> None:
        try:
            while (block := read_some(stdin, READ)) and not loop.is_closed():
                if not reader.feed(block):
                    return
            reader.finish()
        except OSError as exc:
            hand_over(AiocurlError(f"cannot read stdin: {os_reason(exc, with_file=False)}"))
        finally:
            hand_over(None)

    threading.Thread(target=pump, daemon=True, name="aiocurl-ws-stdin").start()
    return outbox


class _LineReader:
    """Bytes → numbered lines → messages, handed over a batch per block read."""

    def __init__(
        self, hand_over: Callable[[list[Outgoing] | AiocurlError], None], *, binary: bool
    ) -> None:
        self._hand_over = hand_over
        self._binary = binary
        self._pending = b""
        self._number = 0  # lines handed over so far

    def feed(self, block: bytes) -> bool:
        """Hand over the complete lines in `block`; False once a line was refused."""
        *lines, self._pending = (self._pending + block).split(b"\n")
        return self._send(lines)

    def finish(self) -> None:
        """The last line, when the input does not end with a newline."""
        if self._pending:
            self._send([self._pending])

    def _send(self, lines: list[bytes]) -> bool:
        batch: list[Outgoing] = []
        for line in lines:
            self._number += 1
            data = line.rstrip(b"\r")
            if not self._binary and not _is_utf8(data):
                if batch:
                    self._hand_over(batch)
                self._hand_over(NotText(self._number))
                return False
            batch.append(Outgoing("binary" if self._binary else "text", data))
        if batch:
            self._hand_over(batch)
        return True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

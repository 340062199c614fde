"""WebSocket messages in scripted mode: one line per message, flushed at once."""

from __future__ import annotations

import base64
import json
import re
from typing import BinaryIO, TextIO


class LineWriter:
    """Text messages as lines; binary ones as base64 lines (or raw bytes with
    --ws-raw-binary), so no byte is lost and a script can still read line by line."""

    def __init__(self, out: BinaryIO, err: TextIO, *, raw_binary: bool, announce: bool) -> None:
        self._out = out
        self._err = err
        self._raw_binary = raw_binary
        self._announce = announce

    def opened(self, protocol: str | None) -> None:
        if self._announce and protocol:
            self._err.write(f"aiocurl: WebSocket subprotocol: {protocol}\n")

    def message(self, data: str | bytes, *, incoming: bool) -> None:
        if not incoming:
            return
        if isinstance(data, str):
            self._out.write(one_line(data).encode("utf-8") + b"\n")
        elif self._raw_binary:
            self._out.write(data)
        else:
            self._out.write(base64.b64encode(data) + b"\n")
        self._out.flush()


def one_line(text: str) -> str:
    """A text message as one line. Without CR or LF it is written as it is. JSON keeps every
    character but its line breaks and the indentation after them, which JSON allows only
    between tokens, so the line is the same document. Other text gets backslashes doubled
    and CR, LF written as \\r, \\n."""
    if "\n" not in text and "\r" not in text:
        return text
    if _is_json(text):
        return _LINE_BREAKS.sub("", text)
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


_LINE_BREAKS = re.compile(r"[\r\n]+[ \t]*")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to check
        return False
    return True

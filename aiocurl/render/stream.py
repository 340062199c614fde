"""Streamed bodies shown as they arrive: server-sent events event by event, NDJSON record by
record, anything else line by line. Pure text; colour is the writer's business."""

from __future__ import annotations

import json
from collections.abc import Iterator

STREAM_TYPES = frozenset(
    {
        "text/event-stream",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
        "application/json-seq",
        "application/stream+json",
    }
)
Block = tuple[str, str]  # (text, mime for highlighting)


def is_stream_type(mime: str) -> bool:
    return mime in STREAM_TYPES


class LineSplitter:
    """Bytes in, complete lines out (without their line ending)."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self._pending += chunk
        while (end := self._pending.find(b"\n")) >= 0:
            line = bytes(self._pending[:end])
            del self._pending[: end + 1]
            yield line.rstrip(b"\r")

    def rest(self) -> Iterator[bytes]:
        if self._pending:
            yield bytes(self._pending)
            self._pending.clear()


class StreamFormatter:
    """Formats each record as soon as it is complete. With `reformat` a JSON record becomes
    an indented block; without, it keeps the text it arrived as, one record per line."""

    def __init__(self, mime: str, *, reformat: bool, indent: int, sort_keys: bool) -> None:
        self._mime = mime
        self._reformat = reformat
        self._indent = indent
        self._sort_keys = sort_keys
        self._fields: list[tuple[str, str]] = []  # the SSE event being read

    def line(self, raw: bytes) -> list[Block]:
        text = raw.decode("utf-8", errors="replace")
        if self._mime == "text/event-stream":
            return self._sse_line(text)
        if self._mime in STREAM_TYPES:
            return [self._json_record(text.lstrip("\x1e"))] if text.strip() else []
        return [(text + "\n", self._mime)]

    def finish(self) -> list[Block]:
        return self._event() if self._fields else []

    def _sse_line(self, text: str) -> list[Block]:
        if text == "":
            return self._event()
        if text.startswith(":"):  # a comment, often a keep-alive
            return [(text + "\n", "text/plain")]
        name, _, value = text.partition(":")
        self._fields.append((name, value[1:] if value.startswith(" ") else value))
        return []

    def _event(self) -> list[Block]:
        fields, self._fields = self._fields, []
        meta = "  ".join(f"{name}: {value}" for name, value in fields if name != "data")
        data = "\n".join(value for name, value in fields if name == "data")
        blocks: list[Block] = [(meta + "\n", "text/x-sse-fields")] if meta else []
        if data:
            blocks.append(self._json_record(data))
        blocks.append(("\n", "text/plain"))
        return blocks

    def _json_record(self, text: str) -> Block:
        try:
            document = json.loads(text)
        except ValueError:
            return text + "\n", "text/plain"
        if not self._reformat:
            return text + "\n", "application/json"
        pretty = json.dumps(
            document, indent=self._indent, sort_keys=self._sort_keys, ensure_ascii=False
        )
        return pretty + "\n", "application/json"

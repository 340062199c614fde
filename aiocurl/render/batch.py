"""A batch's records: NDJSON on a pipe (one object a request, flushed at once), a compact
line a request on a terminal, and a summary line on stderr at the end.

The record's fields are a documented schema (README, "Batch"): line, method, url, status,
reason, elapsed_ms, bytes, retries, timing, error, kind, and with --batch-body, body and
body_encoding.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO

from aiocurl.errors import printable
from aiocurl.events import Timing
from aiocurl.render.download import human_size
from aiocurl.render.formatting import is_binary
from aiocurl.stats import Stats


@dataclass(frozen=True)
class BatchRecord:
    line: int
    method: str | None
    url: str | None
    status: int | None = None
    reason: str | None = None
    elapsed_ms: float | None = None
    size: int = 0  # body bytes ("bytes" in the record)
    error: str | None = None
    kind: str | None = None
    body: bytes | None = None  # kept with --batch-body
    exit_status: int = 0  # a failure's: what this request alone would have exited with
    file: str | None = None  # where --output-dir saved the body
    retries: int = 0
    timing: Timing | None = None  # the final response's phases, or those a failure reached

    @property
    def failed(self) -> bool:
        return self.error is not None

    def as_json(self, *, with_body: bool, with_file: bool = False) -> dict[str, Any]:
        record: dict[str, Any] = {
            "line": self.line,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 3),
            "bytes": self.size,
            "error": self.error,
            "kind": self.kind,
            "retries": self.retries,
            "timing": timing_fields(self.timing),
        }
        if with_body:
            record.update(body_fields(self.body))
        if with_file:
            record["file"] = self.file
        return record


def timing_fields(timing: Timing | None) -> dict[str, float | None]:
    """The phases in ms, null for one that did not happen (a reused connection has no
    dns, connect or tls; plain http no tls) or that a failure did not reach."""
    if timing is None:
        return dict.fromkeys(("dns", "connect", "tls", "server", "transfer"))
    spans = {
        "dns": timing.dns,
        "connect": timing.connect,
        "tls": timing.tls,
        "server": timing.server,
        "transfer": timing.receiving,
    }
    return {name: None if span is None else round(span * 1000, 3) for name, span in spans.items()}


def body_fields(body: bytes | None) -> dict[str, Any]:
    """The body as text when it is UTF-8 text, else as base64, saying which."""
    if body is None:
        return {"body": None, "body_encoding": None}
    if not is_binary(body):
        try:
            return {"body": body.decode("utf-8"), "body_encoding": "text"}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(body).decode("ascii"), "body_encoding": "base64"}


class BatchWriter:
    """Records as they complete (or in line order with --ordered), then the summary."""

    def __init__(
        self,
        out: BinaryIO,
        err: TextIO,
        *,
        terminal: bool,
        ordered: bool,
        with_body: bool,
        quiet: int,
        with_file: bool = False,
    ) -> None:
        self._out = out
        self._err = err
        self._terminal = terminal
        self._ordered = ordered
        self._with_body = with_body
        self._with_file = with_file
        self._quiet = quiet
        self._held: dict[int, BatchRecord] = {}
        self._lines: list[int] = []  # line numbers in file order, for --ordered
        self._next = 0

    def expect(self, lines: list[int]) -> None:
        self._lines = lines

    def record(self, record: BatchRecord) -> None:
        if not self._ordered:
            self._write(record)
            return
        self._held[record.line] = record
        while self._next < len(self._lines) and self._lines[self._next] in self._held:
            self._write(self._held.pop(self._lines[self._next]))
            self._next += 1

    def _write(self, record: BatchRecord) -> None:
        if self._quiet:
            return
        if self._terminal:
            text = terminal_line(record) + "\n"
        else:
            fields = record.as_json(with_body=self._with_body, with_file=self._with_file)
            text = json.dumps(fields, ensure_ascii=False) + "\n"
        self._out.write(text.encode("utf-8"))
        self._out.flush()

    def summary(self, stats: Stats) -> None:
        if self._quiet:
            return
        self._err.write(f"aiocurl: {summary_line(stats)}\n")


def terminal_line(record: BatchRecord) -> str:
    where = f"{record.method or '?'} {record.url or ''}".rstrip()
    if record.failed:
        return f"line {record.line}: {record.kind}: {record.error}  {where}"
    timing = f"{record.elapsed_ms or 0:.0f} ms"
    status = f"{record.status} {printable(record.reason or '')}".rstrip()
    return f"{status}  {timing}  {human_size(record.size)}  {where}"


def summary_line(stats: Stats) -> str:
    why = ", ".join(f"{count} {kind}" for kind, count in stats.errors.most_common())
    failures = f", {stats.failed} failed ({why})" if stats.failed else ""
    return (
        f"{stats.requests} requests, {stats.answered} answered{failures}, in {stats.seconds:.2f} s"
    )

"""The renderer: a Sink that prints the sections --print asks for, as events arrive."""

from __future__ import annotations

import enum
import io
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO

from aiocurl.environment import GuardedOutput
from aiocurl.events import RawTarget, RequestRecord, ResponseHead, ResponseMeta, Retry
from aiocurl.output_files import WriteError
from aiocurl.render import formatting as fmt
from aiocurl.render.stream import LineSplitter, StreamFormatter, is_stream_type
from aiocurl.request.body import FileSegment, RequestBody, StreamSegment, iter_segment
from aiocurl.request.plan_output import OutputPlan

if TYPE_CHECKING:
    from aiocurl.render.progress import TransferProgress

SHOW_FROM = 4 * 1024 * 1024  # bodies smaller than this finish before a bar helps
SHOW_FILE_UP_TO = 64 * 1024  # text files in a request body are shown up to this size


class Writer(Protocol):
    def write(self, text: str) -> None: ...

    def head(self, lines: list[str], *, response: bool) -> None: ...

    def body(self, text: str, mime: str) -> None: ...


class PlainWriter:
    """No colour. Unformatted heads are written as on the wire, with CRLF."""

    def __init__(self, out: BinaryIO, *, wire: bool) -> None:
        self._out = out
        self._eol = "\r\n" if wire else "\n"

    def write(self, text: str) -> None:
        self._out.write(text.encode("utf-8", errors="replace"))

    def head(self, lines: list[str], *, response: bool) -> None:
        self.write(self._eol.join(lines) + self._eol * 2)

    def body(self, text: str, mime: str) -> None:
        self.write(text)


class BodyMode(enum.Enum):
    """What happens to the response body's bytes as they arrive."""

    HIDDEN = "hidden"  # not asked for
    RAW = "raw"  # written as they arrive: nothing is done to them
    SNIFF = "sniff"  # the first bytes held until they tell binary from text
    WHOLE = "whole"  # text to format or colour, held until the end
    LINES = "lines"  # a stream, formatted record by record
    DROP = "drop"  # binary on a terminal: counted for the notice, not kept


class Renderer:
    """Shows one run's exchanges; intermediate hops only with --all (or -v)."""

    def __init__(
        self,
        plan: OutputPlan,
        out: BinaryIO,
        *,
        err: TextIO | None = None,
        width: int | None = None,
    ) -> None:
        self.plan = plan
        self._out = out
        self._err = err
        self._upload: TransferProgress | None = None
        self._pretty = plan.format or plan.colors
        self._writer: Writer = _make_writer(plan, out, width)
        self._pending: RequestRecord | None = None
        self._last = ""  # "", "head" or "body": what the previous section was
        self._visible = False
        self._mode = BodyMode.HIDDEN
        self._buffer = bytearray()
        self._size = 0  # body bytes received so far
        self._tail = b""  # the last byte written in RAW mode
        self._mime = ""
        self._url = ""  # of the response being shown
        self._charset: str | None = None
        self._lines: tuple[LineSplitter, StreamFormatter] | None = None

    # Sink

    def request(self, record: RequestRecord) -> None:
        if not (self.plan.request_headers or self.plan.request_body):
            return
        self._pending = record
        if self.plan.show_all:
            self._flush_request()

    def upload_progress(self, sent: int, total: int | None) -> None:
        if not self.plan.progress or self._err is None:
            return
        if self._upload is None:
            if total is not None and total < SHOW_FROM:
                return
            from aiocurl.render.progress import TransferProgress

            self._upload = TransferProgress(self._err, "upload")
        self._upload.update(sent, total)

    def _stop_progress(self) -> None:
        if self._upload is not None:
            self._upload.stop()
            self._upload = None

    def response_head(self, head: ResponseHead) -> None:
        self._stop_progress()
        self._visible = head.final or self.plan.show_all
        if not self._visible:
            self._pending = None
            return
        self._flush_request()
        if self.plan.response_headers:
            self._separate()
            self._writer.head(
                fmt.response_head_lines(head, sort=self.plan.headers_sort), response=True
            )
            self._last = "head"
        mime, charset = fmt.mime_and_charset(head.header("Content-Type"))
        self._url = head.url
        self._mime = (self.plan.response_mime or mime).lower()
        self._charset = self.plan.response_charset or charset
        self._buffer.clear()
        self._size = 0
        self._tail = b""
        self._mode = self._first_body_mode()
        self._lines = self._stream_formatter() if self._mode is BodyMode.LINES else None

    def _first_body_mode(self) -> BodyMode:
        """Bytes go straight through a pipe when nothing is done to them. A stream (--stream,
        SSE, NDJSON) shown on a terminal is formatted record by record as it arrives. Anything
        else waits for its first bytes to tell whether it is binary."""
        if not self.plan.response_body:
            return BodyMode.HIDDEN
        if not self._pretty and not self.plan.terminal:
            return BodyMode.RAW
        if self.plan.stream or is_stream_type(self._mime):
            return BodyMode.LINES
        return BodyMode.SNIFF

    def _stream_formatter(self) -> tuple[LineSplitter, StreamFormatter]:
        kind = self._mime if is_stream_type(self._mime) else "text/plain"
        formatter = StreamFormatter(
            kind,
            reformat=self.plan.format and self.plan.json_format,
            indent=self.plan.json_indent,
            sort_keys=self.plan.json_sort_keys,
        )
        return LineSplitter(), formatter

    def body_chunk(self, chunk: bytes) -> None:
        if not self._visible:
            return
        start, self._size = self._size, self._size + len(chunk)
        if self._mode is BodyMode.RAW:
            self._pass_through(chunk)
        elif self._mode is BodyMode.LINES:
            if start < fmt.SNIFF_SIZE and fmt.is_binary(chunk[: fmt.SNIFF_SIZE - start]):
                self._leave_lines(chunk)
            else:
                self._feed_lines(chunk)
        elif self._mode in (BodyMode.SNIFF, BodyMode.WHOLE):
            self._buffer += chunk
            if self._mode is BodyMode.SNIFF and len(self._buffer) >= fmt.SNIFF_SIZE:
                self._settle()

    def raw_target(self) -> RawTarget | None:
        """The output itself, when the body goes there untouched (RAW) and it is a file or a
        pipe: the transport may then write the body's bytes to its descriptor. Never a
        terminal, nor a stream (--stream), which is shown as it comes through body_chunk."""
        if not self._visible or self._mode is not BodyMode.RAW or self.plan.stream:
            return None
        out = self._out
        if isinstance(out, LazyFile) or (isinstance(out, GuardedOutput) and not out.isatty()):
            return out
        return None

    def raw_written(self, count: int) -> None:
        """`count` bytes of the body went to the output's descriptor (raw_target)."""
        self._size += count
        if count:
            self._last = "body"

    def _settle(self) -> None:
        """The first bytes decide. Binary is dropped on a terminal (only its size is kept for
        the notice) and passed through elsewhere; text is passed through unless it is to be
        formatted or coloured, which needs it whole."""
        first = bytes(self._buffer)
        binary = fmt.is_binary(first)
        if not binary and self._pretty:
            self._mode = BodyMode.WHOLE
            return
        self._buffer.clear()
        if binary and self.plan.terminal:
            self._mode = BodyMode.DROP
            return
        self._mode = BodyMode.RAW
        if self._last == "body":
            self._separate()
        self._pass_through(first)

    def _pass_through(self, data: bytes) -> None:
        if not data:
            return
        self._out.write(data)
        self._out.flush()  # a reader at the other end of a pipe sees bytes as they come
        self._tail = data[-1:]
        self._last = "body"

    def _feed_lines(self, chunk: bytes) -> None:
        assert self._lines is not None
        splitter, formatter = self._lines
        for line in splitter.feed(chunk):
            self._emit(formatter.line(line))

    def _leave_lines(self, chunk: bytes) -> None:
        """A stream that turns out to be binary: dropped from here on on a terminal, else
        passed through, starting with the part of a line not yet shown."""
        assert self._lines is not None
        splitter, _ = self._lines
        self._lines = None
        unshown = b"".join(splitter.rest())
        if self.plan.terminal:
            self._mode = BodyMode.DROP
        else:
            self._mode = BodyMode.RAW
            self._pass_through(unshown + chunk)

    def _emit(self, blocks: list[tuple[str, str]]) -> None:
        for text, mime in blocks:
            if self.plan.colors:
                self._writer.body(text, mime)
            else:
                self._writer.write(text)
            self._last = "body"
        self._out.flush()

    def response_end(self, meta: ResponseMeta) -> None:
        if not self._visible:
            return
        self._end_body()
        if self.plan.meta:
            self._separate()
            lines = fmt.meta_lines(meta)
            if meta.timing is not None:
                from aiocurl.render.timing import meta_phase_lines

                lines += meta_phase_lines(meta.timing, self._url)
            self._writer.write("\n".join(lines) + "\n")
            self._last = "body"

    def _end_body(self) -> None:
        if self._mode is BodyMode.SNIFF and self._buffer:
            self._settle()
        if self._mode is BodyMode.LINES and self._lines is not None:
            splitter, formatter = self._lines
            for line in splitter.rest():
                self._emit(formatter.line(line))
            self._emit(formatter.finish())
        elif self._mode is BodyMode.WHOLE:
            self._body(bytes(self._buffer), self._mime, self._charset)
        elif self._mode is BodyMode.DROP:
            if self._last == "body":
                self._separate()
            self._writer.write(fmt.binary_notice(self._size) + "\n")
            self._last = "body"
        elif self._mode is BodyMode.RAW and self.plan.terminal and self._tail not in (b"", b"\n"):
            self._out.write(b"\n")  # the prompt starts on a line of its own
        self._buffer.clear()
        self._lines = None
        self._mode = BodyMode.HIDDEN

    def notice(self, text: str) -> None:
        """Something the user asked to see with -v (a credential left behind, a retry)."""
        if self._err is not None and self.plan.request_headers and self.plan.quiet == 0:
            self._err.write(f"aiocurl: {text}\n")

    def warning(self, text: str) -> None:
        """Something every user should see (a retry), unless -q."""
        if self._err is not None and self.plan.quiet == 0:
            self._err.write(f"aiocurl: {text}\n")

    def retrying(self, retry: Retry) -> None:
        self.warning(retry.text)

    def finish(self) -> None:
        """Print a request that no response followed (--offline, or a failure)."""
        self._stop_progress()
        self._flush_request()
        self._out.flush()

    # Sections

    def _flush_request(self) -> None:
        record, self._pending = self._pending, None
        if record is None:
            return
        if self.plan.request_headers:
            self._separate()
            self._writer.head(fmt.request_head_lines(record), response=False)
            self._last = "head"
        if self.plan.request_body and record.body is not None:
            content_type = next((v for n, v in record.headers if n.lower() == "content-type"), None)
            mime, charset = fmt.mime_and_charset(content_type)
            data = record.body.in_memory
            if data is not None:
                self._body(data, mime, charset)
            else:
                self._segments(record.body)

    def _segments(self, body: RequestBody) -> None:
        """A body with files or a stream in it, shown part by part: in a pipe the bytes as
        sent; on a terminal the text, with binary and large file contents left out."""
        if self._last == "body":
            self._separate()
        raw = not self._pretty and not self.plan.terminal
        for segment in body.segments:
            if isinstance(segment, FileSegment):
                self._file_segment(segment, raw)
            elif isinstance(segment, StreamSegment):
                self._writer.write("\n[the rest of stdin, streamed]\n")
            elif raw:
                self._out.write(segment)
            else:
                self._writer.write(fmt.decode_body(segment, None))
        if not raw:
            self._writer.write("\n")
        self._last = "body"

    def _file_segment(self, segment: FileSegment, raw: bool) -> None:
        if raw and segment.size is not None:
            for block in iter_segment(segment):
                self._out.write(block)
            return
        if segment.size is None:  # a pipe: reading it here would take the bytes to send
            self._writer.write(f"[{segment.path}, streamed]")
            return
        with open(segment.path, "rb") as handle:
            head = handle.read(SHOW_FILE_UP_TO + 1)
        if fmt.is_binary(head) or len(head) > SHOW_FILE_UP_TO:
            self._writer.write(f"[{segment.size} bytes of {segment.path} not shown]")
        else:
            self._writer.write(fmt.decode_body(head, None))

    def _body(self, data: bytes, mime: str, charset: str | None) -> None:
        if not data:
            return
        if self._last == "body":
            self._separate()
        if fmt.is_binary(data) and self.plan.terminal:
            self._writer.write(fmt.binary_notice(len(data)) + "\n")
        elif fmt.is_binary(data) or not self._pretty:
            self._out.write(data)
            if self.plan.terminal and not data.endswith(b"\n"):
                self._out.write(b"\n")
        else:
            text = fmt.decode_body(data, charset)
            if self.plan.format and self.plan.json_format and fmt.looks_like_json(mime, text):
                formatted = fmt.format_json(
                    text, indent=self.plan.json_indent, sort_keys=self.plan.json_sort_keys
                )
                if formatted is not None:
                    text, mime = formatted, "application/json"
            if self.plan.colors:
                self._writer.body(text, mime)
            else:
                self._writer.write(text)
            if not text.endswith("\n"):
                self._writer.write("\n")
        self._last = "body"

    def _separate(self) -> None:
        """A blank line between messages; raw output keeps HTTPie's two newlines."""
        if self._last == "body":
            self._writer.write("\n" if self._pretty or self.plan.terminal else "\n\n")
        self._last = ""


def _make_writer(plan: OutputPlan, out: BinaryIO, width: int | None) -> Writer:
    if plan.colors:
        from aiocurl.render.console import ColourWriter  # rich only when colour is on

        return ColourWriter(KeptOpen(out), style=plan.style, width=width)  # type: ignore[arg-type]
    return PlainWriter(out, wire=not plan.format)


class KeptOpen(io.RawIOBase):
    """`out` for a text wrapper that must not close it: a TextIOWrapper closes its stream
    when it is collected, which would close stdout under whatever is written after the
    renderer is gone (--timing, --write-out)."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__()
        self._out = out

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._out.write(data)
        return len(data)

    def flush(self) -> None:
        if not self.closed:
            self._out.flush()


class LazyFile(io.BufferedIOBase):
    """--output: the file is created at the first byte, or when the response is complete
    (`commit`), so a request that fails before its body leaves an existing file untouched,
    while one that succeeds with an empty body leaves an empty file. A failing disk is
    reported as a `WriteError` that names the file."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path
        self._handle: BinaryIO | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        handle = self._open()
        try:
            return handle.write(data)
        except OSError as exc:
            raise WriteError(self._path, exc) from None

    def commit(self) -> None:
        """The response is complete: the file exists now, even with nothing in it."""
        self._open()

    # A RawTarget (events.py): a plain body written to the descriptor itself.

    def raw_fd(self) -> int:
        handle = self._open()  # asked with the first bytes of the body, as write() would be
        self.flush()
        return handle.fileno()

    def write_error(self, error: OSError) -> WriteError:
        return WriteError(self._path, error)

    def flush(self) -> None:
        if self._handle is not None:
            try:
                self._handle.flush()
            except OSError as exc:
                raise WriteError(self._path, exc) from None

    def close(self) -> None:
        if self.closed:
            return
        try:
            super().close()  # flushes first
        finally:
            self._close_handle()

    def _close_handle(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                handle.close()
            except OSError as exc:
                raise WriteError(self._path, exc) from None

    def _open(self) -> BinaryIO:
        if self._handle is None:
            try:
                self._handle = open(self._path, "wb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise WriteError(self._path, exc) from None
        return self._handle


class TextAsBinary(io.RawIOBase):
    """A text stream (stderr) where the renderer expects bytes."""

    def __init__(self, text: TextIO) -> None:
        super().__init__()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._text.write(bytes(data).decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()

"""--download's sink: the final response's body goes to a file, safely; headers, progress
and notes go to stderr.

The sink decides which response becomes the file (the rest of the same version, a fresh
start, or "already complete"); render/partial_file.py keeps the file and its resume state.
The bytes are saved as the server sent them (a Content-Encoding is not decoded), so sizes
and resume offsets are the server's own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from aiocurl.errors import AiocurlError, printable
from aiocurl.events import RawTarget, RequestRecord, ResponseHead, ResponseMeta, Retry, Sink
from aiocurl.render.download_names import name_for, unique
from aiocurl.render.partial_file import PartialFile, forget_state
from aiocurl.request.plan_output import OutputPlan
from aiocurl.request.resume import (
    Resume,
    content_range,
    int_or_none,
    resume_command,
    validator_of,
)

if TYPE_CHECKING:
    from aiocurl.render.progress import TransferProgress


def human_size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


class DownloadSink:
    """Writes the final response's body to a file; everything else goes to `headers`."""

    def __init__(
        self,
        plan: OutputPlan,
        headers: Sink,
        err: TextIO,
        *,
        resume: Resume | None,
        argv: Sequence[str],
        said: set[str] | None = None,
    ) -> None:
        self.plan = plan
        self._headers = headers
        self._err = err
        self._resume = resume
        self._argv = argv
        self.path: str | None = plan.output_file
        self.status: int | None = None
        self.complete = False
        self._file: PartialFile | None = None
        self._said = said if said is not None else set()  # notes already shown this run
        self._written = 0
        self._offset = 0
        self._expected: int | None = None
        self._validator: str | None = resume.validator if resume else None
        self._started = time.perf_counter()
        self._progress: TransferProgress | None = None

    @property
    def written(self) -> int:
        """Bytes saved by this attempt."""
        return self._written

    @property
    def validator(self) -> str | None:
        return self._validator

    # Sink

    def request(self, record: RequestRecord) -> None:
        self._headers.request(record)

    def upload_progress(self, sent: int, total: int | None) -> None:
        self._headers.upload_progress(sent, total)

    def notice(self, text: str) -> None:
        self._headers.notice(text)

    def warning(self, text: str) -> None:
        self._headers.warning(text)

    def retrying(self, retry: Retry) -> None:
        self._headers.retrying(retry)

    def response_head(self, head: ResponseHead) -> None:
        self._headers.response_head(head)
        if not head.final:
            return
        self.status = head.status
        if head.status == 416 and self._resume is not None:
            self._already_complete(head)
        elif 200 <= head.status < 300:
            self._open(head)

    def body_chunk(self, chunk: bytes) -> None:
        if self._file is None:
            return
        self._write_all(chunk)
        self._show_progress()

    def raw_target(self) -> RawTarget | None:
        """The file, once this response is to become it: the transport may write the rest
        of a plain body to it directly, and reports the bytes with raw_written."""
        return self._file

    def raw_written(self, count: int) -> None:
        self._written += count
        self._show_progress()

    def response_end(self, meta: ResponseMeta) -> None:
        self._headers.response_end(meta)
        if self._file is None:
            return
        self._stop_progress()
        self._file.complete()
        self._file = None
        self.complete = True
        self._summary()

    # Outcomes

    def _already_complete(self, head: ResponseHead) -> None:
        total = content_range(head.header("Content-Range"))[2]
        assert self._resume is not None
        if total is not None and total == self._resume.offset:
            self.complete = True
            forget_state(self.path or "")
            self._note(f"{self.path} is already complete ({human_size(total)})")
        else:
            self.status = 416  # a real refusal: reported like any 4xx

    def _open(self, head: ResponseHead) -> None:
        length = int_or_none(head.header("Content-Length"))
        if head.status == 206 and self._resume is not None:
            start, _, total = content_range(head.header("Content-Range"))
            if start != self._resume.offset:
                raise AiocurlError(
                    f"the server resumed at byte {start}, not {self._resume.offset}: "
                    "remove the partial file and download again"
                )
            self._check_same_version(head)
            self._offset = self._resume.offset
            self._expected = total
        else:
            if self._resume is not None:
                self._note(self._restart_reason(head))
            self._expected = length
            self._validator = None  # a new start: only this response's validator holds
        self._validator = validator_of(head, like=self._validator) or self._validator
        if self.path is None:
            self.path = unique(
                name_for(head.url, head.header("Content-Disposition"), head.header("Content-Type"))
            )
        if self._file is not None:  # a retried attempt opens the file again
            self._file.close()
        self._file = PartialFile(self.path, append=self._offset > 0, validator=self._validator)
        encoding = head.header("Content-Encoding")
        if encoding and encoding.strip().lower() != "identity":
            coding = printable(encoding)
            self._note(f"saving {self.path} as sent (Content-Encoding: {coding})", once=True)

    def _check_same_version(self, head: ResponseHead) -> None:
        """A 206 must be the rest of the version the partial file has: a server that
        ignores If-Range would otherwise splice two versions into one file."""
        ours = self._resume.validator if self._resume else None
        theirs = validator_of(head, like=ours)
        if ours and theirs and theirs != ours:
            raise AiocurlError(
                f"{self.path} changed on the server ({printable(theirs)}, the partial file is "
                f"{printable(ours)}) "
                "but the server sent only the rest: nothing appended; "
                "remove the partial file and download again"
            )

    def _restart_reason(self, head: ResponseHead) -> str:
        if self._resume and self._resume.validator and head.header("Accept-Ranges") == "bytes":
            return f"{self.path} changed on the server: downloading it again from the start"
        return f"the server sent the whole file instead of the rest: starting {self.path} over"

    def failed(self, error: BaseException) -> str | None:
        """After an error or a signal: keep the partial file, note how to resume. The size
        is measured on disk, which is what a resume goes on from."""
        if self._file is None or self.path is None:
            return None
        self._stop_progress()
        got, self._file = self._file.keep(), None
        if got is None:
            return None  # the file is gone: nothing to resume
        of = f" of {human_size(self._expected)}" if self._expected else ""
        command, masked = resume_command(self._argv, self.path)
        again = "\n  (put your credentials back in place of ***)" if masked else ""
        return f"  {got} bytes{of} saved in {self.path}; resume with:\n  {command}{again}"

    # Messages and progress

    def _write_all(self, chunk: bytes) -> None:
        assert self._file is not None
        self._written += self._file.write(chunk)

    def _note(self, text: str, *, once: bool = False) -> None:
        if once and text in self._said:
            return
        self._said.add(text)
        if self.plan.quiet < 2:
            self._err.write(f"aiocurl: {text}\n")

    def _show_progress(self) -> None:
        if not self.plan.progress:
            return
        if self._progress is None:
            from aiocurl.render.progress import TransferProgress

            self._progress = TransferProgress(self._err, "download")
        self._progress.update(self._offset + self._written, self._expected)

    def _stop_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _summary(self) -> None:
        if not self.plan.progress:
            return
        seconds = max(time.perf_counter() - self._started, 1e-6)
        rate = self._written / seconds / 1e6
        self._err.write(
            f"Saved {human_size(self._offset + self._written)} to {self.path} "
            f"in {seconds:.1f} s, {rate:.0f} MB/s\n"
        )

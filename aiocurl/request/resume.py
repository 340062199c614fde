"""What a partial download tells the next attempt, as pure values and functions: where to
go on from (Range), which version it must be (If-Range, the validator), how the server's
answer reads, and the command that resumes. render/partial_file.py keeps the state on disk.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from aiocurl.events import ResponseHead
from aiocurl.redact import redact_argv

_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


@dataclass(frozen=True)
class Resume:
    """What a partial file tells a new attempt: where to go on from, and which version."""

    offset: int
    validator: str | None


def range_headers(resume: Resume | None) -> tuple[tuple[str, str], ...]:
    """Range from the partial size; If-Range so that a changed file is sent whole instead
    of being spliced onto the old one."""
    if resume is None:
        return ()
    headers = [("Range", f"bytes={resume.offset}-")]
    if resume.validator:
        headers.append(("If-Range", resume.validator))
    return tuple(headers)


def resume_command(argv: Sequence[str], path: str) -> tuple[str, bool]:
    """The user's own command with --continue and --output PATH, to paste and run, its
    credentials masked; and whether any were (the user must put them back)."""
    argv, masked = redact_argv(argv)
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-o", "--output"):
            skip = True
            continue
        if arg.startswith("--output=") or arg in ("-c", "--continue"):
            continue
        kept.append(arg)
    return shlex.join(["aiocurl", *kept, "--continue", "--output", path]), masked


def validator_of(head: ResponseHead, *, like: str | None = None) -> str | None:
    """The response's ETag, else its Last-Modified; the same kind as `like` when given
    (an entity tag is quoted, a date is not), so that two versions compare like for like."""
    etag, modified = head.header("ETag"), head.header("Last-Modified")
    if like is not None:
        return etag if like.removeprefix("W/").startswith('"') else modified
    return etag or modified


def int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """`bytes 10-99/100` → (10, 99, 100); `bytes */100` → (None, None, 100)."""
    match = _CONTENT_RANGE.match(value or "")
    if not match:
        return None, None, None
    start, end, total = match.groups()
    return int_or_none(start), int_or_none(end), int_or_none(total)

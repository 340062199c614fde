"""multipart/form-data as body segments: part heads in memory, file contents read when sent."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from aiocurl.request.body import FileSegment, Segment


@dataclass(frozen=True)
class Part:
    name: str
    text: str | None = None  # a text field, or
    file: FileSegment | bytes | None = None  # a file upload
    filename: str | None = None
    content_type: str | None = None


def new_boundary() -> str:
    return secrets.token_hex(16)


def encode(parts: Sequence[Part], boundary: str) -> tuple[Segment, ...]:
    """RFC 7578 framing; each file stays a FileSegment so it is streamed from disk."""
    segments: list[Segment] = []
    for part in parts:
        segments.append(_part_head(part, boundary))
        if part.file is not None:
            segments.append(part.file)
            segments.append(b"\r\n")
        else:
            segments.append((part.text or "").encode("utf-8") + b"\r\n")
    segments.append(f"--{boundary}--\r\n".encode())
    return _merge_literals(segments)


def _part_head(part: Part, boundary: str) -> bytes:
    disposition = f'form-data; name="{_quote(part.name)}"'
    if part.filename is not None:
        disposition += f'; filename="{_quote(part.filename)}"'
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if part.content_type:
        lines.append(f"Content-Type: {part.content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _quote(value: str) -> str:
    """The escaping browsers use in form-data names (HTML's multipart encoding)."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _merge_literals(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] = merged[-1] + segment
        else:
            merged.append(segment)
    return tuple(merged)

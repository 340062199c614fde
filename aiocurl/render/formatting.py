"""Text for each section of output, without colour: heads, bodies, meta. No rich here."""

from __future__ import annotations

import json
from collections.abc import Iterable

from aiocurl.events import Headers, RequestRecord, ResponseHead, ResponseMeta
from aiocurl.request.urls import host_header, request_target

_JSON_HINTS = ("json", "javascript")
# A body is binary when a NUL byte shows up in its first SNIFF_SIZE bytes, so a stream can be
# judged by its beginning and need not be held whole.
SNIFF_SIZE = 8192


def request_head_lines(record: RequestRecord) -> list[str]:
    lines = [f"{record.method} {request_target(record.url)} {record.version}"]
    headers = record.headers
    if not any(name.lower() == "host" for name, _ in headers):
        headers = (("Host", host_header(record.url)), *headers)
    return lines + header_lines(headers)


def response_head_lines(head: ResponseHead, *, sort: bool = False) -> list[str]:
    status = f"{head.version} {head.status} {head.reason}".rstrip()
    return [status, *header_lines(head.headers, sort=sort)]


def header_lines(headers: Headers, *, sort: bool = False) -> list[str]:
    ordered: Iterable[tuple[str, str]] = headers
    if sort:
        ordered = sorted(headers, key=lambda pair: pair[0].lower())
    return [f"{name}: {value}" for name, value in ordered]


def meta_lines(meta: ResponseMeta) -> list[str]:
    lines = [f"Elapsed time: {meta.elapsed:.6f}s"]
    if meta.remote:
        lines.append(f"Remote address: {meta.remote}")
    return lines


def mime_and_charset(content_type: str | None) -> tuple[str, str | None]:
    """`text/html; charset=UTF-8` → ("text/html", "UTF-8")."""
    if not content_type:
        return "", None
    mime, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"'")
    return mime.strip().lower(), charset


def is_binary(body: bytes) -> bool:
    return b"\0" in body[:SNIFF_SIZE]


def decode_body(body: bytes, charset: str | None) -> str:
    """The declared charset, else UTF-8, else Latin-1, which never fails."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("latin-1")


def looks_like_json(mime: str, text: str) -> bool:
    if any(hint in mime for hint in _JSON_HINTS):
        return True
    stripped = text.lstrip()
    return (not mime or mime.startswith("text/")) and stripped[:1] in ("{", "[")


def format_json(text: str, *, indent: int, sort_keys: bool) -> str | None:
    """Indented JSON, or None when the text is not JSON after all."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return json.dumps(document, indent=indent, sort_keys=sort_keys, ensure_ascii=False)


def binary_notice(size: int) -> str:
    return f"[binary data, {size} bytes, not shown on a terminal: use -o FILE or a pipe]"

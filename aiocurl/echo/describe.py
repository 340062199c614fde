"""Describe a received request as httpbin-style JSON.

Everything works from the raw body bytes (`request.read()` is cached), so a description can be
built after the logging middleware has already read the body; aiohttp's own multipart reader
consumes the stream and could not run a second time.
"""

from __future__ import annotations

import json
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_PREFIX = "multipart/form-data"


def add_multi(target: dict[str, Any], key: str, value: str) -> None:
    """Insert `value`; a repeated key becomes a list in arrival order, as httpbin does."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


def raw_header_pairs(request: web.BaseRequest) -> list[list[str]]:
    """Headers exactly as received: order, case and duplicates kept (latin-1, like HTTP/1.1)."""
    pairs = request.raw_headers
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in pairs]


def header_dict(request: web.BaseRequest) -> dict[str, str]:
    """Headers keyed by the name as first sent; repeats (any case) are joined with ', '."""
    spelled: dict[str, str] = {}  # lower-case name -> first spelling seen
    headers: dict[str, str] = {}
    for name, value in raw_header_pairs(request):
        key = spelled.setdefault(name.lower(), name)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def query_args(request: web.BaseRequest) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, value in request.query.items():
        add_multi(args, key, value)
    return args


def full_url(request: web.BaseRequest) -> str:
    """The URL as received: raw (undecoded) target joined to the Host the client sent."""
    target = request.raw_path
    if target.startswith(("http://", "https://")):  # absolute-form, as sent to a proxy
        return target
    return f"{request.scheme}://{request.host}{target}"


def basic_description(request: web.BaseRequest) -> dict[str, Any]:
    """What httpbin's /get returns, plus `raw_headers`."""
    return {
        "args": query_args(request),
        "headers": header_dict(request),
        "raw_headers": raw_header_pairs(request),
        "origin": request.remote or "",
        "url": full_url(request),
    }


def decode_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a multipart/form-data body into (form fields, file parts) by name."""
    # The email package is a complete MIME parser; it needs the Content-Type as a header.
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    parts = message.get_payload()
    if not isinstance(parts, list):  # malformed: no boundary, or not multipart after all
        return form, files
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        content = decode_text(part_bytes(part))
        if part.get_filename() is None:
            add_multi(form, name, content)
        else:
            add_multi(files, name, content)
    return form, files


def part_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def parse_json(text: str) -> Any:
    """The body as JSON whatever its Content-Type (httpbin does the same), else None."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


async def full_description(request: web.BaseRequest) -> dict[str, Any]:
    """What httpbin's /anything returns, plus `raw_headers`."""
    body = await request.read()
    text = decode_text(body)
    content_type = request.headers.get("Content-Type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    if mime == FORM_TYPE:
        for key, value in parse_qsl(text, keep_blank_values=True):
            add_multi(form, key, value)
    elif mime == MULTIPART_PREFIX:
        form, files = parse_multipart(content_type, body)
    parsed_body = bool(form or files)
    description = basic_description(request)
    description.update(
        {
            # httpbin leaves `data` empty when the body was decoded into form/files.
            "data": "" if parsed_body else text,
            "files": files,
            "form": form,
            "json": None if parsed_body else parse_json(text),
            "method": request.method,
        }
    )
    return description

"""The request body: from data items (JSON, form, multipart), `@file`, --raw or stdin.

Exactly one source may give the body; an empty stdin is no source at all.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiocurl.cli.options import Options
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.request.body import FileSegment, RequestBody, read_all
from aiocurl.request.items import ItemKind, RequestItem

if TYPE_CHECKING:
    from aiocurl.request.multipart import Part

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")  # RFC 2046
JSON_CONTENT_TYPE = "application/json"
OCTET_STREAM = "application/octet-stream"

Reader = Callable[[str], bytes]


@dataclass(frozen=True)
class Body:
    data: RequestBody | None = None
    content_type: str | None = None
    is_json: bool = False  # ask for JSON back, as HTTPie does for JSON bodies
    content_encoding: str | None = None


def build_body(
    items: Sequence[RequestItem], options: Options, env: Environment, user_content_type: str | None
) -> Body:
    check_combinations(items, options)
    candidates = [
        fields_body(items, options, env, user_content_type),
        *(file_body(item, env) for item in items if item.kind is ItemKind.RAW_FILE),
        raw_body(options),
        stdin_body(options, env),
    ]
    present = [body for body in candidates if body.data is not None]
    if len(present) > 1:
        raise UsageError(conflict_message(present[0], present[1]))
    body = present[0] if present else Body()
    return compressed(body, options.compress) if options.compress else body


def check_combinations(items: Sequence[RequestItem], options: Options) -> None:
    if options.json and (options.form or options.multipart):
        raise UsageError(
            f"--json and --{'form' if options.form else 'multipart'} cannot be combined"
        )
    if options.compress and options.chunked:
        raise UsageError("--compress and --chunked cannot be combined")
    if options.compress and is_multipart(items, options):
        raise UsageError("--compress cannot be used with a multipart body")


def is_multipart(items: Sequence[RequestItem], options: Options) -> bool:
    uploads = any(item.kind is ItemKind.FILE_UPLOAD for item in items)
    return options.multipart or (options.form and uploads)


def conflict_message(first: Body, second: Body) -> str:
    a, b = first.data, second.data
    assert a is not None and b is not None
    hint = " (pass -I/--ignore-stdin to ignore stdin)" if "stdin" in (a.source, b.source) else ""
    return f"the body can come from one source only, got {a.source} and {b.source}{hint}"


def fields_body(
    items: Sequence[RequestItem], options: Options, env: Environment, user_content_type: str | None
) -> Body:
    fields = [item for item in items if item.kind.is_data]
    if is_multipart(items, options):
        return multipart_body(fields, options, env, user_content_type)
    if not fields:
        return Body()
    for item in fields:
        if item.kind is ItemKind.FILE_UPLOAD:
            hint = "" if options.form else " (perhaps you meant --form?)"
            raise UsageError(f"{item.arg!r}: a file upload needs a multipart body{hint}")
    if options.form:
        pairs = [(item.key, form_text(field_value(item, env.read_file), item)) for item in fields]
        data = urlencode(pairs).encode("ascii")
        return Body(RequestBody.of(data), FORM_CONTENT_TYPE)
    from aiocurl.request.nested_json import build_json  # start-up: only requests with data need it

    document = build_json(
        [(item.key, item.arg, field_value(item, env.read_file)) for item in fields]
    )
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return Body(RequestBody.of(data), JSON_CONTENT_TYPE, is_json=True)


def multipart_body(
    fields: Sequence[RequestItem], options: Options, env: Environment, user_content_type: str | None
) -> Body:
    from aiocurl.request import multipart

    boundary = options.boundary or boundary_of(user_content_type) or multipart.new_boundary()
    if not _BOUNDARY.match(boundary):
        raise UsageError(
            f"invalid multipart boundary {boundary!r}: 1 to 70 letters, digits or "
            "'()+_,-./:=? and spaces, not ending in a space"
        )
    parts = [multipart_part(item, env) for item in fields]
    content_type = user_content_type or "multipart/form-data"
    if boundary_of(content_type) is None:
        quoted = boundary if re.fullmatch(r"[0-9A-Za-z'+_\-.]+", boundary) else f'"{boundary}"'
        content_type = f"{content_type}; boundary={quoted}"
    return Body(RequestBody(multipart.encode(parts, boundary)), content_type)


def boundary_of(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary" and value:
            return value.strip('"')
    return None


def multipart_part(item: RequestItem, env: Environment) -> Part:
    from aiocurl.request.multipart import Part

    if item.kind is not ItemKind.FILE_UPLOAD:
        return Part(item.key, text=form_text(field_value(item, env.read_file), item))
    path, content_type = split_type(item.value)
    return Part(
        item.key,
        file=file_segment(path, env),
        filename=os.path.basename(path),
        content_type=content_type or guess_type(path),
    )


def file_segment(path: str, env: Environment) -> FileSegment | bytes:
    """A file to send. A regular file is read when sent, by its size; one that says it is
    empty is read now, since files in /proc and /sys say so and are not; a pipe or a device
    (`<(command)`, a FIFO) is streamed until its end, chunked, as its length is unknown."""
    size = env.file_size(path)
    if size == 0:
        return env.read_file(path)
    return FileSegment(os.path.expanduser(path), size)


def split_type(value: str) -> tuple[str, str | None]:
    """`path;type=mime/type` → (path, mime/type)."""
    path, sep, content_type = value.rpartition(";type=")
    return (path, content_type.strip()) if sep and path else (value, None)


def guess_type(path: str) -> str:
    import mimetypes

    return mimetypes.guess_type(path)[0] or OCTET_STREAM


def file_body(item: RequestItem, env: Environment) -> Body:
    """`@path`: the whole file is the body, typed by its extension."""
    path, content_type = split_type(item.value)
    kind = content_type or guess_type(path)
    body = RequestBody((file_segment(path, env),), source=f"@{path}")
    return Body(body, kind, is_json=kind == JSON_CONTENT_TYPE)


def raw_body(options: Options) -> Body:
    if options.raw is None:
        return Body()
    # Bytes a shell passed that are not UTF-8 are sent as they were typed.
    data = options.raw.encode("utf-8", "surrogateescape")
    return text_source(RequestBody.of(data, source="--raw"), options)


def stdin_body(options: Options, env: Environment) -> Body:
    if options.ignore_stdin or env.stdin_isatty:
        return Body()
    from aiocurl.request.stdin import read_stdin_body

    body = read_stdin_body(env)
    return text_source(body, options) if body is not None else Body()


def text_source(body: RequestBody, options: Options) -> Body:
    """stdin and --raw are typed like data items: JSON unless --form says otherwise."""
    if options.form:
        return Body(body, FORM_CONTENT_TYPE)
    return Body(body, JSON_CONTENT_TYPE, is_json=True)


def compressed(body: Body, level: int) -> Body:
    """Deflate (zlib format, as HTTP's `deflate` means); only if it shrinks, unless -xx."""
    if body.data is None:
        return body
    import zlib

    original = read_all(body.data)
    deflated = zlib.compress(original)
    if len(deflated) >= len(original) and level < 2:
        return replace(body, data=RequestBody.of(original, source=body.data.source))
    return replace(
        body, data=RequestBody.of(deflated, source=body.data.source), content_encoding="deflate"
    )


def field_value(item: RequestItem, read_file: Reader) -> Any:
    """The item's value as a Python value: strings for `=`, parsed JSON for `:=`."""
    if item.kind is ItemKind.DATA:
        return item.value
    if item.kind is ItemKind.DATA_FILE:
        return file_text(item, read_file)
    text = file_text(item, read_file) if item.kind is ItemKind.JSON_FILE else item.value
    return parse_json(text, item)


def file_text(item: RequestItem, read_file: Reader) -> str:
    try:
        return read_file(item.value).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{item.arg!r}: {item.value!r} is not UTF-8 text") from None


def parse_json(text: str, item: RequestItem) -> Any:
    """A `:=` value; NaN, Infinity and numbers too large for a float are refused, since
    the body built from them would not be JSON."""

    def finite(number: str) -> float:
        value = float(number)
        if math.isinf(value):
            raise UsageError(f"{item.arg!r}: {number} is too large for a JSON number")
        return value

    def constant(name: str) -> Any:
        raise UsageError(f"{item.arg!r}: {name} is not a JSON value (numbers must be finite)")

    try:
        return json.loads(text, parse_float=finite, parse_constant=constant)
    except json.JSONDecodeError as exc:
        where = f"in {item.value!r} " if item.kind is ItemKind.JSON_FILE else ""
        raise UsageError(
            f"{item.arg!r}: invalid JSON {where}at position {exc.pos}: {exc.msg}"
        ) from None


def form_text(value: Any, item: RequestItem) -> str:
    """Form fields are text: JSON scalars are written as JSON, arrays and objects refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        raise UsageError(f"{item.arg!r}: a form field cannot hold a JSON array or object")
    return json.dumps(value)

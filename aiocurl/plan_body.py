"""Data items → the request body: a JSON object by default, urlencoded with --form."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiocurl.errors import UsageError
from aiocurl.items import ItemKind, RequestItem

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"

Reader = Callable[[str], bytes]


@dataclass(frozen=True)
class Body:
    data: bytes | None = None
    content_type: str | None = None
    is_json: bool = False


def build_body(items: Sequence[RequestItem], *, form: bool, read_file: Reader) -> Body:
    fields = [item for item in items if item.kind.is_data]
    if not fields:
        return Body()
    for item in fields:
        if item.kind is ItemKind.FILE_UPLOAD:
            hint = "" if form else " (perhaps you meant --form?)"
            raise UsageError(f"{item.arg!r}: file uploads need multipart, not sent yet{hint}")
    if form:
        pairs = [(item.key, form_text(field_value(item, read_file), item)) for item in fields]
        return Body(urlencode(pairs).encode("ascii"), FORM_CONTENT_TYPE)
    values = [(item.key, field_value(item, read_file)) for item in fields]
    document = json.dumps(json_object(values), ensure_ascii=False)
    return Body(document.encode("utf-8"), JSON_CONTENT_TYPE, is_json=True)


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
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"in {item.value!r} " if item.kind is ItemKind.JSON_FILE else ""
        raise UsageError(
            f"{item.arg!r}: invalid JSON {where}at position {exc.pos}: {exc.msg}"
        ) from None


def json_object(values: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Fields in order; a repeated field collects its values into an array, as HTTPie does."""
    document: dict[str, Any] = {}
    repeated: set[str] = set()
    for key, value in values:
        if key not in document:
            document[key] = value
        elif key in repeated:
            document[key].append(value)
        else:
            document[key] = [document[key], value]
            repeated.add(key)
    return document


def form_text(value: Any, item: RequestItem) -> str:
    """Form fields are text: JSON scalars are written as JSON, arrays and objects refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        raise UsageError(f"{item.arg!r}: a form field cannot hold a JSON array or object")
    return json.dumps(value)

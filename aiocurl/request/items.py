"""The request-item grammar (HTTPie's): `Header:Value`, `name==value`, `field=value`, ...

Pure and syntactic: it splits an argument into kind, key and value. Reading `@file`s and
parsing JSON values is the planner's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from aiocurl.errors import UsageError


class ItemKind(Enum):
    HEADER = ":"
    HEADER_UNSET = ":<empty>"
    HEADER_EMPTY = ";"
    HEADER_FILE = ":@"
    QUERY = "=="
    QUERY_FILE = "==@"
    DATA = "="
    DATA_FILE = "=@"
    JSON = ":="
    JSON_FILE = ":=@"
    FILE_UPLOAD = "@"
    RAW_FILE = "@<body>"  # `@path` with no field name: the file is the whole body

    @property
    def is_header(self) -> bool:
        return self in _HEADER_KINDS

    @property
    def is_query(self) -> bool:
        return self in (ItemKind.QUERY, ItemKind.QUERY_FILE)

    @property
    def is_data(self) -> bool:
        return self in _DATA_KINDS


_HEADER_KINDS = frozenset(
    {ItemKind.HEADER, ItemKind.HEADER_UNSET, ItemKind.HEADER_EMPTY, ItemKind.HEADER_FILE}
)
_DATA_KINDS = frozenset(
    {ItemKind.DATA, ItemKind.DATA_FILE, ItemKind.JSON, ItemKind.JSON_FILE, ItemKind.FILE_UPLOAD}
)

# Longest first, so that at one position `:=@` wins over `:=` and `:`.
_SEPARATORS: tuple[tuple[str, ItemKind], ...] = tuple(
    sorted(
        ((kind.value, kind) for kind in ItemKind if kind is not ItemKind.HEADER_UNSET),
        key=lambda pair: -len(pair[0]),
    )
)
# A backslash makes these literal; before any other character it is kept as typed
# (Windows paths, and `\[` which the nested-JSON syntax reads itself).
_ESCAPABLE = frozenset(":=@;\\")

ITEM_FORMS = "Header:Value, name==value, field=value, field:=json, field@file"


@dataclass(frozen=True)
class RequestItem:
    kind: ItemKind
    key: str
    value: str
    arg: str  # the argument as typed, for error messages


def parse_item(arg: str) -> RequestItem:
    """Split one command-line argument into a request item, or raise UsageError."""
    chars, escaped = _unescape(arg)
    found = _find_separator(chars, escaped)
    if found is None:
        raise UsageError(f"{arg!r} is not a request item (expected {ITEM_FORMS})")
    position, separator, kind = found
    key = "".join(chars[:position])
    value = "".join(chars[position + len(separator) :])
    if not key and kind is ItemKind.FILE_UPLOAD:
        if not value:
            raise UsageError(f"{arg!r}: a file path must follow '@'")
        return RequestItem(ItemKind.RAW_FILE, key, value, arg)
    if not key:
        raise UsageError(f"{arg!r}: the item has no name before {separator!r}")
    return RequestItem(_refine_kind(kind, value, arg), key, value, arg)


def is_item(arg: str) -> bool:
    try:
        parse_item(arg)
    except UsageError:
        return False
    return True


def _unescape(arg: str) -> tuple[list[str], list[bool]]:
    """Characters with backslash escapes resolved, and which of them were escaped."""
    chars: list[str] = []
    escaped: list[bool] = []
    i = 0
    while i < len(arg):
        char = arg[i]
        if char == "\\" and i + 1 < len(arg) and arg[i + 1] in _ESCAPABLE:
            chars.append(arg[i + 1])
            escaped.append(True)
            i += 2
            continue
        chars.append(char)
        escaped.append(False)
        i += 1
    return chars, escaped


def _find_separator(chars: list[str], escaped: list[bool]) -> tuple[int, str, ItemKind] | None:
    """The earliest unescaped separator; at one position the longest one wins."""
    for position in range(len(chars)):
        for separator, kind in _SEPARATORS:
            end = position + len(separator)
            if end > len(chars) or any(escaped[position:end]):
                continue
            if "".join(chars[position:end]) == separator:
                return position, separator, kind
    return None


def _refine_kind(kind: ItemKind, value: str, arg: str) -> ItemKind:
    if kind is ItemKind.HEADER and value == "":
        return ItemKind.HEADER_UNSET
    if kind is ItemKind.HEADER_EMPTY and value != "":
        raise UsageError(f"{arg!r}: nothing may follow ';' (use 'Header;' to send it empty)")
    return kind

"""What the interactive shell keeps between requests, as pure values: the base URL and
where `cd` went under it, the items and flags every request gets, and how a typed line's
method, path and items become one request's positionals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiocurl.errors import UsageError
from aiocurl.request.items import ItemKind, RequestItem, is_item, parse_item
from aiocurl.request.urls import expand_shorthand, prepare_url

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
_CUSTOM_METHOD = re.compile(r"^[A-Z]+$")  # PURGE, PROPFIND: upper case, as HTTPie reads one
_FULL_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://|://|:\d*(/|$))")


@dataclass
class ShellState:
    base: str | None = None  # a path starting with `/` goes after it; None: full URLs only
    path: str = ""  # where `cd` went under the base: "" or "/users/1"
    items: list[str] = field(default_factory=list)  # header, query and data items kept
    flags: dict[str, list[str]] = field(default_factory=dict)  # canonical name → its words

    @property
    def root(self) -> str:
        """The base without its query and fragment, nor a trailing `/`: what paths go after."""
        return (self.base or "").partition("#")[0].partition("?")[0].rstrip("/")

    @property
    def location(self) -> str | None:
        """The URL a request without a path goes to."""
        if self.base is None:
            return None
        return self._under_base(self.path) if self.path else self.base

    def cd(self, target: str | None, default_scheme: str = "http") -> None:
        """`cd PATH` (relative to where it is), `cd /PATH` (from the base), `cd ..`, `cd` or
        `cd /` (the base), `cd URL` (a new base)."""
        if target is None:
            self.path = ""
        elif _FULL_URL.match(target):
            self.base, self.path = checked_base(target, default_scheme), ""
        elif self.base is None:
            raise UsageError("cd: give a URL first (no base URL yet)")
        else:
            self.path = resolved_path(self.path, target.partition("?")[0])

    def url_for(self, word: str | None, default_scheme: str = "http") -> str:
        """A request's URL: its path word (none: where `cd` went) under the base."""
        if word is None or word == ".":
            if self.location is None:
                raise UsageError("no URL: give one (there is no base URL yet)")
            return self.location
        if _FULL_URL.match(word) or self.base is None:
            return word  # as the single command reads it: shorthands, a default scheme
        path, _, query = word.partition("?")
        return self._under_base(resolved_path(self.path, path), query)

    def _under_base(self, path: str, query: str = "") -> str:
        """`path` after the base's path (none: the base's own); the base's query first,
        then `query`, as --base-url joins them."""
        without_query, _, base_query = (self.base or "").partition("#")[0].partition("?")
        joined_query = "&".join(part for part in (base_query, query) if part)
        url = self.root + path if path else without_query
        return url + (f"?{joined_query}" if joined_query else "")

    def keep_items(self, words: Sequence[str], kinds: str) -> None:
        """`header`, `query`, `data`: items kept for every request; one of the same name
        replaces the one kept."""
        for word in words:
            kind = checked_item(word).kind
            if kinds == "header":
                fits = kind.is_header
            elif kinds == "query":
                fits = kind.is_query
            else:  # data: a field, or a file as the whole body
                fits = kind.is_data or kind is ItemKind.RAW_FILE
            if not fits:
                raise UsageError(f"{kinds}: {word!r} is not a {kinds} item")
        self.items = merged_items(self.items, words)

    def unset(self, name: str) -> bool:
        """Drop the items of this name (a header's in any case); whether there were any."""
        wanted = name.rstrip(":;=@")
        kept = [word for word in self.items if not _named(parse_item(word), wanted)]
        dropped = len(kept) < len(self.items)
        self.items = kept
        return dropped


def checked_base(url: str, default_scheme: str = "http") -> str:
    """A new base URL, its shorthand expanded; one that no request could go to is refused
    now, not at every request after it."""
    expanded = expand_shorthand(url, default_scheme)
    prepare_url(expanded)
    return expanded


def resolved_path(current: str, path: str) -> str:
    """`path` from `current` ("/a/b"): from the base when it starts with `/`; `.` and `..`
    resolved, never above the base. A trailing `/` is kept."""
    segments = [] if path.startswith("/") else [s for s in current.split("/") if s]
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    joined = "/" + "/".join(segments) if segments else ""
    if path.endswith("/") and segments:
        joined += "/"
    return joined


def checked_item(word: str) -> RequestItem:
    if not is_item(word):
        raise UsageError(f"{word!r} is not a request item (Header:Value, name==value, field=value)")
    return parse_item(word)


def _item_key(item: RequestItem) -> tuple[str, str]:
    if item.kind.is_header:
        return "header", item.key.lower()
    if item.kind.is_query:
        return "query", item.key
    return "data", item.key


def _named(item: RequestItem, name: str) -> bool:
    return item.key.lower() == name.lower() if item.kind.is_header else item.key == name


def merged_items(kept: Sequence[str], given: Sequence[str]) -> list[str]:
    """The kept items, less those the given ones name again, then the given ones."""
    named = {_item_key(parse_item(word)) for word in given if is_item(word)}
    return [word for word in kept if _item_key(parse_item(word)) not in named] + list(given)


@dataclass(frozen=True)
class RequestLine:
    method: str | None
    path: str | None  # None: where `cd` went
    items: list[str]


def request_line(positionals: Sequence[str]) -> RequestLine:
    """`[METHOD] [PATH|URL] [ITEM ...]`: a method in any case (`get`, `GET`; a custom one in
    upper case), then a word that is not an item is the path."""
    words = list(positionals)
    method = None
    if words and (words[0].upper() in METHODS or _CUSTOM_METHOD.match(words[0])):
        method = words.pop(0).upper()
    path = None
    if words and _is_path(words[0]):
        path = words.pop(0)
    return RequestLine(method, path, words)


def _is_path(word: str) -> bool:
    return bool(_FULL_URL.match(word)) or word.startswith(("/", ".")) or not is_item(word)

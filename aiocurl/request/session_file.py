"""Session files (`--session`, `--session-read-only`) in HTTPie 3's JSON format, as values.

Pure apart from the injected file reader: where a session lives, what a file says, what
this request adds to it, and the bytes to write back. The cookies themselves live in the
transport's jar during the run (transport/session_jar.py); the file is written by
modes/session.py.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from aiocurl import __version__
from aiocurl.config_dir import config_dir
from aiocurl.errors import UsageError
from aiocurl.request.items import ItemKind, RequestItem

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")  # HTTPie's rule for session names
# Headers that describe one request's body or condition, never kept (HTTPie keeps no
# Content-* or If-* header either).
_PER_REQUEST_PREFIXES = ("content-", "if-")
_PER_REQUEST = frozenset({"range", "cookie"})  # a Cookie item is kept as cookies instead
_AUTH_TYPES = frozenset({"basic", "digest", "bearer"})


@dataclass(frozen=True)
class StoredCookie:
    """One cookie as the file keeps it. `domain` follows HTTPie (http.cookiejar): a leading
    dot for a cookie its subdomains get too, the bare host for a host-only cookie."""

    name: str
    value: str
    domain: str
    path: str = "/"
    expires: float | None = None  # seconds since the epoch; None: kept until deleted
    secure: bool = False


@dataclass(frozen=True)
class SessionAuth:
    kind: str  # basic | digest | bearer
    raw: str  # as given: USER:PASS, or the token


@dataclass(frozen=True)
class SessionData:
    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[StoredCookie, ...] = ()
    auth: SessionAuth | None = None
    base_url: str | None = None
    # Keys aiocurl does not use (`__meta__`, another tool's), written back as they were.
    others: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SessionPlan:
    path: str
    read_only: bool
    url: str  # the request's URL: Cookie items are cookies of its host
    loaded: SessionData  # as read; its cookies go into the jar before the request
    updated: SessionData  # with this request's headers, auth and base URL
    item_cookies: tuple[tuple[str, str], ...] = field(default=())  # from Cookie items


def is_session_path(value: str) -> bool:
    return "/" in value or os.sep in value or value.endswith(".json")


def session_path(value: str, url: str, env: Mapping[str, str]) -> str:
    """A PATH as given (`~` expanded); a NAME in `<config dir>/sessions/<host>_<port>/`."""
    if is_session_path(value):
        return os.path.expanduser(value)
    if not _NAME.match(value):
        raise UsageError(
            f"--session {value!r}: a session name is letters, digits, '_', '.' and '-' "
            "(give a path with a '/' for a file elsewhere)"
        )
    return str(config_dir(env) / "sessions" / host_directory(url) / f"{value}.json")


def host_directory(url: str) -> str:
    """`host_port`, the port spelled out even when it is the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "localhost").lower()
    default = 443 if parts.scheme in ("https", "wss") else 80
    return f"{host}_{parts.port or default}".replace(":", "_")


def parse_session(raw: bytes, path: str) -> SessionData:
    """A session file's contents, HTTPie 3's layout or its older dict-shaped one."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"session file {path!r} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"session file {path!r} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(document, dict):
        raise UsageError(f"session file {path!r} is not a JSON object")
    try:
        return SessionData(
            headers=_headers(document.get("headers")),
            cookies=_cookies(document.get("cookies")),
            auth=_auth(document.get("auth")),
            base_url=_optional_text(document.get("base_url"), "base_url"),
            others=tuple(
                (key, value)
                for key, value in document.items()
                if key not in ("headers", "cookies", "auth", "base_url")
            ),
        )
    except (TypeError, ValueError, KeyError, CookieError) as exc:
        raise UsageError(f"session file {path!r}: {exc}") from None


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):  # HTTPie before 3.2: {name: value}
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = [(entry["name"], entry["value"]) for entry in value]
    else:
        raise TypeError("'headers' is neither a list nor an object")
    for name, text in pairs:
        if not isinstance(name, str) or not isinstance(text, str):
            raise TypeError(f"header {name!r} is not a name and a text value")
    return tuple(pairs)


def _cookies(value: Any) -> tuple[StoredCookie, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):  # HTTPie before 3.1: {name: {value, path, ...}}
        entries = [{"name": name, **entry} for name, entry in value.items()]
    elif isinstance(value, list):
        entries = value
    else:
        raise TypeError("'cookies' is neither a list nor an object")
    return tuple(_cookie(entry) for entry in entries)


def _cookie(entry: Any) -> StoredCookie:
    if not isinstance(entry, dict):
        raise TypeError("a cookie is not an object")
    name = entry["name"]
    SimpleCookie()[name] = ""  # CookieError for a name no Cookie header can carry
    expires = entry.get("expires")
    if expires is not None and not isinstance(expires, int | float):
        raise TypeError(f"cookie {name!r}: 'expires' is not a number of seconds")
    return StoredCookie(
        name=name,
        value=str(entry.get("value") or ""),
        domain=_optional_text(entry.get("domain"), "domain") or "",
        path=_optional_text(entry.get("path"), "path") or "/",
        expires=float(expires) if expires is not None else None,
        secure=bool(entry.get("secure")),
    )


def _auth(value: Any) -> SessionAuth | None:
    if not value or not isinstance(value, dict) or not value.get("type"):
        return None
    kind = str(value["type"]).lower()
    if kind not in _AUTH_TYPES:
        raise ValueError(f"auth type {kind!r} is not one of {', '.join(sorted(_AUTH_TYPES))}")
    if value.get("raw_auth") is not None:
        return SessionAuth(kind, str(value["raw_auth"]))
    username, password = value.get("username"), value.get("password")  # HTTPie before 3.0
    if username is None:
        return None
    if kind == "bearer":
        return SessionAuth(kind, str(password or username))
    return SessionAuth(kind, f"{username}:{password or ''}")


def _optional_text(value: Any, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key!r} is not text")
    return value


def dump_session(data: SessionData) -> bytes:
    """HTTPie 3's layout (HTTPie reads it, and writes back the keys it does not know)."""
    others = dict(data.others)
    meta = others.get("__meta__")
    meta = dict(meta) if isinstance(meta, dict) else {"about": "HTTPie session file"}
    meta["aiocurl"] = __version__
    others["__meta__"] = meta
    document: dict[str, Any] = {
        **others,
        "headers": [{"name": name, "value": value} for name, value in data.headers],
        "cookies": [
            {
                "name": cookie.name,
                "value": cookie.value,
                "domain": cookie.domain,
                "path": cookie.path,
                "expires": int(cookie.expires) if cookie.expires is not None else None,
                "secure": cookie.secure,
            }
            for cookie in data.cookies
        ],
        "auth": (
            {"type": data.auth.kind, "raw_auth": data.auth.raw}
            if data.auth is not None
            else {"type": None, "raw_auth": None}
        ),
    }
    if data.base_url is not None:
        document["base_url"] = data.base_url
    return (json.dumps(document, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def kept_header(name: str) -> bool:
    lower = name.lower()
    return lower not in _PER_REQUEST and not lower.startswith(_PER_REQUEST_PREFIXES)


def session_header_items(session: SessionData, items: Sequence[RequestItem]) -> list[RequestItem]:
    """The session's headers as header items, ahead of the user's: an item of the same
    name (or `Name:` removing it) replaces the stored one for this request."""
    given = {item.key.lower() for item in items if item.kind.is_header}
    return [
        RequestItem(ItemKind.HEADER if value else ItemKind.HEADER_EMPTY, name, value, name)
        for name, value in session.headers
        if name.lower() not in given
    ]


def updated_headers(
    session: SessionData, items: Sequence[RequestItem], values: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """The stored headers after this request: an item's value replaces the stored one
    (`Name:` removes it), new ones are added after; per-request headers are not kept.
    `values`: each header item's value as sent (read from its file for `Name:@file`)."""
    touched = {item.key.lower() for item in items if item.kind.is_header}
    kept = [(name, value) for name, value in session.headers if name.lower() not in touched]
    added: dict[str, tuple[str, str]] = {}
    for item in items:
        if not item.kind.is_header or not kept_header(item.key):
            continue
        if item.kind is ItemKind.HEADER_UNSET:
            added.pop(item.key.lower(), None)
            continue
        added[item.key.lower()] = (item.key, values.get(item.key.lower(), item.value))
    return (*kept, *added.values())


def cookies_from_items(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The name=value pairs of the Cookie headers sent, to keep as cookies of the host."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() != "cookie":
            continue
        for part in value.split(";"):
            key, sep, text = part.strip().partition("=")
            if sep and key:
                pairs.append((key.strip(), text.strip()))
    return tuple(pairs)


def read_session(path: str, *, read_only: bool, read_file: Callable[[str], bytes]) -> SessionData:
    """The file's session; a new one when it does not exist yet (--session only)."""
    if not os.path.lexists(path):
        if read_only:
            raise UsageError(f"--session-read-only: session file {path!r} does not exist")
        return SessionData()
    if os.path.isdir(path):
        raise UsageError(f"session file {path!r} is a directory")
    try:
        raw = read_file(path)
    except UsageError as exc:
        raise UsageError(f"session file {path!r}: {exc.message}") from None
    return parse_session(raw, path)


def stored_base_url(
    value: str, env: Mapping[str, str], read_file: Callable[[str], bytes]
) -> str | None:
    """The base URL a session keeps, for a URL that is only a path: a PATH's own; for a
    NAME, which is kept per host, the one stored under that name for any host (an error
    when several hosts keep different ones)."""
    if is_session_path(value):
        paths = [session_path(value, "http://localhost/", env)]
    else:
        session_path(value, "http://localhost/", env)  # checks the name
        sessions = config_dir(env) / "sessions"
        paths = sorted(str(found) for found in sessions.glob(f"*/{value}.json"))
    bases = {
        base
        for path in paths
        if (base := read_session(path, read_only=False, read_file=read_file).base_url)
    }
    if len(bases) > 1:
        raise UsageError(
            f"--session {value!r}: sessions of that name keep different base URLs "
            f"({', '.join(sorted(bases))}); give --base-url or a full URL"
        )
    return bases.pop() if bases else None

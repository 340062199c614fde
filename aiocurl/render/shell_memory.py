"""What the shell has learnt from the responses it printed, for completion.

An API hands out its own map: the URLs that answered, where `Location` and
`Content-Location` point, and the links in its JSON bodies (`"url": "http://host/users/2"`,
`"next": "/users?page=2"`). `ShellMemory` keeps those on the answering origin, and the
header names the server used, most recent first and bounded, so a long session cannot grow
without limit. Pure: no I/O, standard library only.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urljoin, urlsplit, urlunsplit

# The request headers people type most; completion offers them before any response came.
COMMON_HEADERS = (
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "Cache-Control",
    "Connection",
    "Content-Encoding",
    "Content-Type",
    "Cookie",
    "DNT",
    "Forwarded",
    "Idempotency-Key",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Origin",
    "Pragma",
    "Prefer",
    "Proxy-Authorization",
    "Range",
    "Referer",
    "TE",
    "Upgrade",
    "User-Agent",
    "X-API-Key",
    "X-Correlation-ID",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-HTTP-Method-Override",
    "X-Request-ID",
    "X-Requested-With",
)
# Names only a response carries (and Access-Control-*): offering them for a request would
# be noise.
_RESPONSE_ONLY = frozenset(
    name.lower()
    for name in (
        "Accept-Ranges",
        "Age",
        "Alt-Svc",
        "Content-Length",
        "Content-Location",
        "Date",
        "ETag",
        "Expires",
        "Keep-Alive",
        "Last-Modified",
        "Location",
        "Proxy-Authenticate",
        "Retry-After",
        "Server",
        "Set-Cookie",
        "Strict-Transport-Security",
        "Trailer",
        "Transfer-Encoding",
        "Vary",
        "Via",
        "WWW-Authenticate",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "X-Powered-By",
        "X-XSS-Protection",
    )
)
_CANONICAL = {name.lower(): name for name in COMMON_HEADERS}

MAX_URLS = 500
MAX_HEADER_NAMES = 100
MAX_BODY = 256 * 1024
# A JSON string literal, escapes included: found one after another from the start, so a body
# cut short at MAX_BODY still yields every literal before the cut.
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_LINK = 2048


class ShellMemory:
    """What earlier responses taught the shell, for completion."""

    def __init__(self, max_urls: int = MAX_URLS, max_header_names: int = MAX_HEADER_NAMES) -> None:
        self._max_urls = max_urls
        self._max_header_names = max_header_names
        # Most recent last: moving a key to the end is how a URL seen again becomes recent.
        self._urls: OrderedDict[str, None] = OrderedDict()
        self._header_names: OrderedDict[str, str] = OrderedDict()  # lower-case → usual case

    def note_response(
        self, url: str, headers: Sequence[tuple[str, str]], body: bytes | None
    ) -> None:
        """`url`: the URL that answered; its path is remembered. Header names are remembered
        (for header completion), the targets of Location and Content-Location (resolved
        against `url`), and, for a JSON body (given only when the response said JSON; at
        most the first 256 KiB), string values that are paths (`"/users/2"`) or URLs on the
        same origin: links an API hands out."""
        origin = _origin(url)
        if origin is None:
            return
        found = [_without_query(url)]
        for name, value in headers:
            self._note_header_name(name)
            if name.lower() in ("location", "content-location"):
                found.extend(_resolved(url, value.strip()))
        if body:
            found.extend(_links_in_json(body[:MAX_BODY], url, origin))
        self._note_urls(found)

    def header_names(self) -> list[str]:
        """Names seen in responses, in their usual case, most recent first."""
        return list(reversed(self._header_names.values()))

    def urls(self) -> list[str]:
        """Absolute URLs remembered, most recent first, no duplicates."""
        return list(reversed(self._urls))

    def _note_header_name(self, name: str) -> None:
        lowered = name.lower()
        if lowered in _RESPONSE_ONLY or lowered.startswith("access-control-"):
            return
        self._header_names.pop(lowered, None)
        self._header_names[lowered] = usual_case(name)
        while len(self._header_names) > self._max_header_names:
            self._header_names.popitem(last=False)

    def _note_urls(self, found: Iterable[str]) -> None:
        """One response's URLs, in the order it gave them, become the most recent."""
        fresh = list(dict.fromkeys(found))[: self._max_urls]
        for url in reversed(fresh):
            self._urls.pop(url, None)
            self._urls[url] = None
        while len(self._urls) > self._max_urls:
            self._urls.popitem(last=False)


def usual_case(name: str) -> str:
    """`content-type` → `Content-Type` (HTTP/2 and some servers send names in lower case);
    a name the server spelt in capitals keeps them, a common one takes its usual spelling."""
    if name.lower() in _CANONICAL:
        return _CANONICAL[name.lower()]
    if name != name.lower():
        return name
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the default port filled in; None otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range or not a number
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _without_query(url: str) -> str:
    """The answering URL without its query: that was typed as items, and it changes."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


def _resolved(base: str, reference: str) -> list[str]:
    """A Location-like reference as an absolute http(s) URL, fragment dropped."""
    if not reference or any(char.isspace() for char in reference):
        return []
    try:
        absolute = urljoin(base, reference)
    except ValueError:  # `http://[::1/x`: a bracket not closed
        return []
    if _origin(absolute) is None:
        return []
    return [absolute.partition("#")[0]]


def _links_in_json(body: bytes, url: str, origin: tuple[str, str, int]) -> Iterator[str]:
    """Strings of a JSON body that are paths (`/users/2`) or URLs on `url`'s origin."""
    text = body.decode("utf-8", errors="replace")
    for match in _STRING_LITERAL.finditer(text):
        try:
            value = json.loads(match.group())
        except ValueError:  # a broken escape: not a link anyway
            continue
        if not isinstance(value, str) or len(value) > _MAX_LINK or not _looks_like_link(value):
            continue
        if value.startswith("/"):
            yield from _resolved(url, value)
        elif _origin(value) == origin:
            yield value.partition("#")[0]


def _looks_like_link(value: str) -> bool:
    """A path (not `//host`, a protocol-relative URL) or an http(s) URL, with no blanks or
    control characters: prose with a slash in it is not a link."""
    if any(char.isspace() or ord(char) < 0x20 for char in value):
        return False
    if value.startswith("/"):
        return not value.startswith("//")
    return value.lower().startswith(("http://", "https://"))

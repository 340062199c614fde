"""URL shorthands and normalisation, with the standard library only (no yarl at plan time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from aiocurl.errors import UsageError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Characters that may stand unencoded in a path or query; `%` stays so that
# what the user already encoded is sent as typed.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class Target:
    """A request URL ready to send, with any credentials it carried split off."""

    url: str
    username: str | None = None
    password: str | None = None


def expand_shorthand(url: str, default_scheme: str = "http") -> str:
    """`:3000/x` → `http://localhost:3000/x`, `://h/x` and `h/x` gain the default scheme."""
    if url.startswith("://"):
        return f"{default_scheme}{url}"
    if _SCHEME.match(url):
        return url
    if url.startswith(":"):
        rest = url[1:]
        port = re.match(r"\d*", rest)
        assert port is not None
        digits, path = port.group(), rest[port.end() :]
        host = f"localhost:{digits}" if digits else "localhost"
        return (
            f"{default_scheme}://{host}{path if path.startswith('/') or not path else '/' + path}"
        )
    return f"{default_scheme}://{url}"


def prepare_url(
    raw: str,
    *,
    default_scheme: str = "http",
    path_as_is: bool = False,
    query: list[tuple[str, str]] | None = None,
) -> Target:
    """Expand, validate and encode a URL; append query items after its own query."""
    expanded = expand_shorthand(raw, default_scheme)
    try:
        parts = urlsplit(expanded)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"invalid URL {raw!r}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https", "ws", "wss"):
        raise UsageError(f"invalid URL {raw!r}: unsupported scheme {parts.scheme!r}")
    if not parts.hostname:
        raise UsageError(f"invalid URL {raw!r}: no host")
    netloc = _encode_host(parts.hostname, raw)
    if port is not None:
        netloc = f"{netloc}:{port}"
    # Bytes that are not UTF-8 (a shell passes them as surrogate escapes) are sent as the
    # raw bytes they were, percent-encoded.
    path = quote(parts.path, safe=_PATH_SAFE, errors="surrogateescape") or "/"
    if not path_as_is:
        path = remove_dot_segments(path)
    query_string = quote(parts.query, safe=_QUERY_SAFE, errors="surrogateescape")
    if query:
        extra = urlencode(query, errors="surrogateescape")
        query_string = f"{query_string}&{extra}" if query_string else extra
    url = urlunsplit((parts.scheme.lower(), netloc, path, query_string, ""))
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return Target(url, username, password)


def _encode_host(hostname: str, raw: str) -> str:
    if ":" in hostname:  # an IPv6 literal, which urlsplit gives without brackets
        return f"[{hostname}]"
    if hostname.isascii():
        return hostname.lower()
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise UsageError(f"invalid URL {raw!r}: bad host name {hostname!r}") from None


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve `.` and `..` segments."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port made explicit, for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), parts.port or default


def request_target(url: str) -> str:
    """The path and query as they appear on the request line."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def host_header(url: str) -> str:
    """The Host header value aiohttp sends: the port only when it is not the default."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    scheme, _, port = origin(url)
    default = 443 if scheme in ("https", "wss") else 80
    if parts.port is not None and port == default:
        host = host.rsplit(":", 1)[0]
    return host


def mask_password(url: str) -> str:
    """The URL with any password replaced, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))

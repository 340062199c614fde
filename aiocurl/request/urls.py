"""URL shorthands and normalisation, with the standard library only (no yarl at plan time)."""

from __future__ import annotations

import ipaddress
import re
import string
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from aiocurl.errors import UsageError
from aiocurl.redact import redact_url

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Characters that may stand unencoded in a path or query; `%` stays so that
# what the user already encoded is sent as typed.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
# RFC 3986's reg-name: unreserved, sub-delims and percent-encoding.
_HOST_CHARS = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=%")


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


def join_base_url(base: str, url: str, default_scheme: str = "http") -> str:
    """`--base-url`: a URL that starts with `/` appended to the base, whose path is kept
    (unlike RFC 3986 joining), with one `/` between them however many either side has.
    The base's query comes first, then the URL's; the base's fragment is dropped. A base
    without a scheme gets the default one, as any URL does."""
    parts = urlsplit(expand_shorthand(base, default_scheme))
    without_fragment = url.partition("#")[0]
    path, _, query = without_fragment.partition("?")
    joined_path = parts.path.rstrip("/") + "/" + path.lstrip("/")
    joined_query = "&".join(q for q in (parts.query, query) if q)
    return urlunsplit((parts.scheme, parts.netloc, joined_path, joined_query, ""))


class InvalidURL(UsageError):
    """A URL that cannot be sent; `reason` says why without repeating the URL."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"invalid URL {redact_url(raw)!r}: {reason}")
        self.reason = reason


def prepare_url(
    raw: str,
    *,
    default_scheme: str = "http",
    path_as_is: bool = False,
    query: list[tuple[str, str]] | None = None,
) -> Target:
    """Expand, validate and encode a URL; append query items after its own query."""
    expanded = expand_shorthand(raw, default_scheme)
    if "\x00" in expanded:
        raise InvalidURL(raw, "it contains a NUL character")
    try:
        parts = urlsplit(expanded)
    except ValueError:  # a bad IPv6 bracket, or a host that Unicode normalisation changes
        reason = "a '[' that does not enclose an IPv6 address" if "[" in expanded else None
        raise InvalidURL(raw, reason or "the host name is not valid") from None
    if parts.scheme.lower() not in ("http", "https", "ws", "wss"):
        raise InvalidURL(raw, f"unsupported scheme {parts.scheme!r}")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host, port = split_host_port(hostport, raw)
    netloc = _encode_host(host, raw) + (f":{port}" if port is not None else "")
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
    username = unquote(parts.username) if userinfo and parts.username else None
    password = unquote(parts.password) if userinfo and parts.password is not None else None
    return Target(url, username, password)


def split_host_port(hostport: str, raw: str) -> tuple[str, int | None]:
    """`host:port` → (host, port), with IPv6 brackets kept; the port checked here, in our
    words, rather than by urllib."""
    if hostport.startswith("["):
        host, _, rest = hostport.partition("]")
        host += "]"
        if rest and not rest.startswith(":"):
            raise InvalidURL(raw, f"unexpected {rest!r} after the IPv6 address")
        port_text = rest[1:] if rest else None
    else:
        host, sep, port_text_found = hostport.partition(":")
        port_text = port_text_found if sep else None
    if not host or host == "[]":
        raise InvalidURL(raw, "no host")
    if port_text is None or port_text == "":
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise InvalidURL(raw, f"the port must be a number from 1 to 65535, got {port_text!r}")
    return host, int(port_text)


def _encode_host(host: str, raw: str) -> str:
    if host.startswith("["):  # an IPv6 literal, optionally with a zone (%25eth0)
        address, _, zone = host[1:-1].partition("%25")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            raise InvalidURL(raw, f"{host} is not an IPv6 address") from None
        return f"[{address.lower()}{'%25' + zone if zone else ''}]"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidURL(raw, f"bad host name {host!r}") from None
    bad = next((char for char in host if char not in _HOST_CHARS), None)
    if bad is not None:
        raise InvalidURL(raw, f"the host name {host!r} contains {bad!r}, which no host name may")
    labels = host.removesuffix(".").split(".")
    if "%" not in host and (len(host) > 253 or not all(0 < len(label) < 64 for label in labels)):
        raise InvalidURL(raw, f"the host name {host!r} has an empty or too long part")
    return host.lower()


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

"""Where connections go, as plain values: --resolve, --connect-to, --interface and --proxy
parsed and checked, each rule knowing which hosts it matches (TransportPlan picks among
them). Imported only when a routing flag is given or a proxy variable is set.

Pure: the transport applies them (transport/routing.py, transport/proxy.py). None of these
changes the request itself: the URL, the Host header and the TLS name stay the URL's.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from aiocurl.errors import UsageError
from aiocurl.redact import redact_url
from aiocurl.request.urls import InvalidURL, prepare_url

ANY = "*"  # --resolve's host for any name (curl's wildcard)
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")
SOCKS_PORT = 1080  # curl's default for a proxy URL without a port


@dataclass(frozen=True)
class ResolveRule:
    """--resolve HOST:PORT:ADDR[,ADDR...], or xh's HOST:ADDR for any port."""

    host: str  # lower case, no trailing dot; ANY for every name
    port: int | None  # None: any port
    addresses: tuple[str, ...]  # IP addresses, IPv6 without brackets

    def matches(self, host: str, port: int) -> bool:
        return (self.host == ANY or self.host == _name(host)) and self.port in (None, port)

    @property
    def generality(self) -> tuple[bool, bool]:
        """Of the rules that match, the least general wins: a port, then a name."""
        return self.port is None, self.host == ANY


@dataclass(frozen=True)
class ConnectRule:
    """--connect-to HOST1:PORT1:HOST2:PORT2; an empty field matches any host or port, or
    keeps the request's."""

    host: str | None
    port: int | None
    to_host: str | None
    to_port: int | None

    def matches(self, host: str, port: int) -> bool:
        return self.host in (None, _name(host)) and self.port in (None, port)

    def target(self, host: str, port: int) -> tuple[str, int]:
        return self.to_host or host, self.to_port or port


@dataclass(frozen=True)
class ProxyRoute:
    """A proxy, and which requests use it: those of `scheme` (http or https), or all."""

    url: str  # without credentials: what aiohttp is given for an HTTP proxy
    host: str  # IPv6 without brackets
    port: int
    username: str | None = None
    password: str | None = None
    scheme: str | None = None  # None: every request

    @property
    def kind(self) -> str:
        """http, https, socks4, socks4a, socks5 or socks5h."""
        return self.url.partition("://")[0]

    @property
    def is_socks(self) -> bool:
        return self.kind.startswith("socks")

    @property
    def remote_dns(self) -> bool:
        """socks4a and socks5h hand the host name to the proxy, which looks it up."""
        return self.kind in ("socks4a", "socks5h")

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class BadProxy(Exception):
    """A proxy URL aiocurl cannot use: `scheme` when that is the reason, else `reason`."""

    def __init__(self, reason: str, scheme: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.scheme = scheme


def resolve_rule(value: str) -> ResolveRule:
    """`HOST:PORT:ADDR[,ADDR...]` (curl's) or `HOST:ADDR[,ADDR...]` (xh's, any port)."""
    host, sep, rest = value.partition(":")
    usage = f"--resolve: expected HOST:PORT:ADDR or HOST:ADDR, got {value!r}"
    if not sep or not host or not rest:
        raise UsageError(usage)
    port_text, _, addresses_text = rest.partition(":")
    addresses = _addresses(addresses_text) if port_text.isdigit() else None
    if addresses is not None:
        port: int | None = _port(port_text, "--resolve", value)
    else:  # no port: xh's form (and an unbracketed IPv6 address after it)
        port, addresses = None, _addresses(rest)
    if addresses is None:
        raise UsageError(f"{usage} (ADDR: IP addresses, IPv6 in brackets, comma-separated)")
    if host != ANY:
        host = _host_name(host, "--resolve", value)
        if _is_address(host):
            raise UsageError(f"--resolve: {host} is an address already; HOST is a name")
    return ResolveRule(host, port, addresses)


def connect_rule(value: str) -> ConnectRule:
    """curl's `HOST1:PORT1:HOST2:PORT2`; IPv6 addresses in brackets."""
    match = _CONNECT_TO.fullmatch(value)
    if match is None:
        raise UsageError(
            f"--connect-to: expected HOST1:PORT1:HOST2:PORT2 (empty fields allowed, IPv6 in "
            f"brackets), got {value!r}"
        )
    host, port, to_host, to_port = match.groups()
    return ConnectRule(
        _host_name(host, "--connect-to", value) if host else None,
        _port(port, "--connect-to", value) if port else None,
        _host_name(to_host, "--connect-to", value) if to_host else None,
        _port(to_port, "--connect-to", value) if to_port else None,
    )


_FIELD = r"(\[[^\]]*\]|[^:\[\]]*)"
_CONNECT_TO = re.compile(rf"{_FIELD}:(\d*):{_FIELD}:(\d*)")


def local_address(value: str) -> str:
    """--interface: a local IP address to send from (brackets around IPv6 allowed)."""
    address = _address(value)
    if address is None:
        raise UsageError(f"--interface: expected a local IP address, got {value!r}")
    return address


def ip_version(address: str) -> int:
    return ipaddress.ip_address(address).version


def proxy_routes(values: tuple[str, ...]) -> tuple[ProxyRoute, ...]:
    """Each --proxy: a URL for every request, or HTTPie's SCHEME:URL for one scheme's."""
    routes = []
    for value in values:
        scheme, url = _scheme_and_url(value)
        try:
            route = proxy_route(url, scheme)
        except BadProxy as exc:
            if exc.scheme is not None:
                raise UsageError(
                    f"--proxy: expected an http://, https://, socks4://, socks4a://, socks5:// "
                    f"or socks5h:// proxy URL, got {redact_url(url)!r}"
                ) from None
            raise UsageError(
                f"--proxy: invalid proxy URL {redact_url(url)!r}: {exc.reason}"
            ) from None
        routes.append(route)
    return tuple(routes)


def _scheme_and_url(value: str) -> tuple[str | None, str]:
    """`https:socks5h://p:1080` → ("https", "socks5h://p:1080"); a URL alone → (None, URL)."""
    match = re.match(r"(?i)(https?):(?!//)(.+)", value, re.S)
    if match is None:
        return None, value
    return match[1].lower(), match[2]


def proxy_route(url: str, scheme: str | None = None) -> ProxyRoute:
    """A proxy URL (http:// when it has no scheme) → its route; BadProxy if unusable."""
    kind, sep, rest = url.partition("://")
    kind = kind.lower() if sep else "http"
    if kind not in PROXY_SCHEMES:
        raise BadProxy(f"unsupported scheme {kind!r}", scheme=kind)
    try:  # checked as an http URL: the same rules for host, port and credentials
        target = prepare_url(f"http://{rest if sep else url}")
    except InvalidURL as exc:
        raise BadProxy(exc.reason) from None
    origin = target.url.removeprefix("http://").removesuffix("/")
    host, port = _split_host_port(origin.partition("/")[0])
    user, password = target.username, target.password
    if not kind.startswith("socks"):
        default = 443 if kind == "https" else 80
        return ProxyRoute(f"{kind}://{origin}", host, port or default, user, password, scheme)
    if "/" in origin:
        raise BadProxy("a SOCKS proxy URL has no path")
    _check_socks_credentials(kind, user, password)
    port = port or SOCKS_PORT
    shown = f"[{host}]" if ":" in host else host
    return ProxyRoute(f"{kind}://{shown}:{port}", host, port, user, password, scheme)


def _check_socks_credentials(kind: str, username: str | None, password: str | None) -> None:
    """What a SOCKS handshake can carry: ASCII, up to 255 bytes each (RFC 1929); SOCKS5
    sends a user and a password together or not at all. SOCKS4 sends the user as its user
    id and has no password (curl's reading too)."""
    for part in (username, password):
        if part is not None and (not part.isascii() or len(part) > 255):
            raise BadProxy("SOCKS credentials must be ASCII, up to 255 characters each")
    if kind.startswith("socks5") and bool(username) != bool(password):
        raise BadProxy("a SOCKS5 proxy needs both a user and a password, or neither")


def _split_host_port(host_port: str) -> tuple[str, int | None]:
    if host_port.startswith("["):
        host, _, rest = host_port[1:].partition("]")
        return host, int(rest[1:]) if rest else None
    host, _, port = host_port.partition(":")
    return host, int(port) if port else None


def _name(host: str) -> str:
    """A host as rules compare it: lower case, without the trailing dot of a full name; an
    IPv6 address in its usual spelling."""
    if ":" in host:
        return _address(host) or host
    return host.lower().removesuffix(".")


def _host_name(text: str, flag: str, value: str) -> str:
    """A host of a rule as the URL spells it: lower case, IDNA, IPv6 without brackets."""
    if text.startswith("["):
        address = _address(text)
        if address is None:
            raise UsageError(f"{flag}: {text} is not an IPv6 address (in {value!r})")
        return address
    if any(char in text for char in "@/?#"):
        raise UsageError(f"{flag}: bad host {text!r} (in {value!r})")
    try:
        url = prepare_url(f"http://{text}/").url
    except InvalidURL as exc:
        raise UsageError(f"{flag}: bad host {text!r}: {exc.reason}") from None
    return _name(url.removeprefix("http://").removesuffix("/"))


def _port(text: str, flag: str, value: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise UsageError(f"{flag}: the port must be a number from 1 to 65535 (in {value!r})")
    return int(text)


def _addresses(text: str) -> tuple[str, ...] | None:
    """`127.0.0.1,[::1]` → ("127.0.0.1", "::1"); None if any part is not an address."""
    found = tuple(_address(part) for part in text.split(","))
    return None if not found or None in found else found  # type: ignore[return-value]


def _address(text: str) -> str | None:
    """An IP address, IPv6 with or without brackets, in its usual spelling."""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return None
    if text.startswith("[") and address.version != 6:
        return None
    return str(address)


def _is_address(host: str) -> bool:
    return _address(host) is not None

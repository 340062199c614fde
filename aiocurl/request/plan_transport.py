"""Transport flags → the settings of ClientSession, ClientTimeout, the connector (routing
included) and SSLContext."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aiocurl.cli.options import TransportOptions
from aiocurl.environment import Environment
from aiocurl.errors import UsageError

if TYPE_CHECKING:  # imported when a routing flag is given (with_routing): start-up
    from aiocurl.request.routes import ConnectRule, ProxyRoute, ResolveRule

# A request never waits forever to connect; curl's default is longer, but a CLI user
# staring at a dead host is better served by half a minute.
DEFAULT_CONNECT_TIMEOUT = 30.0
SSL_VERSIONS = ("tls1.2", "tls1.3")
DEFAULT_RETRY_ON = frozenset({408, 429, 500, 502, 503, 504})
# Response-head limits. aiohttp's own (128 headers, 8190-byte lines) refuse real responses
# that curl (100 KiB per header line) and HTTPie (no header count limit) accept.
DEFAULT_MAX_HEADERS = 10_000
DEFAULT_MAX_HEADER_SIZE = 128 * 1024


@dataclass(frozen=True)
class TransportPlan:
    """How to connect and send, checked: the transport reads nothing else."""

    follow: bool = False
    max_redirects: int = 30
    read_timeout: float | None = None  # no byte for this long (HTTPie's --timeout)
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    total_timeout: float | None = None  # the whole exchange (--max-time)
    verify: bool = True
    ca_bundle: str | None = None
    cert: str | None = None
    cert_key: str | None = None
    cert_key_pass: str | None = None
    ssl_version: str | None = None
    ciphers: str | None = None
    proxies: tuple[ProxyRoute, ...] = ()  # --proxy, in the order given
    resolve: tuple[ResolveRule, ...] = ()
    connect_to: tuple[ConnectRule, ...] = ()
    ip_version: int | None = None  # 4 or 6: -4/-6
    local_address: str | None = None  # --interface
    unix_socket: str | None = None  # the path, ~ expanded
    decompress: bool = True
    location_trusted: bool = False
    secret_headers: frozenset[str] = frozenset()  # lower-cased, from --secret-header
    max_filesize: int | None = None
    max_headers: int = DEFAULT_MAX_HEADERS
    max_header_size: int = DEFAULT_MAX_HEADER_SIZE  # bytes in one line of the response head
    retries: int = 0
    retry_on: frozenset[int] = DEFAULT_RETRY_ON
    retry_delay: float = 1.0
    retry_max_time: float | None = None
    retry_all_methods: bool = False

    @property
    def custom_tls(self) -> bool:
        """Whether aiohttp's default verified SSL context will not do."""
        return bool(
            not self.verify or self.ca_bundle or self.cert or self.ssl_version or self.ciphers
        )

    def connect_target(self, host: str, port: int) -> tuple[str, int]:
        """Where a connection for host:port goes: the first --connect-to that matches
        (curl's order), else host:port itself."""
        for rule in self.connect_to:
            if rule.matches(host, port):
                return rule.target(host, port)
        return host, port

    def reroutes(self, host: str, port: int) -> bool:
        """Whether a --connect-to matches host:port."""
        return any(rule.matches(host, port) for rule in self.connect_to)

    def resolve_rule_for(self, host: str, port: int) -> ResolveRule | None:
        """The --resolve entry for a name: one for its port before one for any port, and
        one for the name before one for any name."""
        matching = [rule for rule in self.resolve if rule.matches(host, port)]
        return min(matching, key=lambda rule: rule.generality, default=None)

    def proxy_for_scheme(self, scheme: str) -> ProxyRoute | None:
        """The --proxy for requests of `scheme` (http or https): one given for that scheme
        wins over one for all, and of several, the last (as HTTPie)."""
        for wanted in (scheme, None):
            chosen = [route for route in self.proxies if route.scheme == wanted]
            if chosen:
                return chosen[-1]
        return None


def plan_transport(options: TransportOptions, env: Environment) -> TransportPlan:
    verify, ca_bundle = parse_verify(options.verify)
    for flag, path in (("--cert", options.cert), ("--cert-key", options.cert_key)):
        if path is not None and not os.path.isfile(os.path.expanduser(path)):
            raise UsageError(f"{flag}: no such file {path!r}")
    if options.cert_key and not options.cert:
        raise UsageError("--cert-key needs --cert")
    if options.ssl_version is not None and options.ssl_version not in SSL_VERSIONS:
        raise UsageError(
            f"--ssl: expected one of {', '.join(SSL_VERSIONS)}, got {options.ssl_version!r}"
        )
    if options.max_redirects < 0:
        raise UsageError(f"--max-redirects: expected a count >= 0, got {options.max_redirects}")
    plan = TransportPlan(
        follow=options.follow,
        max_redirects=options.max_redirects,
        read_timeout=options.timeout,
        connect_timeout=connect_timeout(options),
        total_timeout=options.max_time,
        verify=verify,
        ca_bundle=ca_bundle,
        cert=options.cert,
        cert_key=options.cert_key,
        cert_key_pass=key_password(options, env),
        ssl_version=options.ssl_version,
        ciphers=options.ciphers,
        decompress=options.decompress,
        location_trusted=options.location_trusted,
        secret_headers=frozenset(name.lower() for name in options.secret_headers),
        max_filesize=options.max_filesize,
        max_headers=options.max_headers or DEFAULT_MAX_HEADERS,
        max_header_size=options.max_header_size or DEFAULT_MAX_HEADER_SIZE,
        retries=options.retries,
        retry_on=parse_statuses(options.retry_on),
        retry_delay=options.retry_delay,
        retry_max_time=options.retry_max_time,
        retry_all_methods=options.retry_all_methods,
    )
    return with_routing(plan, options) if routing_asked(options) else plan


def parse_statuses(value: str | None) -> frozenset[int]:
    """`503,429` → {503, 429}; the default set when not given."""
    if value is None:
        return DEFAULT_RETRY_ON
    codes = [part.strip() for part in value.split(",") if part.strip()]
    if not codes or not all(code.isdigit() and 100 <= int(code) <= 599 for code in codes):
        raise UsageError(f"--retry-on: expected status codes like 429,503, got {value!r}")
    return frozenset(int(code) for code in codes)


def key_password(options: TransportOptions, env: Environment) -> str | None:
    """--cert-key-pass, or a prompt on a terminal when the key is encrypted."""
    if options.cert_key_pass is not None or options.cert is None:
        return options.cert_key_pass
    key = os.path.expanduser(options.cert_key or options.cert)
    try:
        with open(key, "rb") as handle:
            encrypted = b"ENCRYPTED" in handle.read(64 * 1024)
    except OSError:
        return None  # loading the certificate says what is wrong
    if not encrypted:
        return None
    if not env.stdin_isatty:
        raise UsageError(
            "the client key is encrypted: pass --cert-key-pass, or run on a terminal to be asked"
        )
    return env.prompt_password("aiocurl: passphrase for the client key: ")


def connect_timeout(options: TransportOptions) -> float:
    """--connect-timeout, else --timeout (HTTPie's also bounds connecting), else the default."""
    if options.connect_timeout is not None:
        return options.connect_timeout
    if options.timeout is not None:
        return min(options.timeout, DEFAULT_CONNECT_TIMEOUT)
    return DEFAULT_CONNECT_TIMEOUT


def parse_verify(value: str) -> tuple[bool, str | None]:
    lowered = value.lower()
    if lowered in ("yes", "true"):
        return True, None
    if lowered in ("no", "false"):
        return False, None
    path = os.path.expanduser(value)
    if not os.path.exists(path):
        raise UsageError(f"--verify: expected yes, no or a CA bundle path; no such file {value!r}")
    return True, path


def routing_asked(options: TransportOptions) -> bool:
    return bool(
        options.proxy
        or options.resolve
        or options.connect_to
        or options.ipv4
        or options.ipv6
        or options.interface is not None
        or options.unix_socket is not None
    )


def with_routing(plan: TransportPlan, options: TransportOptions) -> TransportPlan:
    """The plan with the routing flags, checked and parsed."""
    from aiocurl.request.routes import (
        connect_rule,
        ip_version,
        local_address,
        proxy_routes,
        resolve_rule,
    )

    if options.ipv4 and options.ipv6:
        raise UsageError("-4/--ipv4 and -6/--ipv6 exclude each other")
    version = 4 if options.ipv4 else 6 if options.ipv6 else None
    interface = local_address(options.interface) if options.interface is not None else None
    if interface is not None and version not in (None, ip_version(interface)):
        raise UsageError(f"--interface {interface} is not an IPv{version} address (-{version})")
    return replace(
        plan,
        proxies=proxy_routes(options.proxy),
        resolve=tuple(resolve_rule(value) for value in options.resolve),
        connect_to=tuple(connect_rule(value) for value in options.connect_to),
        ip_version=version,
        local_address=interface,
        unix_socket=unix_socket(options) if options.unix_socket is not None else None,
    )


def unix_socket(options: TransportOptions) -> str:
    """--unix-socket's path, which must be a socket now; every connection goes there, so
    the flags that choose another way out cannot come with it."""
    given = options.unix_socket or ""
    others = {
        "--proxy": options.proxy,
        "--resolve": options.resolve,
        "--connect-to": options.connect_to,
        "-4/--ipv4": options.ipv4,
        "-6/--ipv6": options.ipv6,
        "--interface": options.interface,
    }
    clash = next((flag for flag, value in others.items() if value), None)
    if clash is not None:
        raise UsageError(f"--unix-socket and {clash} exclude each other")
    path = os.path.expanduser(given)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise UsageError(f"--unix-socket: no such socket {given!r}") from None
    if not stat.S_ISSOCK(mode):
        raise UsageError(f"--unix-socket: {given!r} is not a socket")
    return path

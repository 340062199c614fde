"""Transport flags → the settings of ClientSession, ClientTimeout, TCPConnector and SSLContext."""

from __future__ import annotations

import os
from dataclasses import dataclass

from aiocurl.cli.options import TransportOptions
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.redact import redact_url
from aiocurl.request.urls import InvalidURL, prepare_url

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
    proxy: str | None = None
    proxy_username: str | None = None
    proxy_password: str | None = None
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


def plan_transport(options: TransportOptions, env: Environment) -> TransportPlan:
    verify, ca_bundle = parse_verify(options.verify)
    proxy, proxy_user, proxy_password = parse_proxy(options.proxy)
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
    return TransportPlan(
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
        proxy=proxy,
        proxy_username=proxy_user,
        proxy_password=proxy_password,
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


def parse_proxy(value: str | None) -> tuple[str | None, str | None, str | None]:
    """The proxy URL without credentials, and the credentials as proxy auth."""
    if value is None:
        return None, None, None
    scheme = value.partition("://")[0].lower() if "://" in value else "http"
    if scheme not in ("http", "https"):
        raise UsageError(
            f"--proxy: expected an http:// or https:// proxy URL, got {redact_url(value)!r}"
        )
    try:
        target = prepare_url(value if "://" in value else f"http://{value}")
    except InvalidURL as exc:
        raise UsageError(
            f"--proxy: invalid proxy URL {redact_url(value)!r}: {exc.reason}"
        ) from None
    url = target.url.removesuffix("/")  # a proxy is an origin: no path to speak of
    return url, target.username, target.password

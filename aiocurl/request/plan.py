"""Options + items (+ environment) → RequestPlan: everything decided before any I/O.

Pure apart from the injected file reader and password prompt; no aiohttp, no rich.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aiocurl import __version__
from aiocurl.cli.options import Options
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.request.body import RequestBody, read_all
from aiocurl.request.items import ItemKind, RequestItem, is_item, parse_item
from aiocurl.request.plan_body import Body, build_body, file_text
from aiocurl.request.plan_output import OutputPlan, plan_output
from aiocurl.request.plan_transport import TransportPlan, plan_transport
from aiocurl.request.urls import expand_shorthand, join_base_url, prepare_url

if TYPE_CHECKING:
    from aiocurl.request.session_file import SessionPlan

JSON_ACCEPT = "application/json, */*;q=0.5"
_METHOD = re.compile(r"^[A-Za-z]+$")
_FIELD_NAME = re.compile(r"^[\w\[\]\\-]+$")
_PORT_OR_PATH = re.compile(r"^(\d*(/.*)?|//.*)$")
# RFC 9110's token: anything else (a colon, a space, non-ASCII letters) is no header name
# a server can read, so it is refused before sending, as HTTPie and xh do.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
AUTH_TYPES = ("basic", "digest", "bearer")
# RFC 9110 allows tab and visible characters in a field value, nothing else below 0x20.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F)) - {"\t"}


@dataclass(frozen=True)
class Auth:
    kind: str  # basic | digest | bearer
    username: str
    password: str


# Methods that go without a body unless one is given; any other goes with an empty one
# (Content-Length: 0), as aiohttp sends them.
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# Compared by identity: transport.redirects caches the first hop of each, and a load run
# asks for it on every request (a field-by-field hash would cost more than the lookup).
@dataclass(frozen=True, eq=False)
class RequestSpec:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]  # in the order they are sent, Host and length aside
    unset_headers: frozenset[str]  # defaults the user removed with `Header:`
    body: RequestBody | None
    auth: Auth | None
    chunked: bool = False  # Transfer-Encoding: chunked even when the length is known


@dataclass(frozen=True)
class WebSocketPlan:
    protocols: tuple[str, ...] = ()
    ping: float | None = None
    max_size: int | None = None
    binary: bool = False
    raw_binary: bool = False
    wait: float = 2.0
    count: int | None = None
    first_message: bytes | None = None  # from data items or --raw
    interactive: bool = False  # a prompt, when stdin and stdout are both terminals
    listen_only: bool = False  # -I: stdin is not read


@dataclass(frozen=True, eq=False)
class RequestPlan:
    request: RequestSpec
    transport: TransportPlan
    output: OutputPlan
    offline: bool
    ws: WebSocketPlan | None = None
    session: SessionPlan | None = None  # --session, --session-read-only


def build_plan(
    options: Options,
    env: Environment,
    *,
    planned: tuple[TransportPlan, OutputPlan] | None = None,
) -> RequestPlan:
    """`planned`: the transport and output plans of these flags, made once already (a
    batch plans each line with the same flags)."""
    check_text_flags(options)
    method, raw_url, args = split_positionals(options.method_and_url)
    raw_url = with_base_url(raw_url, options, env)
    items = [parse_item(checked_text(arg)) for arg in args]
    is_ws = expand_shorthand(raw_url, options.default_scheme).lower().startswith(("ws:", "wss:"))
    listen_only = options.ignore_stdin
    if is_ws:  # stdin carries messages, and data items make the first one
        options = replace(options, ignore_stdin=True)
    body = build_body(items, options, env, user_content_type(items))
    if is_ws and (options.output.timing or options.output.write_out is not None):
        flag = "--timing" if options.output.timing else "--write-out"
        raise UsageError(f"{flag} tells of an HTTP exchange, not of a WebSocket session")
    ws = plan_ws(options, body, env, listen_only=listen_only) if is_ws else None
    if ws is not None:
        body, method = Body(), "GET"
    if method is None:
        method = "POST" if body.data is not None else "GET"
    query = [(item.key, _item_text(item, env)) for item in items if item.kind.is_query]
    target = prepare_url(
        raw_url,
        default_scheme=options.default_scheme,
        path_as_is=options.path_as_is,
        query=query,
    )
    stored = None
    header_items = items
    if options.session is not None or options.session_read_only is not None:
        from aiocurl.request.plan_session import session_items, stored_session, with_session_auth

        stored = stored_session(options, target.url, env)
        header_items = session_items(stored[1], items)  # the session's, unless given now
        options = with_session_auth(options, stored[1], target.username)
    headers, unset = build_headers(header_items, body, json=options.json, env=env)
    if options.output.download:
        headers = _identity_encoding(headers, items)
    auth = build_auth(options, target.username, target.password, env)
    given_auth = auth
    if auth is None and not options.ignore_netrc and not has_authorization(headers):
        auth = netrc_auth(target.url, env, warn=options.output.quiet < 2)
    request = RequestSpec(
        method=method.upper(),
        url=target.url,
        headers=with_authorization(headers, auth),
        unset_headers=unset,
        body=body.data,
        auth=auth,
        chunked=options.chunked,
    )
    transport, output = planned or (
        plan_transport(options.transport, env),
        plan_output(options, env),
    )
    if options.output.download:  # a download follows redirects and keeps the bytes as sent
        transport = replace(transport, follow=True, decompress=False)
    elif not output.response_body:  # -h, -p h: a body not shown needs no decoding
        transport = replace(transport, decompress=False)
    session = None
    if stored is not None:
        from aiocurl.request.plan_session import plan_session

        session = plan_session(options, stored, target.url, items, headers, given_auth)
    return RequestPlan(
        request=request,
        transport=transport,
        output=output,
        offline=options.offline,
        ws=ws,
        session=session,
    )


def with_base_url(raw_url: str, options: Options, env: Environment) -> str:
    """A URL that starts with `/` goes after --base-url, or after the base URL a --session
    keeps; any other stands on its own."""
    if not raw_url.startswith("/"):
        return raw_url
    base = options.base_url
    session = options.session or options.session_read_only
    if base is None and session is not None:
        from aiocurl.request.session_file import stored_base_url

        base = stored_base_url(session, env.env, env.read_file)
    if base is None:
        raise UsageError(f"invalid URL {raw_url!r}: a path alone needs --base-url to go after")
    if not _is_text(base):
        raise UsageError("--base-url: the value is not UTF-8 text")
    return join_base_url(checked_text(base), raw_url, options.default_scheme)


def plan_ws(options: Options, body: Body, env: Environment, *, listen_only: bool) -> WebSocketPlan:
    first = read_all(body.data) if body.data is not None else None
    return WebSocketPlan(
        protocols=options.ws.protocols,
        ping=options.ws.ping,
        max_size=options.ws.max_size,
        binary=options.ws.binary,
        raw_binary=options.ws.raw_binary,
        wait=options.ws.wait,
        count=options.ws.count,
        first_message=first,
        interactive=env.stdin_isatty and env.stdout_isatty and not listen_only,
        listen_only=listen_only,
    )


def checked_text(arg: str) -> str:
    """Items become JSON, form fields and headers, which need text: refuse raw bytes."""
    if not _is_text(arg):
        shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise UsageError(f"{shown!r} is not UTF-8 text")
    return arg


def check_text_flags(options: Options) -> None:
    """Flags whose values go on the wire as text (or into TLS) must be text: a shell may
    pass any bytes, and those that are not UTF-8 arrive as surrogate escapes."""
    values = {
        "--auth": options.auth,
        "--boundary": options.boundary,
        "--proxy": ",".join(options.transport.proxy),
        "--cert-key-pass": options.transport.cert_key_pass,
        "--ciphers": options.transport.ciphers,
        "--default-scheme": options.default_scheme,
        "--response-mime": options.output.response_mime,
        "--ws-protocol": ",".join(options.ws.protocols),
        "--secret-header": ",".join(options.transport.secret_headers),
    }
    for flag, value in values.items():
        if value is not None and not _is_text(value):
            raise UsageError(f"{flag}: the value is not UTF-8 text")


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def split_positionals(args: Sequence[str]) -> tuple[str | None, str, list[str]]:
    """[METHOD] URL [ITEM ...]. A first word of letters is the method, as in HTTPie, except
    a lower-case word followed by a plain item (`aiocurl localhost name=ada`): that is the URL."""
    if not args:
        raise UsageError(
            "missing URL (usage: aiocurl [OPTIONS] [METHOD] URL [ITEM ...]; "
            "aiocurl --help lists the options)"
        )
    first = args[0]
    if len(args) >= 2 and _METHOD.match(first) and (first.isupper() or not _plain_item(args[1])):
        return first, args[1], list(args[2:])
    return None, first, list(args[1:])


def _plain_item(arg: str) -> bool:
    """An item that cannot be the `host:port/path` of a URL."""
    if not is_item(arg):
        return False
    item = parse_item(arg)
    if item.kind is ItemKind.RAW_FILE:
        return True
    if item.kind in (ItemKind.HEADER, ItemKind.HEADER_FILE):
        return not _PORT_OR_PATH.match(item.value)
    if item.kind.is_header:
        return True
    return bool(_FIELD_NAME.match(item.key))


def default_headers(*, json: bool) -> list[tuple[str, str]]:
    return [
        ("User-Agent", f"aiocurl/{__version__}"),
        ("Accept", JSON_ACCEPT if json else "*/*"),
        ("Accept-Encoding", accept_encoding()),
    ]


@functools.cache  # what is installed does not change during a run (a batch asks per line)
def accept_encoding() -> str:
    """gzip and deflate always; br and zstd when their decoders (dependencies of aiocurl)
    are importable, as transport/decoding.py needs them."""
    codings = ["gzip", "deflate"]
    if _installed("brotli"):
        codings.append("br")
    if _installed("backports.zstd") or _installed("compression.zstd"):
        codings.append("zstd")
    return ", ".join(codings)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


def build_headers(
    items: Sequence[RequestItem], body: Body, *, json: bool, env: Environment
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """Defaults, then the body's Content-Type, then header items: an item replaces a default
    of the same name in place, later repeats are added, and `Header:` removes it."""
    wants_json = json or body.is_json
    headers = default_headers(json=wants_json)
    content_type = body.content_type or ("application/json" if json else None)
    if content_type:
        headers.append(("Content-Type", content_type))
    if body.content_encoding:
        headers.append(("Content-Encoding", body.content_encoding))
    defaults = {name.lower() for name, _ in headers}
    unset: set[str] = set()
    for item in items:
        if not item.kind.is_header:
            continue
        name = _check_header_name(item)
        lower = name.lower()
        if item.kind is ItemKind.HEADER_UNSET:
            headers = [(n, v) for n, v in headers if n.lower() != lower]
            unset.add(name)
            continue
        value = _header_value(item, env)
        if lower == "content-type" and body.content_type and "boundary=" in body.content_type:
            value = body.content_type  # the user's multipart type, with the boundary we use
        if lower in defaults:
            defaults.discard(lower)
            headers = [(name, value) if n.lower() == lower else (n, v) for n, v in headers]
        else:
            headers.append((name, value))
    return tuple(headers), frozenset(unset)


def _identity_encoding(
    headers: tuple[tuple[str, str], ...], items: Sequence[RequestItem]
) -> tuple[tuple[str, str], ...]:
    """A download asks for the bytes as stored, so sizes and resume offsets mean what they
    say; an Accept-Encoding item still wins."""
    if any(i.kind.is_header and i.key.lower() == "accept-encoding" for i in items):
        return headers
    return tuple((n, "identity") if n.lower() == "accept-encoding" else (n, v) for n, v in headers)


def user_content_type(items: Sequence[RequestItem]) -> str | None:
    """The Content-Type a header item sets (the last one wins), for the multipart boundary."""
    values = [
        item.value.strip()
        for item in items
        if item.kind is ItemKind.HEADER and item.key.lower() == "content-type"
    ]
    return values[-1] if values else None


def _check_header_name(item: RequestItem) -> str:
    if not _HEADER_NAME.match(item.key):
        raise UsageError(
            f"{item.arg!r}: {item.key!r} is not a valid header name "
            "(letters, digits and !#$%&'*+-.^_`|~ only)"
        )
    return item.key


def _header_value(item: RequestItem, env: Environment) -> str:
    if item.kind is ItemKind.HEADER_EMPTY:
        return ""
    value = _item_text(item, env).strip()
    if "\n" in value or "\r" in value:
        raise UsageError(f"{item.arg!r}: a header value cannot contain a line break")
    if name_is(item, "content-length") and not (value.isascii() and value.isdigit()):
        raise UsageError(f"{item.arg!r}: Content-Length must be a number of bytes")
    bad = next((char for char in value if char in _CONTROL), None)
    if bad is not None:
        raise UsageError(
            f"{item.arg!r}: a header value cannot contain the control character {bad!r}"
        )
    return value


def name_is(item: RequestItem, name: str) -> bool:
    return item.key.lower() == name


def _item_text(item: RequestItem, env: Environment) -> str:
    """The item's value, read from its file for the `@` forms."""
    if item.kind in (ItemKind.HEADER_FILE, ItemKind.QUERY_FILE):
        return file_text(item, env.read_file).rstrip("\r\n")
    return item.value


def build_auth(
    options: Options, url_user: str | None, url_password: str | None, env: Environment
) -> Auth | None:
    kind = (options.auth_type or "basic").lower()
    if kind not in AUTH_TYPES:
        raise UsageError(f"-A/--auth-type: expected one of {', '.join(AUTH_TYPES)}, got {kind!r}")
    if options.auth is None:
        if url_user is None:
            if options.auth_type:
                raise UsageError(f"-A {kind} needs credentials: -a USER[:PASS] or -a TOKEN")
            return None
        return Auth(kind, url_user, url_password or "")
    if kind == "bearer":
        return Auth(kind, "", options.auth)
    user, sep, password = options.auth.partition(":")
    if not sep:
        password = _prompt_for_password(user, env)
    return Auth(kind, user, password)


def with_authorization(
    headers: tuple[tuple[str, str], ...], auth: Auth | None
) -> tuple[tuple[str, str], ...]:
    """Basic and bearer credentials become a header now, so --offline shows them; digest
    needs the server's challenge and is answered by the transport. An explicit
    Authorization item wins."""
    if auth is None or auth.kind == "digest":
        return headers
    if any(name.lower() == "authorization" for name, _ in headers):
        return headers
    if auth.kind == "bearer":
        return (*headers, ("Authorization", f"Bearer {auth.password}"))
    token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
    return (*headers, ("Authorization", f"Basic {token}"))


def has_authorization(headers: tuple[tuple[str, str], ...]) -> bool:
    return any(name.lower() == "authorization" for name, _ in headers)


def netrc_auth(url: str, env: Environment, *, warn: bool = True) -> Auth | None:
    """Basic credentials from .netrc for this URL's host only; a redirect elsewhere drops
    them like any Authorization header."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    try:
        login = env.netrc_login(host, env.env) if host else None
    except UsageError as exc:  # a broken file is worth a word, not a failed request
        if warn:
            env.stderr.write(f"aiocurl: warning: {exc.message}\n")
        return None
    return Auth("basic", login[0], login[1]) if login else None


def _prompt_for_password(user: str, env: Environment) -> str:
    if not env.stdin_isatty:
        raise UsageError(
            f"-a {user}: no password given and stdin is not a terminal to ask for one "
            f"(use -a {user}:PASSWORD)"
        )
    return env.prompt_password(f"aiocurl: password for {user}: ")

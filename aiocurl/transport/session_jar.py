"""A session's cookies in aiohttp's CookieJar for the run, and back out as stored values.

The jar applies a browser's rules (domain and path matching, Secure only over https,
expiry, Max-Age=0 deleting); this module only translates between it and the file's
cookies. While a session runs, `active_jar()` is the jar every ClientSession of the run
uses (transport/session.py), so the download and WebSocket modes share it too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import Morsel, SimpleCookie
from typing import TYPE_CHECKING

import aiohttp
from yarl import URL

if TYPE_CHECKING:  # the file format is imported by what runs a session, not by every run
    from aiocurl.request.session_file import SessionPlan, StoredCookie

_ACTIVE: ContextVar[aiohttp.CookieJar | None] = ContextVar("aiocurl_session_jar", default=None)


def active_jar() -> aiohttp.CookieJar | None:
    return _ACTIVE.get()


class CookieJar(aiohttp.CookieJar):
    """aiohttp's jar, except that `Expires=Thu, 01 Jan 1970 00:00:00 GMT` (how many servers
    delete a cookie) deletes it: aiohttp takes that date's timestamp, 0, for no date and
    would keep the cookie for good."""

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        super().update_cookies_from_headers([_epoch_deletes(h) for h in headers], response_url)


def _epoch_deletes(header: str) -> str:
    attributes = [part.strip().partition("=") for part in header.split(";")[1:]]
    names = {name.strip().lower() for name, _, _ in attributes}
    if "max-age" in names:
        return header  # Max-Age wins over Expires
    for name, _, value in attributes:
        if name.strip().lower() == "expires":
            with contextlib.suppress(TypeError, ValueError, IndexError):
                if parsedate_to_datetime(value.strip()).timestamp() <= 0:
                    return f"{header}; Max-Age=0"
    return header


def new_jar() -> aiohttp.CookieJar:
    # unsafe: cookies of IP-address hosts are kept too (a redirect's next hop may need them).
    return CookieJar(unsafe=True)


@contextlib.contextmanager
def session_jar(session: SessionPlan) -> Iterator[aiohttp.CookieJar]:
    """The jar of a session run: the stored cookies that have not expired, then the
    request's Cookie items as cookies of its host (they replace stored ones of that name)."""
    from aiocurl.request.session_file import StoredCookie

    jar = new_jar()
    now = time.time()
    for cookie in session.loaded.cookies:
        if cookie.expires is None or cookie.expires > now:
            _load(jar, cookie)
    host = URL(session.url).host
    for name, value in session.item_cookies:
        if host:
            _load(jar, StoredCookie(name, value, host.lower()), item=True)
    with jar_in_use(jar):
        yield jar


@contextlib.contextmanager
def jar_in_use(jar: aiohttp.CookieJar) -> Iterator[None]:
    """Within the block, every ClientSession made takes `jar`."""
    token = _ACTIVE.set(jar)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _load(jar: aiohttp.CookieJar, cookie: StoredCookie, *, item: bool = False) -> None:
    domain = cookie.domain.lstrip(".")
    host_only = not cookie.domain.startswith(".")
    if host_only and "." not in domain.removesuffix(".local") and domain.endswith(".local"):
        domain = domain.removesuffix(".local")  # http.cookiejar's name for a dotless host
    if not domain:  # HTTPie's oldest files: a cookie of no host is sent to none
        return
    morsels: SimpleCookie = SimpleCookie()
    morsels[cookie.name] = cookie.value
    morsel = morsels[cookie.name]
    morsel["path"] = cookie.path or "/"
    if not host_only:
        morsel["domain"] = domain
    if cookie.expires is not None:
        morsel["expires"] = formatdate(cookie.expires, usegmt=True)
    if cookie.secure:
        morsel["secure"] = True
    scheme = "https" if cookie.secure else "http"
    try:
        origin = URL.build(scheme=scheme, host=domain, path=morsel["path"])
    except ValueError:
        return  # not a host name: no request could ever get it
    jar.update_cookies(morsels, response_url=origin)


def stored_cookies(jar: aiohttp.CookieJar, now: float | None = None) -> tuple[StoredCookie, ...]:
    """The jar's cookies now; expired and deleted ones are gone from it already."""
    from aiocurl.request.session_file import StoredCookie

    now = time.time() if now is None else now
    host_only = jar.host_only_cookies
    kept = []
    for morsel in jar:  # iterating drops what has expired
        domain, path = morsel["domain"], morsel["path"] or "/"
        is_host_only = (domain, path.rstrip("/"), morsel.key) in host_only  # as aiohttp keys it
        kept.append(
            StoredCookie(
                name=morsel.key,
                value=morsel.value,
                domain=domain if is_host_only else f".{domain}",
                path=path,
                expires=_expiry(morsel, now),
                secure=bool(morsel["secure"]),
            )
        )
    return tuple(kept)


def _expiry(morsel: Morsel[str], now: float) -> float | None:
    """Max-Age counts from when the cookie arrived, during this run: `now` (the run's end)
    is at most the run's length late. Expires is a date."""
    max_age = morsel["max-age"]
    if max_age:
        with contextlib.suppress(ValueError):
            return now + int(max_age)
    expires = morsel["expires"]
    if expires:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            return parsedate_to_datetime(expires).timestamp()
    return None

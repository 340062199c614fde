"""Which proxy a request goes through: --proxy, else HTTP(S)_PROXY / NO_PROXY.

aiohttp's trust_env would also apply ~/.netrc on its own, which clashes with credentials
aiocurl sends itself, and its proxy lookup reads ~/.netrc too (printing its own complaint
about a broken one); so the session keeps trust_env off and the variables are read here,
with the standard library's rules.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp
from yarl import URL

from aiocurl.request.plan_transport import TransportPlan


def proxy_for(url: URL, settings: TransportPlan) -> tuple[str | None, dict[str, str] | None]:
    """The proxy URL and the Proxy-Authorization header to use for `url`, if any."""
    if settings.proxy is not None:
        return settings.proxy, _authorization(settings.proxy_username, settings.proxy_password)
    return env_proxy(url)


def env_proxy(url: URL) -> tuple[str | None, dict[str, str] | None]:
    """The proxy the environment names for this URL's scheme, unless NO_PROXY exempts it;
    credentials in the variable's URL become Proxy-Authorization."""
    proxies = urllib.request.getproxies_environment()
    scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass_environment(url.host or "", proxies):  # type: ignore[attr-defined]
        return None, None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if parts.scheme not in ("http", "https"):
        return None, None  # aiohttp speaks to HTTP proxies only
    bare = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return bare, _authorization(user, password)


def _authorization(user: str | None, password: str | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"Proxy-Authorization": aiohttp.encode_basic_auth(user, password or "")}

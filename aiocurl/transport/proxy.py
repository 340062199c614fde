"""Which proxy a request goes through: --proxy, else HTTP(S)_PROXY / NO_PROXY.

aiohttp's trust_env would also apply ~/.netrc on its own, which clashes with credentials
aiocurl sends itself, and its proxy lookup reads ~/.netrc too (printing its own complaint
about a broken one); so the session keeps trust_env off and the variables are read here,
with the standard library's rules.
"""

from __future__ import annotations

import asyncio
import os
import urllib.request
import weakref

import aiohttp
from yarl import URL

from aiocurl.errors import UsageError
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.request.urls import InvalidURL, prepare_url


def proxy_for(url: URL, settings: TransportPlan) -> tuple[str | None, dict[str, str] | None]:
    """The proxy URL and the Proxy-Authorization header to use for `url`, if any."""
    if settings.proxy is not None:
        return settings.proxy, _authorization(settings.proxy_username, settings.proxy_password)
    return env_proxy(url)


def env_proxy(url: URL) -> tuple[str | None, dict[str, str] | None]:
    """The proxy the environment names for this URL's scheme, unless NO_PROXY exempts it;
    credentials in the variable's URL become Proxy-Authorization. A variable that names
    no usable proxy is an error, not a request sent around the proxy."""
    proxies = _environment_proxies()
    if not proxies:
        return None, None
    scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    proxy = proxies.get(scheme) or proxies.get("all")  # ALL_PROXY, as curl reads it
    if not proxy or urllib.request.proxy_bypass_environment(url.host or "", proxies):  # type: ignore[attr-defined]
        return None, None
    variable = _variable(scheme)
    given = proxy.partition("://")[0].lower() if "://" in proxy else "http"
    if given not in ("http", "https"):
        raise UsageError(
            f"{variable} names a {given}:// proxy, which aiocurl cannot use "
            "(unset it, or pass --proxy http://...)"
        )
    try:
        target = prepare_url(proxy if "://" in proxy else f"http://{proxy}")
    except InvalidURL as exc:
        raise UsageError(f"{variable} is not a usable proxy URL: {exc.reason}") from None
    bare = target.url.removesuffix("/")
    return bare, _authorization(target.username, target.password)


def _environment_proxies() -> dict[str, str]:
    """Read once per run (per event loop): the environment does not change under a run, and
    a load run asks for every request."""
    loop = asyncio.get_running_loop()
    proxies = _READ.get(loop)
    if proxies is None:
        proxies = _READ[loop] = urllib.request.getproxies_environment()
    return proxies


_READ: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)


def _variable(scheme: str) -> str:
    """The variable a proxy came from, as urllib reads them (lower case wins)."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"):
        if os.environ.get(name):
            return name
    return f"{scheme}_proxy"


def _authorization(user: str | None, password: str | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"Proxy-Authorization": aiohttp.encode_basic_auth(user, password or "")}

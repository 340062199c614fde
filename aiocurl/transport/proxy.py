"""Which proxy a request goes through: --proxy (for its scheme, else for all), else
HTTP(S)_PROXY / ALL_PROXY unless NO_PROXY exempts the host.

An HTTP proxy is aiohttp's, per request (`proxy_for`); a SOCKS proxy is the connector's
(`socks_proxy_for`, asked by transport/routing.py when it opens a connection). Both ask
`route_for`, so a request and its connection agree.

aiohttp's trust_env would also apply ~/.netrc on its own, which clashes with credentials
aiocurl sends itself, and its proxy lookup reads ~/.netrc too (printing its own complaint
about a broken one); so the session keeps trust_env off and the variables are read here,
with the standard library's rules.
"""

from __future__ import annotations

import asyncio
import functools
import os
import urllib.request
import weakref
from typing import TYPE_CHECKING

import aiohttp
from yarl import URL

from aiocurl.errors import UsageError
from aiocurl.request.plan_transport import TransportPlan

if TYPE_CHECKING:
    from aiocurl.request.routes import ProxyRoute

# A WebSocket goes through the proxy of the scheme it upgrades from.
_PROXY_SCHEME = {"ws": "http", "wss": "https"}


def proxy_for(url: URL, settings: TransportPlan) -> tuple[str | None, dict[str, str] | None]:
    """The HTTP proxy URL and the Proxy-Authorization header to use for `url`, if any."""
    route = route_for(url, settings)
    if route is None or route.is_socks:
        return None, None
    return route.url, _authorization(route.username, route.password)


def socks_proxy_for(url: URL, settings: TransportPlan) -> ProxyRoute | None:
    """The SOCKS proxy a connection for `url` goes through, if any."""
    route = route_for(url, settings)
    return route if route is not None and route.is_socks else None


def route_for(url: URL, settings: TransportPlan) -> ProxyRoute | None:
    """The proxy for `url`: a --proxy for its scheme or for all, else the environment's.
    A Unix socket is the only way out: no proxy then."""
    if settings.unix_socket is not None:
        return None
    scheme = _PROXY_SCHEME.get(url.scheme, url.scheme)
    given = settings.proxy_for_scheme(scheme) if settings.proxies else None
    return given if given is not None else env_route(url, scheme)


def env_route(url: URL, scheme: str) -> ProxyRoute | None:
    """The proxy the environment names for this URL's scheme, unless NO_PROXY exempts it.
    A variable that names no usable proxy is an error, not a request sent around it."""
    proxies = _environment_proxies()
    if not proxies:
        return None
    proxy = proxies.get(scheme) or proxies.get("all")  # ALL_PROXY, as curl reads it
    if not proxy or urllib.request.proxy_bypass_environment(url.host or "", proxies):  # type: ignore[attr-defined]
        return None
    return _variable_route(_variable(scheme), proxy)


@functools.lru_cache(maxsize=8)  # a load run asks for every request
def _variable_route(variable: str, value: str) -> ProxyRoute:
    from aiocurl.request.routes import BadProxy, proxy_route  # only with a proxy variable

    try:
        return proxy_route(value)
    except BadProxy as exc:
        if exc.scheme is not None:
            raise UsageError(
                f"{variable} names a {exc.scheme}:// proxy, which aiocurl cannot use "
                "(unset it, or pass --proxy URL)"
            ) from None
        raise UsageError(f"{variable} is not a usable proxy URL: {exc.reason}") from None


def environment_names_socks() -> bool:
    """Whether a proxy variable names a SOCKS proxy (then connections may need one)."""
    return any(
        value.lower().startswith("socks")
        for value in urllib.request.getproxies_environment().values()
    )


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

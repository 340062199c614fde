"""Which proxy a request goes through: --proxy, else HTTP(S)_PROXY / NO_PROXY.

aiohttp's trust_env would also apply ~/.netrc on its own, which clashes with credentials
aiocurl sends itself; so the session keeps trust_env off and the variables are read here.
"""

from __future__ import annotations

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from aiocurl.plan_transport import TransportPlan


def proxy_for(url: URL, settings: TransportPlan) -> tuple[str | None, dict[str, str] | None]:
    """The proxy URL and the Proxy-Authorization header to use for `url`, if any."""
    if settings.proxy is not None:
        if settings.proxy_username is None:
            return settings.proxy, None
        credentials = aiohttp.encode_basic_auth(
            settings.proxy_username, settings.proxy_password or ""
        )
        return settings.proxy, {"Proxy-Authorization": credentials}
    try:
        proxy, auth = get_env_proxy_for_url(url)
    except LookupError:
        return None, None
    if auth is None:
        return str(proxy), None
    return str(proxy), {"Proxy-Authorization": aiohttp.encode_basic_auth(auth.login, auth.password)}

"""The SOCKS handshake, through python-socks (aiohttp-socks' own SOCKS client), and its
failures in aiocurl's words: they say it was the proxy, and batches count them as `proxy`.

Imported only when a connection goes through a SOCKS proxy (transport/routing.py).
"""

from __future__ import annotations

import socket

from aiohttp.abc import ResolveResult
from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError, ProxyType
from python_socks._errors import IncompleteReadError
from python_socks.async_.asyncio import Proxy

from aiocurl.errors import RequestError, TimeoutFired, os_reason
from aiocurl.request.routes import ProxyRoute

_TYPES = {
    "socks4": ProxyType.SOCKS4,
    "socks4a": ProxyType.SOCKS4,
    "socks5": ProxyType.SOCKS5,
    "socks5h": ProxyType.SOCKS5,
}

# RFC 1928's replies, as what the proxy could not do; those after which another try may
# work (the destination's trouble, not the proxy's rules) are marked True.
_SOCKS5_REPLIES = {
    1: ("reported a general failure connecting to {target}", True),
    2: ("does not allow a connection to {target} (its rules)", False),
    3: ("cannot reach the network of {target}", True),
    4: ("cannot reach {target} (host unreachable)", True),
    5: ("was refused by {target} (connection refused)", True),
    6: ("gave up on {target} (TTL expired)", True),
    7: ("does not support CONNECT", False),
    8: ("does not support the address type of {target}", False),
}
_SOCKS4_REJECTED = 0x5B  # request rejected or failed; 0x5C and 0x5D are about identd


async def open_socket(
    proxy: ProxyRoute,
    proxy_addresses: list[ResolveResult],
    destination: tuple[str, int],
    timeout: float | None,
    local: tuple[str, int] | None,
) -> socket.socket:
    """A socket connected to `destination` through the proxy: its addresses tried in turn
    until one answers, the handshake done within `timeout`."""
    failure: OSError | None = None
    for entry in proxy_addresses:
        client = Proxy(
            _TYPES[proxy.kind],
            entry["host"],
            entry["port"],
            username=proxy.username,
            password=proxy.password,
            rdns=proxy.remote_dns,
        )
        try:
            return await client.connect(*destination, timeout=timeout, local_addr=local)
        except ProxyConnectionError as exc:
            failure = exc  # the proxy's next address, if it has one
        except ProxyTimeoutError:
            within = f" within {timeout:g} s" if timeout else ""
            raise TimeoutFired(
                f"connect timeout: no connection through the SOCKS proxy {proxy.address}{within}"
            ) from None
        except ProxyError as exc:
            raise refusal(proxy, destination, exc) from exc
        except OSError as exc:  # reset or closed mid-handshake
            raise _proxy_error(
                f"the SOCKS proxy {proxy.address} broke off the handshake: {os_reason(exc)}",
                retryable=True,
            ) from exc
    raise unreachable(proxy, failure)


def unreachable(proxy: ProxyRoute, failure: OSError | None) -> RequestError:
    cause = failure.__cause__ if failure is not None else None
    reason = os_reason(cause) if isinstance(cause, OSError) else "no address to connect to"
    return _proxy_error(f"cannot connect to the SOCKS proxy {proxy.address}: {reason}", True)


def unresolved(proxy: ProxyRoute) -> RequestError:
    return _proxy_error(f"could not resolve the SOCKS proxy's host {proxy.host!r}", False)


def refusal(proxy: ProxyRoute, destination: tuple[str, int], exc: ProxyError) -> RequestError:
    """What the proxy said no to, from its reply code (or python-socks' description of a
    handshake that went wrong before one)."""
    host, port = destination
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    code = exc.error_code
    described = str(exc.__cause__ or exc).lower()
    retryable = False
    if isinstance(exc.__cause__, IncompleteReadError):
        reason = "closed the connection during the SOCKS handshake"
    elif proxy.kind.startswith("socks5") and code in _SOCKS5_REPLIES:
        words, retryable = _SOCKS5_REPLIES[code]
        reason = words.format(target=target)
    elif code == _SOCKS4_REJECTED:
        reason = f"rejected or failed the connection to {target}"
    elif code is not None and proxy.kind.startswith("socks4"):
        reason = "rejected the request: it could not check the user id with identd"
    elif "authentication failure" in described:
        reason = "rejected the user name and password"
    elif "no acceptable authentication" in described:
        reason = (
            "accepts none of the offered ways to authenticate"
            if proxy.username
            else "asks for a user name and password (put them in the proxy URL)"
        )
    else:
        version = "SOCKS5" if proxy.kind.startswith("socks5") else "SOCKS4"
        reason = f"did not answer as a {version} proxy"
    return _proxy_error(f"the SOCKS proxy {proxy.address} {reason}", retryable)


def _proxy_error(message: str, retryable: bool) -> RequestError:
    error = RequestError(message)
    error.kind = "proxy"
    error.retryable = retryable
    return error

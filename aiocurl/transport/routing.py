"""Where each connection goes: the connector of a run, built from the plan's routing.

- `--resolve` and `--connect-to` live in `RouteResolver`, the aiohttp resolver of the
  connector: it answers a name (and port) with the addresses the rules give, and asks the
  system's resolver for the rest. aiohttp connects to the port the resolver returns, which
  is how --connect-to changes it. The URL, the Host header, TLS SNI and the certificate
  check never see any of this: they keep the URL's host, redirects included.
- `-4`/`-6` are aiohttp's `family`, `--interface` its `local_addr`.
- A SOCKS proxy is chosen per connection (`proxy.socks_proxy_for`: per-scheme --proxy,
  ALL_PROXY and NO_PROXY), so the connector opens that connection itself (transport/socks.py)
  and hands the socket to aiohttp as its own connections are handed: TLS, the protocol and
  the pool stay aiohttp's. aiohttp-socks' connector takes every connection through one
  proxy and skips the resolver, which fits none of this; its SOCKS client, python-socks,
  does the handshake.
- `--unix-socket`: aiohttp's `UnixConnector`, for every request and redirect of the run.

A run without any of these gets the plain connector, as before.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler

from aiocurl.errors import RequestError, os_reason
from aiocurl.events import Sink
from aiocurl.redact import redact_url
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.proxy import environment_names_socks, socks_proxy_for
from aiocurl.transport.session import PeerConnector, format_peer
from aiocurl.transport.timing import TimedConnections, watch_tls
from aiocurl.transport.tls import ssl_setting

if TYPE_CHECKING:
    from aiocurl.request.routes import ProxyRoute

_FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}


def connector_for(
    plan: TransportPlan,
    sink: Sink | None,
    *,
    tls: ssl.SSLContext | None = None,
    limit: int = 100,
    limit_per_host: int = 0,
) -> aiohttp.BaseConnector:
    """The connector of a run, with `tls` (else the plan's context). With a sink, it notes
    each connection's peer for --meta and tells -v where a routed connection went; without
    one (batches, load runs) it does not, and times each new connection instead for the
    run's phases (transport/timing.py; nothing per request)."""
    if plan.unix_socket is not None:
        unix = UnixSocketConnector if sink is not None else TimedUnixSocketConnector
        return unix(plan.unix_socket, sink, limit=limit, limit_per_host=limit_per_host)
    tls = tls or ssl_setting(plan)
    if sink is None:
        watch_tls(tls)
    if not needs_routing(plan):
        plain = PeerConnector if sink is not None else TimedConnector
        return plain(ssl=tls, limit=limit, limit_per_host=limit_per_host)
    routing = NotingRoutingConnector if sink is not None else TimedRoutingConnector
    return routing(plan, sink, ssl=tls, limit=limit, limit_per_host=limit_per_host)


def needs_routing(plan: TransportPlan) -> bool:
    return bool(
        plan.resolve
        or plan.connect_to
        or plan.ip_version
        or plan.local_address
        or any(route.is_socks for route in plan.proxies)
        or environment_names_socks()
    )


def address_family(plan: TransportPlan) -> socket.AddressFamily:
    """-4/-6, else the family of --interface's address (the only one it can reach)."""
    if plan.ip_version:
        return _FAMILIES[plan.ip_version]
    return _family_of(plan.local_address) if plan.local_address else socket.AF_UNSPEC


def family_flag(plan: TransportPlan) -> str:
    """The flag that restricts the address family, for messages."""
    if plan.ip_version:
        return f"-{plan.ip_version}"
    return f"--interface {plan.local_address}"


class RouteResolver(AbstractResolver):
    """--connect-to, then --resolve, then the system's resolver (for the rest)."""

    def __init__(self, plan: TransportPlan, system: AbstractResolver) -> None:
        self._plan = plan
        self._system = system

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        target, target_port = self._plan.connect_target(host, port)
        given = given_addresses(self._plan, target, target_port)
        if given is not None:
            return [_result(target, address, target_port) for address in given]
        try:
            return await self._system.resolve(target, target_port, family)
        except OSError:
            if family != socket.AF_UNSPEC and await self._resolves(target, target_port):
                raise no_address(target, self._plan) from None
            if target != host:  # aiohttp's message would name the URL's host
                raise _unresolved(target, host, port) from None
            raise

    async def _resolves(self, host: str, port: int) -> bool:
        try:
            return bool(await self._system.resolve(host, port, socket.AF_UNSPEC))
        except OSError:
            return False

    async def close(self) -> None:
        await self._system.close()


def given_addresses(plan: TransportPlan, host: str, port: int) -> tuple[str, ...] | None:
    """The addresses --resolve gives a name (an address stands for itself), of the family
    -4/-6 allow; None when the system's resolver is to be asked."""
    if _is_address(host):
        check_family(plan, host)
        return (host,)
    rule = plan.resolve_rule_for(host, port)
    if rule is None:
        return None
    family = address_family(plan)
    allowed = tuple(a for a in rule.addresses if family in (socket.AF_UNSPEC, _family_of(a)))
    if not allowed:
        raise no_address(host, plan, " (--resolve)")
    return allowed


def check_family(plan: TransportPlan, address: str) -> None:
    """An address of a family -4/-6 (or --interface) rules out is an error."""
    family = address_family(plan)
    if family != socket.AF_UNSPEC and _family_of(address) != family:
        version = 6 if family == socket.AF_INET else 4
        raise _family_error(plan, f"{address} is an IPv{version} address")


def no_address(host: str, plan: TransportPlan, where: str = "") -> RequestError:
    version = 4 if address_family(plan) == socket.AF_INET else 6
    return _family_error(plan, f"{_bracketed(host)} has no IPv{version} address{where}")


def _family_error(plan: TransportPlan, what: str) -> RequestError:
    error = RequestError(f"{what}, and {family_flag(plan)} allows no other")
    error.kind = "dns"
    return error


def _unresolved(target: str, host: str, port: int) -> RequestError:
    error = RequestError(
        f"could not resolve host {target!r} (--connect-to for {_host_port(host, port)})"
    )
    error.kind = "dns"
    return error


def _result(hostname: str, address: str, port: int) -> ResolveResult:
    return ResolveResult(
        hostname=hostname,
        host=address,
        port=port,
        family=_family_of(address),
        proto=0,
        flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
    )


class RoutingConnector(aiohttp.TCPConnector):
    """A TCPConnector that routes: the resolver's rules, the family and local address, a
    SOCKS proxy per connection, and a -v line for each connection it opens."""

    def __init__(self, plan: TransportPlan, sink: Sink | None, **settings: Any) -> None:
        super().__init__(
            family=address_family(plan),
            local_addr=(plan.local_address, 0) if plan.local_address else None,
            resolver=RouteResolver(plan, aiohttp.DefaultResolver()),
            **settings,
        )
        self._plan = plan
        self._sink = sink
        self._tls: ssl.SSLContext = settings["ssl"]

    async def close(self, *args: Any, **kwargs: Any) -> None:
        await super().close(*args, **kwargs)
        await self._resolver.close()  # given, so aiohttp leaves it open

    async def _resolve_host(self, host: str, port: int, traces: Any = None) -> list[ResolveResult]:
        """aiohttp answers an address in the URL itself, without the resolver: check its
        family, and let --connect-to (which may name an address) have its say."""
        if _is_address(host):
            if self._plan.reroutes(host, port):
                return await self._resolver.resolve(host, port, self._family)
            check_family(self._plan, host)
        return await super()._resolve_host(host, port, traces)

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> ResponseHandler:
        proxy = socks_proxy_for(req.url, self._plan)
        if proxy is None:
            protocol = await super()._create_connection(req, traces, timeout)
        else:
            protocol = await self._through_socks(req, proxy, traces, timeout)
        if self._sink is not None and protocol.transport is not None:
            self._sink.notice(self._connected(req, protocol.transport, proxy))
        return protocol

    async def _through_socks(
        self,
        req: aiohttp.ClientRequest,
        proxy: ProxyRoute,
        traces: list[Any],
        timeout: aiohttp.ClientTimeout,
    ) -> ResponseHandler:
        """A connection through the SOCKS proxy, handed to aiohttp as a connected socket."""
        from aiocurl.transport import socks  # python-socks only when a SOCKS proxy is used

        host, port = req.url.raw_host or "", req.port or 0
        try:
            destination = await self._socks_destination(host, port, proxy, traces)
        except OSError as exc:  # as aiohttp reports a name it could not look up
            raise aiohttp.ClientConnectorDNSError(req.connection_key, exc) from exc
        try:
            proxy_addresses = await self._resolve_host(proxy.host, proxy.port, traces)
        except OSError as exc:
            raise socks.unresolved(proxy) from exc
        local = (self._plan.local_address, 0) if self._plan.local_address else None
        sock = await socks.open_socket(
            proxy, proxy_addresses, destination, timeout.sock_connect, local
        )
        return await self._hand_over(sock, req, host, timeout)

    async def _hand_over(
        self,
        sock: socket.socket,
        req: aiohttp.ClientRequest,
        host: str,
        timeout: aiohttp.ClientTimeout,
    ) -> ResponseHandler:
        """A connected socket to aiohttp's protocol, with TLS when the URL asks for it, as
        aiohttp's own connections are made (and its errors, for transport/errors.py)."""
        tls = self._tls if req.is_ssl() else None
        try:
            _, protocol = await asyncio.wait_for(
                self._loop.create_connection(
                    self._factory,
                    sock=sock,
                    ssl=tls,
                    server_hostname=(req.server_hostname or host).rstrip(".") if tls else None,
                ),
                timeout.sock_connect,
            )
        except BaseException as exc:
            sock.close()
            if isinstance(exc, ssl.SSLCertVerificationError):
                raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
            if isinstance(exc, ssl.SSLError):
                raise aiohttp.ClientConnectorSSLError(req.connection_key, exc) from exc
            if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
                raise aiohttp.ClientConnectorError(req.connection_key, exc) from exc
            raise
        return protocol

    async def _socks_destination(
        self, host: str, port: int, proxy: ProxyRoute, traces: list[Any]
    ) -> tuple[str, int]:
        """What the proxy is asked to connect to: with remote DNS (socks4a, socks5h) the
        name, unless --connect-to or --resolve say otherwise; else an address looked up
        here, through the resolver (so the rules and -4/-6 apply)."""
        if proxy.remote_dns:
            target, target_port = self._plan.connect_target(host, port)
            given = given_addresses(self._plan, target, target_port)
            return (given[0] if given else target), target_port
        addresses = await self._resolve_host(host, port, traces)
        if proxy.kind == "socks4":  # no IPv6 in SOCKS4
            addresses = [entry for entry in addresses if ":" not in entry["host"]]
            if not addresses:
                error = RequestError(
                    f"{_bracketed(host)} has no IPv4 address, and a socks4 proxy reaches no "
                    "other (socks4a:// or socks5h:// let the proxy look it up)"
                )
                error.kind = "proxy"
                raise error
        return addresses[0]["host"], addresses[0]["port"]

    def _connected(
        self, req: aiohttp.ClientRequest, transport: asyncio.BaseTransport, proxy: ProxyRoute | None
    ) -> str:
        """The -v line for a new connection: where it went, and which flag sent it there."""
        host, port = req.url.raw_host or "", req.port or 0
        line = f"connected to {_host_port(host, port)}"
        if proxy is not None:
            line += f" through the SOCKS proxy {redact_url(proxy.url)}"
        elif req.proxy is not None:
            line += f" through the HTTP proxy {redact_url(str(req.proxy))}"
        else:
            peer = transport.get_extra_info("peername")
            if peer and format_peer(peer) != _host_port(host, port):
                line += f" at {format_peer(peer)}"
            if self._plan.reroutes(host, port):
                line += " (--connect-to)"
            elif self._plan.resolve_rule_for(host, port) is not None:
                line += " (--resolve)"
        local = transport.get_extra_info("sockname")
        if self._plan.local_address and local:
            line += f" from {format_peer(local)}"
        return line


class NotingRoutingConnector(RoutingConnector, PeerConnector):
    """A RoutingConnector that notes each connection's peer for --meta (PeerConnector)."""


class TimedConnector(TimedConnections, aiohttp.TCPConnector):
    """aiohttp's connector, timing each new connection (batches and load runs)."""


class TimedRoutingConnector(TimedConnections, RoutingConnector):
    """A RoutingConnector timing each new connection (batches and load runs)."""


class UnixSocketConnector(aiohttp.UnixConnector):
    """Every connection of the run to one Unix socket, redirects included; its path is
    the peer --meta shows. No TLS: an https URL is refused rather than sent in the clear."""

    last_peer: str | None = None

    def __init__(self, path: str, sink: Sink | None, **settings: Any) -> None:
        super().__init__(path, **settings)
        self._sink = sink

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> aiohttp.connector.Connection:
        connection = await super().connect(req, traces, timeout)
        self.last_peer = self.path
        return connection

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> ResponseHandler:
        where = _host_port(req.url.raw_host or "", req.port or 0)
        if req.is_ssl():
            raise RequestError(
                f"{redact_url(str(req.url))}: TLS over --unix-socket is not supported "
                "(use an http:// URL)"
            )
        try:
            protocol = await super()._create_connection(req, traces, timeout)
        except aiohttp.ClientConnectorError as exc:
            error = RequestError(
                f"cannot connect to the Unix socket {self.path!r}: {os_reason(exc.os_error)}"
            )
            error.kind, error.retryable = "connect", True
            raise error from exc
        if self._sink is not None:
            self._sink.notice(f"connected to {where} through the Unix socket {self.path}")
        return protocol


class TimedUnixSocketConnector(TimedConnections, UnixSocketConnector):
    """A UnixSocketConnector timing each new connection (batches and load runs)."""


def _is_address(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


def _family_of(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _host_port(host: str, port: int) -> str:
    return f"{_bracketed(host)}:{port}"

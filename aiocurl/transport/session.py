"""The one ClientSession of a run, built from the plan: connector, timeouts, TLS, tracing,
limits on the response head."""

from __future__ import annotations

from contextvars import ContextVar
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp

from aiocurl.events import RequestRecord, Sink
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.startup import resume_collection
from aiocurl.transport.session_jar import active_jar, new_jar
from aiocurl.transport.tls import ssl_setting

if TYPE_CHECKING:
    from aiocurl.transport.live import LiveSessions

# The interactive shell's sessions while it runs (transport/live.py): `perform` sends on
# them instead of opening a session of its own.
LIVE: ContextVar[LiveSessions | None] = ContextVar("aiocurl_live_sessions", default=None)


def active_sessions() -> LiveSessions | None:
    return LIVE.get()


class PeerConnector(aiohttp.TCPConnector):
    """Remembers the address of the last connection handed out, for --meta: a small
    response's connection is back in the pool before the caller could ask it."""

    last_peer: str | None = None

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> aiohttp.connector.Connection:
        connection = await super().connect(req, traces, timeout)
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport else None
        self.last_peer = format_peer(peer) if peer else None
        return connection


def format_peer(peer: tuple[Any, ...]) -> str:
    host, port = peer[0], peer[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def new_session(plan: TransportPlan, **settings: Any) -> aiohttp.ClientSession:
    """A ClientSession with what every session of aiocurl needs (HTTP and WebSocket alike):
    the plan's limits on the response head, and each request sent once per attempt; in a
    --session run, the session's cookie jar."""
    # Start-up is over once a session is built, whatever mode builds it (modes/run.py says
    # so for the modes it runs): collection resumes, see aiocurl/startup.py.
    resume_collection()
    jar = active_jar()
    if jar is not None:
        settings["cookie_jar"] = jar
    session = aiohttp.ClientSession(
        auto_decompress=False,  # transport/decoding.py decodes, and checks each coding ends
        max_line_size=plan.max_header_size,  # the status line
        max_field_size=plan.max_header_size,  # each header line
        max_headers=plan.max_headers,
        **settings,
    )
    send_each_attempt_once(session)
    return session


def send_each_attempt_once(session: aiohttp.ClientSession) -> None:
    """Stop aiohttp from silently sending a GET, PUT or DELETE a second time when the
    connection drops before an answer (ClientSession._request, "retry_persistent_connection"):
    with --retry every attempt is announced, and without it there is one. aiohttp has no
    public switch (aio-libs/aiohttp#10790); this is the attribute its own TestClient clears,
    and tests/cli/test_retry.py counts the requests a server sees, should it ever change."""
    session._retry_connection = False


def open_session(
    plan: TransportPlan,
    sink: Sink | None,
    *,
    limit: int = 100,
    limit_per_host: int = 0,
    timing: bool = False,
) -> aiohttp.ClientSession:
    """The session of a run: `limit` connections in the pool (aiohttp's default for one
    request; a batch sets its own), `limit_per_host` per host (0: no limit). The requests
    as sent, and the peer each went to, are reported to `sink`; with None (batches, load
    runs) aiohttp is spared the tracing and the connector the noting of peers. `timing`
    traces each request's phases (transport/timing.py)."""
    from aiocurl.transport.routing import connector_for  # its connectors build on PeerConnector

    timeout = aiohttp.ClientTimeout(
        total=plan.total_timeout,  # aiohttp's default of 300 s would cut long downloads
        connect=None,
        sock_connect=plan.connect_timeout,
        sock_read=plan.read_timeout,
    )
    context = ssl_setting(plan)
    traces = [request_tracer(sink)] if sink is not None else []
    if timing:
        from aiocurl.transport.timing import phase_tracer, watch_tls

        watch_tls(context)
        traces.append(phase_tracer())
    return new_session(
        plan,
        connector=connector_for(
            plan, sink, tls=context, limit=limit, limit_per_host=limit_per_host
        ),
        timeout=timeout,
        # Redirects may set cookies that the next hop needs, also on IP-address hosts.
        cookie_jar=new_jar(),
        trust_env=False,  # proxies come from transport.proxy, netrc from the plan
        trace_configs=traces or None,
    )


def request_tracer(sink: Sink) -> aiohttp.TraceConfig:
    """Reports each request with the headers aiohttp really sent (Host, length, cookies)."""

    async def headers_sent(
        _session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        hop = context.trace_request_ctx
        sink.request(
            RequestRecord(
                method=params.method,
                url=str(params.url),
                headers=tuple(params.headers.items()),
                body=getattr(hop, "body", None),
            )
        )

    tracer = aiohttp.TraceConfig()
    tracer.on_request_headers_sent.append(headers_sent)
    return tracer

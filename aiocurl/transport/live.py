"""The sessions of an interactive shell, kept open from one request to the next.

A single command opens a ClientSession and closes it when its request is done. The shell
(`--shell`) instead keeps its sessions while it runs, so a second request to a host finds
its connection in the pool and the cookies the first one got. While `live_sessions()` is
active, `perform` (transport/send.py) takes its session from here instead of opening one.

A session holds what its connector and timeouts were built from (TLS, routing, timeouts),
so requests whose flags change those get a session of their own, kept for the next
request with the same flags; every session shares one cookie jar.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp

from aiocurl.events import ResponseHead, ResponseMeta, Sink
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.session import LIVE, open_session
from aiocurl.transport.session_jar import active_jar, jar_in_use, new_jar

# What earlier responses taught the shell: (URL that answered, its headers, a JSON body's
# first bytes or None).
ResponseNote = Callable[[str, Sequence[tuple[str, str]], "bytes | None"], None]

# A JSON body's first bytes are kept for the shell to find links in; no more than this.
NOTED_BODY_LIMIT = 256 * 1024


class SinkSwitch:
    """The sink of the request running now. A session's tracer (the request as sent) and
    connector (where a connection went) are built once, with the session; the shell's
    requests each have a sink of their own, which this forwards to."""

    def __init__(self) -> None:
        self.current: Sink | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)


class LiveSessions:
    """The shell's ClientSessions, one per set of connection settings, one cookie jar."""

    def __init__(self, note: ResponseNote | None = None) -> None:
        self.jar = active_jar() or new_jar()  # a --session's cookies, when the shell has one
        self._note = note
        self._switch = SinkSwitch()
        self._sessions: dict[TransportPlan, aiohttp.ClientSession] = {}

    def session_for(self, plan: TransportPlan, sink: Sink) -> aiohttp.ClientSession:
        """The session for a request with these settings, opened on first use."""
        self._switch.current = sink
        key = connection_settings(plan)
        session = self._sessions.get(key)
        if session is None or session.closed:
            # Phases are always traced: -m and --timing on any line can show them, and a
            # shell does not count its requests by the thousand.
            session = open_session(key, self._switch, timing=True)  # the jar: live_sessions'
            self._sessions[key] = session
        return session

    def observed(self, sink: Sink) -> Sink:
        """`sink`, with the final response also noted for the shell's completion."""
        if self._note is None:
            return sink
        return NotingSink(sink, self._note)

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()


def connection_settings(plan: TransportPlan) -> TransportPlan:
    """What a session is built from: the plan with what each request decides for itself
    (redirects, retries, decoding, size limits) set to one value."""
    return replace(
        plan,
        follow=False,
        max_redirects=0,
        location_trusted=False,
        secret_headers=frozenset(),
        decompress=True,
        max_filesize=None,
        retries=0,
        retry_on=frozenset(),
        retry_delay=0.0,
        retry_max_time=None,
        retry_all_methods=False,
    )


class NotingSink:
    """The request's own sink; the final head and a JSON body's first bytes are also noted."""

    def __init__(self, sink: Sink, note: ResponseNote) -> None:
        self._sink = sink
        self._note = note
        self._head: ResponseHead | None = None
        self._body: bytearray | None = None

    def response_head(self, head: ResponseHead) -> None:
        self._sink.response_head(head)
        if head.final:
            self._head = head
            content_type = (head.header("Content-Type") or "").lower()
            self._body = bytearray() if "json" in content_type else None

    def body_chunk(self, chunk: bytes) -> None:
        self._sink.body_chunk(chunk)
        body = self._body
        if body is not None and len(body) < NOTED_BODY_LIMIT:
            body += chunk[: NOTED_BODY_LIMIT - len(body)]

    def response_end(self, meta: ResponseMeta) -> None:
        self._sink.response_end(meta)
        head = self._head
        if head is not None:
            body = bytes(self._body) if self._body is not None else None
            self._note(head.url, head.headers, body)
            self._head = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sink, name)


@contextlib.asynccontextmanager
async def live_sessions(note: ResponseNote | None = None) -> AsyncIterator[LiveSessions]:
    """Within the block, every request is sent on the shell's live sessions."""
    live = LiveSessions(note)
    token = LIVE.set(live)
    try:
        with jar_in_use(live.jar):  # WebSocket sessions take the shell's cookies too
            yield live
    finally:
        LIVE.reset(token)
        await live.close()

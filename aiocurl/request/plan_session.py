"""A --session or --session-read-only in the plan: the stored headers and credentials
under the request's own, and what the file will hold after it. Imported only when a
session is given (the file format's module is not light)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from aiocurl.cli.options import Options
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.request.items import RequestItem
from aiocurl.request.plan import Auth
from aiocurl.request.session_file import (
    SessionAuth,
    SessionData,
    SessionPlan,
    cookies_from_items,
    read_session,
    session_header_items,
    session_path,
    updated_headers,
)


def session_items(session: SessionData, items: Sequence[RequestItem]) -> list[RequestItem]:
    """The session's header items first; an item given now replaces a stored one."""
    return [*session_header_items(session, items), *items]


def stored_session(options: Options, url: str, env: Environment) -> tuple[str, SessionData]:
    """--session or --session-read-only (one is given): the file's path and what it holds."""
    if options.session is not None and options.session_read_only is not None:
        raise UsageError("--session and --session-read-only cannot be combined")
    value = options.session or options.session_read_only
    assert value is not None
    path = session_path(value, url, env.env)
    read_only = options.session is None
    return path, read_session(path, read_only=read_only, read_file=env.read_file)


def with_session_auth(options: Options, session: SessionData, url_user: str | None) -> Options:
    """The stored credentials, when none are given on the command line or in the URL."""
    if session.auth is None or options.auth is not None or url_user is not None:
        return options
    return replace(options, auth=session.auth.raw, auth_type=session.auth.kind)


def plan_session(
    options: Options,
    stored: tuple[str, SessionData],
    url: str,
    items: Sequence[RequestItem],
    headers: tuple[tuple[str, str], ...],
    auth: Auth | None,
) -> SessionPlan:
    """What the file will hold after this request: its header items, its credentials
    (as given, a prompted password too), its Cookie items as cookies of this host."""
    path, loaded = stored
    values = {name.lower(): value for name, value in headers}
    kept_auth = loaded.auth
    if auth is not None:
        raw = auth.password if auth.kind == "bearer" else f"{auth.username}:{auth.password}"
        kept_auth = SessionAuth(auth.kind, raw)
    base_url = options.base_url or loaded.base_url
    updated = replace(
        loaded,
        headers=updated_headers(loaded, items, values),
        auth=kept_auth,
        base_url=base_url,
    )
    return SessionPlan(
        path=path,
        read_only=options.session is None,
        url=url,
        loaded=loaded,
        updated=updated,
        item_cookies=cookies_from_items(
            [(i.key, values.get(i.key.lower(), i.value)) for i in items if i.kind.is_header]
        ),
    )

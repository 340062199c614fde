"""The interactive shell's runs: every request on the same live sessions (connections and
cookies carried over), Ctrl-C cancelling the request only, a --session kept up to date."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

from aiocurl.environment import Environment
from aiocurl.modes.run import run
from aiocurl.modes.session import write_session
from aiocurl.modes.signals import on_interrupt
from aiocurl.request.batch import BatchPlan
from aiocurl.request.load import LoadPlan
from aiocurl.request.plan import RequestPlan
from aiocurl.request.session_file import SessionData, SessionPlan
from aiocurl.status import ExitStatus
from aiocurl.transport.live import LiveSessions, ResponseNote, live_sessions
from aiocurl.transport.session_jar import session_jar, stored_cookies

Plan = RequestPlan | BatchPlan | LoadPlan


class ShellRuns:
    """Runs each of the shell's plans on its live sessions."""

    def __init__(self, live: LiveSessions) -> None:
        self._live = live

    async def run(self, plan: Plan, env: Environment, *, interactive: bool) -> ExitStatus:
        """One plan. On a terminal, Ctrl-C cancels it and the shell goes on (exit status
        130 for this request); in a script, Ctrl-C ends the shell as it ends a command."""
        task = asyncio.ensure_future(self._run(plan, env))
        with on_interrupt(task.cancel) if interactive else contextlib.nullcontext():
            try:
                return await task
            except asyncio.CancelledError:
                if not task.cancelled() or _cancelling():
                    raise  # the shell itself is being cancelled
        env.stderr.write("\naiocurl: interrupted\n")
        return ExitStatus.INTERRUPTED

    async def _run(self, plan: Plan, env: Environment) -> ExitStatus:
        if not isinstance(plan, RequestPlan) or plan.session is None or plan.offline:
            return await run(plan, env)
        session = plan.session
        status = await run(replace(plan, session=None), env)  # the shell's jar holds its cookies
        if not session.read_only:
            self.save(session.path, session.updated)
        return status

    def save(self, path: str, data: SessionData) -> None:
        """A session file with `data` and the cookies the shell holds now."""
        write_session(path, replace(data, cookies=stored_cookies(self._live.jar)))


def _cancelling() -> bool:
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(cancelling and cancelling())


@contextlib.asynccontextmanager
async def shell_runs(
    session: SessionPlan | None, note: ResponseNote | None
) -> AsyncIterator[ShellRuns]:
    """The shell's live sessions, open for the block; with --session, its cookies first."""
    with session_jar(session) if session is not None else contextlib.nullcontext():
        async with live_sessions(note) as live:
            yield ShellRuns(live)

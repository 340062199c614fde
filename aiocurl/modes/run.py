"""Run a plan in the mode it asks for, and turn the outcome into an exit status."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiocurl.environment import Environment
from aiocurl.modes.signals import SignalStop, stop_on_signals
from aiocurl.request.plan import RequestPlan
from aiocurl.startup import resume_collection
from aiocurl.status import ExitStatus

if TYPE_CHECKING:  # one request imports neither (start-up)
    from aiocurl.request.batch import BatchPlan
    from aiocurl.request.load import LoadPlan


async def run(plan: RequestPlan | BatchPlan | LoadPlan, env: Environment) -> ExitStatus:
    # Start-up ends when this first step waits (the mode and aiohttp imported by then).
    asyncio.get_running_loop().call_soon(resume_collection)
    output = plan.output if isinstance(plan, RequestPlan) else plan_of(plan).output
    if unverified_tls(plan) and output.quiet < 2:
        env.stderr.write("aiocurl: warning: TLS certificates are not verified (--verify no)\n")
    with stop_on_signals() as stop:
        try:
            if not isinstance(plan, RequestPlan):
                return await run_many(plan, env)
            if plan.session is not None and not plan.offline:
                return await run_session(plan, env, stop)
            return await run_mode(plan, env, stop)
        except asyncio.CancelledError:
            error = stop.error()  # SIGTERM or SIGHUP: exit 143 or 129 rather than 130
            if error is None:
                raise
            raise error from None


async def run_many(plan: BatchPlan | LoadPlan, env: Environment) -> ExitStatus:
    """A batch (--batch) or a load run (--repeat, --duration)."""
    from aiocurl.request.batch import BatchPlan

    if isinstance(plan, BatchPlan):
        from aiocurl.modes.batch import run_batch

        return await run_batch(plan, env)
    from aiocurl.modes.load import run_load

    return await run_load(plan, env)


def plan_of(plan: BatchPlan | LoadPlan) -> RequestPlan | BatchPlan:
    """The plan whose settings apply: a load run's one request, or the batch itself."""
    from aiocurl.request.load import LoadPlan

    return plan.plan if isinstance(plan, LoadPlan) else plan


async def run_mode(plan: RequestPlan, env: Environment, stop: SignalStop) -> ExitStatus:
    """The mode's module is imported only when it runs (start-up: --offline needs none)."""
    if plan.ws is not None and not plan.offline:
        from aiocurl.modes.websocket import run_ws

        return await run_ws(plan, env)
    if plan.output.download and not plan.offline:
        from aiocurl.modes.download import run_download

        return await run_download(plan, env, stop)
    from aiocurl.modes.exchange import run_exchange

    return await run_exchange(plan, env)


async def run_session(plan: RequestPlan, env: Environment, stop: SignalStop) -> ExitStatus:
    """--session: the cookie jar filled from the file, the file updated after."""
    from aiocurl.modes.session import run_with_session

    assert plan.session is not None
    return await run_with_session(plan.session, lambda: run_mode(plan, env, stop))


def unverified_tls(plan: RequestPlan | BatchPlan | LoadPlan) -> bool:
    """--verify no matters only where there is TLS to verify."""
    if not isinstance(plan, RequestPlan):
        plan = plan_of(plan)
    if plan.transport.verify or plan.offline:
        return False
    if not isinstance(plan, RequestPlan):  # a batch: its lines are planned later, any https
        return any("https:" in entry.text.lower() for entry in plan.entries)
    return plan.request.url.partition(":")[0].lower() in ("https", "wss")

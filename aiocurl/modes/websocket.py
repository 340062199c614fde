"""A WebSocket session: scripted (stdin lines out, one line per message in) or interactive
(a prompt on a terminal), until a clean close."""

from __future__ import annotations

import asyncio

from aiocurl.environment import Environment
from aiocurl.events import Outbox
from aiocurl.render.output import Renderer, TextAsBinary
from aiocurl.request.plan import RequestPlan, WebSocketPlan
from aiocurl.status import ExitStatus
from aiocurl.transport.websocket import run_websocket


async def run_ws(plan: RequestPlan, env: Environment) -> ExitStatus:
    """A WebSocket session: the handshake shown like a request (on stderr when stdout is a
    pipe, which carries the messages), then messages until a clean close."""
    from aiocurl.modes.ws_input import stdin_outbox
    from aiocurl.render.ws import LineWriter

    ws = plan.ws
    assert ws is not None
    display = env.stdout if env.stdout_isatty else TextAsBinary(env.stderr)
    shown = Renderer(plan.output, display, err=env.stderr)  # type: ignore[arg-type]
    refused = Renderer(plan.output, env.stdout, err=env.stderr)
    if ws.interactive:
        return await run_interactive(plan, ws, shown, refused)
    messages = LineWriter(
        env.stdout, env.stderr, raw_binary=ws.raw_binary, announce=plan.output.quiet == 0
    )
    outbox = None if ws.listen_only else stdin_outbox(env.stdin, binary=ws.binary)
    try:
        await run_websocket(plan, ws, shown, refused, messages, outbox)
    finally:
        shown.finish()
        refused.finish()
    return ExitStatus.OK


async def run_interactive(
    plan: RequestPlan, ws: WebSocketPlan, shown: Renderer, refused: Renderer
) -> ExitStatus:
    """The prompt feeds the outbox; messages are printed above it."""
    from aiocurl.render.ws_prompt import PromptView, prompting

    view = PromptView(plan.output.style)
    outbox: Outbox = asyncio.Queue()
    async with prompting(view, outbox) as prompt:
        try:
            await run_websocket(plan, ws, shown, refused, view, outbox)
        finally:
            shown.finish()
            refused.finish()
    if prompt.interrupted:
        raise KeyboardInterrupt
    return ExitStatus.OK

"""Wire a plan to the transport and the renderer, and turn the outcome into an exit status."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from typing import BinaryIO

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError
from aiocurl.events import RequestRecord
from aiocurl.modes.signals import SignalStop, stop_on_signals
from aiocurl.output_files import WriteError
from aiocurl.render.output import LazyFile, Renderer, TextAsBinary
from aiocurl.request.plan import RequestPlan, RequestSpec
from aiocurl.request.urls import host_header
from aiocurl.status import ExitStatus, status_for_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


async def run(plan: RequestPlan, env: Environment) -> ExitStatus:
    if unverified_tls(plan) and plan.output.quiet < 2:
        env.stderr.write("aiocurl: warning: TLS certificates are not verified (--verify no)\n")
    with stop_on_signals() as stop:
        try:
            return await run_mode(plan, env, stop)
        except asyncio.CancelledError:
            error = stop.error()  # SIGTERM or SIGHUP: exit 143 or 129 rather than 130
            if error is None:
                raise
            raise error from None


async def run_mode(plan: RequestPlan, env: Environment, stop: SignalStop) -> ExitStatus:
    if plan.ws is not None and not plan.offline:
        return await run_ws(plan, env)
    if plan.output.download and not plan.offline:
        return await run_download(plan, env, stop)
    return await run_exchange(plan, env)


def unverified_tls(plan: RequestPlan) -> bool:
    """--verify no matters only where there is TLS to verify."""
    scheme = plan.request.url.partition(":")[0].lower()
    return not plan.transport.verify and not plan.offline and scheme in ("https", "wss")


async def run_exchange(plan: RequestPlan, env: Environment) -> ExitStatus:
    """One request (or --offline), shown on stdout or written to --output."""
    file = LazyFile(plan.output.output_file) if plan.output.output_file else None
    out: BinaryIO = file if file is not None else env.stdout  # type: ignore[assignment]  # a binary stream
    renderer = Renderer(plan.output, out, err=env.stderr)
    head = None
    try:
        if plan.offline:
            renderer.request(offline_record(plan.request))
        else:
            from aiocurl.transport.send import perform  # aiohttp is imported only to send

            head = await perform(plan, renderer)
        if file is not None:
            file.commit()  # the exchange is complete: an empty body makes an empty file
    finally:
        renderer.finish()
        if file is not None:
            file.close()
    if head is None:
        return ExitStatus.OK
    status = status_for_response(head.status, check_status=plan.output.check_status)
    if status is not ExitStatus.OK and not env.stdout_isatty and plan.output.quiet < 2:
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {head.reason}\n")
    return status


async def run_download(plan: RequestPlan, env: Environment, stop: SignalStop) -> ExitStatus:
    """The body to a file (resumed with --continue), headers and progress to stderr. With
    --retry, a body that breaks off is resumed from where it stopped, not started over."""
    from aiocurl.render import download
    from aiocurl.transport.send import perform

    shown = Renderer(plan.output, TextAsBinary(env.stderr), err=env.stderr)  # type: ignore[arg-type]
    resume = download.prepare(plan.output.output_file, plan.output.resume)
    output, retries_left = plan.output, plan.transport.retries
    said: set[str] = set()  # notes shown once however many attempts it takes
    try:
        while True:
            extra = download.range_headers(resume)
            attempt = replace(
                plan, request=replace(plan.request, headers=plan.request.headers + extra)
            )
            sink = download.DownloadSink(
                output, shown, env.stderr, resume=resume, argv=output.argv, said=said
            )
            try:
                head = await perform(attempt, sink)
                break
            except AiocurlError as exc:
                hint = sink.failed(exc)
                if isinstance(exc, WriteError) or not (retries_left and sink.path and sink.written):
                    exc.detail = hint
                    raise
                retries_left -= 1
                resume = download.Resume(os.path.getsize(sink.path), sink.validator)
                output = replace(output, output_file=sink.path)
                shown.warning(
                    f"retry: resuming {sink.path} at byte {resume.offset} after: {exc.message}"
                )
                await asyncio.sleep(plan.transport.retry_delay)
            except asyncio.CancelledError as exc:  # Ctrl-C: asyncio.run raises KeyboardInterrupt
                hint = sink.failed(exc)
                error = stop.error()
                if error is not None:  # SIGTERM or SIGHUP
                    error.detail = hint
                    raise error from None
                if hint:
                    env.stderr.write(f"aiocurl: download interrupted\n{hint}\n")
                raise
    finally:
        shown.finish()
    if sink.complete:
        return ExitStatus.OK
    # Nothing is saved from a response that is not the file (HTTPie's --download rule).
    if plan.output.quiet < 2:
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {head.reason}: nothing saved\n")
    return status_for_response(sink.status or head.status, check_status=True)


async def run_ws(plan: RequestPlan, env: Environment) -> ExitStatus:
    """A WebSocket session: the handshake shown like a request (on stderr when stdout is a
    pipe, which carries the messages), then messages until a clean close."""
    from aiocurl.modes.ws_input import stdin_outbox
    from aiocurl.render.ws import LineWriter
    from aiocurl.transport.websocket import run_websocket

    ws = plan.ws
    assert ws is not None
    display = env.stdout if env.stdout_isatty else TextAsBinary(env.stderr)
    shown = Renderer(plan.output, display, err=env.stderr)  # type: ignore[arg-type]
    refused = Renderer(plan.output, env.stdout, err=env.stderr)
    if ws.interactive:
        from aiocurl.render.ws_prompt import run_interactive

        return await run_interactive(plan, ws, shown, refused, env)
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


def offline_record(request: RequestSpec) -> RequestRecord:
    """The request as aiohttp would send it: Host first (the user's Host item in its place,
    the last one winning, as aiohttp does), then our headers, then the length."""
    hosts = [(name, value) for name, value in request.headers if name.lower() == "host"]
    host = hosts[-1] if hosts else ("Host", host_header(request.url))
    others = [(name, value) for name, value in request.headers if name.lower() != "host"]
    headers = [host, *others]
    length = request.body.length if request.body is not None else None
    if request.body is not None and (request.chunked or length is None):
        headers.append(("Transfer-Encoding", "chunked"))
    elif request.body is not None:
        headers.append(("Content-Length", str(length)))
    elif request.method in _BODY_METHODS:
        headers.append(("Content-Length", "0"))
    return RequestRecord(request.method, request.url, tuple(headers), request.body)

"""--download: the body to a file (resumed with --continue), headers and progress to stderr."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, printable
from aiocurl.modes.signals import SignalStop
from aiocurl.output_files import WriteError
from aiocurl.render.download import DownloadSink
from aiocurl.render.output import Renderer, TextAsBinary
from aiocurl.render.partial_file import prepare
from aiocurl.request import resume as resuming
from aiocurl.request.plan import RequestPlan
from aiocurl.status import ExitStatus, status_for_response
from aiocurl.transport.send import perform


async def run_download(plan: RequestPlan, env: Environment, stop: SignalStop) -> ExitStatus:
    """The body to a file (resumed with --continue), headers and progress to stderr. With
    --retry, a body that breaks off is resumed from where it stopped, not started over."""
    shown = Renderer(plan.output, TextAsBinary(env.stderr), err=env.stderr)  # type: ignore[arg-type]
    resume = prepare(plan.output.output_file, plan.output.resume)
    output, retries_left = plan.output, plan.transport.retries
    said: set[str] = set()  # notes shown once however many attempts it takes
    try:
        while True:
            extra = resuming.range_headers(resume)
            attempt = replace(
                plan, request=replace(plan.request, headers=plan.request.headers + extra)
            )
            sink = DownloadSink(
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
                resume = resuming.Resume(os.path.getsize(sink.path), sink.validator)
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
        reason = printable(head.reason)
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {reason}: nothing saved\n")
    return status_for_response(sink.status or head.status, check_status=True)

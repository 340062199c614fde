"""One request and its response (or --offline): shown on stdout or written to --output."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, OutputClosed, printable
from aiocurl.events import RequestRecord
from aiocurl.render.output import LazyFile, Renderer
from aiocurl.request.plan import BODILESS_METHODS, RequestPlan, RequestSpec
from aiocurl.request.urls import host_header
from aiocurl.status import ExitStatus, status_for_response

if TYPE_CHECKING:  # only --timing and --write-out note the hops (start-up)
    from aiocurl.render.transfer import Hop, TransferLog


async def run_exchange(plan: RequestPlan, env: Environment) -> ExitStatus:
    """One request (or --offline), shown on stdout or written to --output."""
    file = LazyFile(plan.output.output_file) if plan.output.output_file else None
    out: BinaryIO = file if file is not None else env.stdout  # type: ignore[assignment]  # a binary stream
    renderer = Renderer(plan.output, out, err=env.stderr)
    log = _transfer_log(plan, renderer)
    head = None
    try:
        try:
            if plan.offline:
                renderer.request(offline_record(plan.request))
            else:
                from aiocurl.transport.send import perform  # aiohttp is imported only to send

                head = await perform(plan, log or renderer)
            if file is not None:
                file.commit()  # the exchange is complete: an empty body makes an empty file
        finally:
            renderer.finish()
            if file is not None:
                file.close()
    except AiocurlError as exc:
        if log is not None and not isinstance(exc, OutputClosed):
            _report(plan, env, log, exc.exit_status, exc.message, failed=True)
        raise
    if head is None:
        return ExitStatus.OK
    status = status_for_response(head.status, check_status=plan.output.check_status)
    if status is not ExitStatus.OK and not env.stdout_isatty and plan.output.quiet < 2:
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {printable(head.reason)}\n")
    if log is not None:
        error = None if status is ExitStatus.OK else f"HTTP {head.status} {printable(head.reason)}"
        _report(plan, env, log, status, error, failed=False)
    return status


def _transfer_log(plan: RequestPlan, renderer: Renderer) -> TransferLog | None:
    """What --timing and --write-out need noted, when one of them is asked for."""
    if plan.offline or not (plan.output.timing or plan.output.write_out is not None):
        return None
    from aiocurl.render.transfer import TransferLog

    return TransferLog(renderer, plan.request.method, plan.request.url)


def _report(
    plan: RequestPlan,
    env: Environment,
    log: TransferLog,
    status: int,
    error: str | None,
    *,
    failed: bool,
) -> None:
    """After the response (or the failure): the --timing waterfall, then --write-out."""
    from aiocurl.transport.timing import unfinished_hop

    hops = log.hops_until(unfinished_hop() if failed else None)
    if plan.output.timing:
        _show_timing(plan, env, hops, failed=failed)
    if plan.output.write_out is not None:
        from aiocurl.render.write_out import write_out, write_out_values

        values = write_out_values(log, hops, exit_status=int(status), error=error)
        head = hops[-1].head if hops else None
        write_out(plan.output.write_out, values, head, stdout=env.stdout, stderr=env.stderr)


def _show_timing(plan: RequestPlan, env: Environment, hops: list[Hop], *, failed: bool) -> None:
    """On a terminal the waterfall follows the response on stdout (coloured when the output
    is); in a pipe, or with --output, it goes to stderr as plain text."""
    from aiocurl.render.timing import plain_text, waterfall, write_coloured

    rows = waterfall(hops, failed=failed)
    if not rows:
        return
    if not plan.output.terminal:
        env.stderr.write(plain_text(rows))
        return
    env.stdout.write(b"\n")  # set apart from the response
    if plan.output.colors:
        write_coloured(rows, env.stdout)
    else:
        env.stdout.write(plain_text(rows).encode("utf-8"))
    env.stdout.flush()


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
    elif request.method not in BODILESS_METHODS:
        headers.append(("Content-Length", "0"))
    return RequestRecord(request.method, request.url, tuple(headers), request.body)

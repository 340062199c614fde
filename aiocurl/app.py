"""Wire a plan to the transport and the renderer, and turn the outcome into an exit status."""

from __future__ import annotations

from typing import BinaryIO

from aiocurl.environment import Environment
from aiocurl.events import RequestRecord
from aiocurl.plan import RequestPlan, RequestSpec
from aiocurl.render.output import LazyFile, Renderer
from aiocurl.status import ExitStatus, status_for_response
from aiocurl.urls import host_header

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


async def run(plan: RequestPlan, env: Environment) -> ExitStatus:
    out: BinaryIO = (
        LazyFile(plan.output.output_file)  # type: ignore[assignment]  # a binary stream
        if plan.output.output_file
        else env.stdout
    )
    renderer = Renderer(plan.output, out, err=env.stderr)
    try:
        if plan.offline:
            renderer.request(offline_record(plan.request))
            return ExitStatus.OK
        from aiocurl.transport.send import perform  # aiohttp is imported only to send

        head = await perform(plan, renderer)
    finally:
        renderer.finish()
        if out is not env.stdout:
            out.close()
    status = status_for_response(head.status, check_status=plan.output.check_status)
    if status is not ExitStatus.OK and not env.stdout_isatty and plan.output.quiet < 2:
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {head.reason}\n")
    return status


def offline_record(request: RequestSpec) -> RequestRecord:
    """The request as aiohttp would send it: Host first, then our headers, then the length."""
    headers = [("Host", host_header(request.url)), *request.headers]
    length = request.body.length if request.body is not None else None
    if request.body is not None and (request.chunked or length is None):
        headers.append(("Transfer-Encoding", "chunked"))
    elif request.body is not None:
        headers.append(("Content-Length", str(length)))
    elif request.method in _BODY_METHODS:
        headers.append(("Content-Length", "0"))
    return RequestRecord(request.method, request.url, tuple(headers), request.body)

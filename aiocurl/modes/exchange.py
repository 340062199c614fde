"""One request and its response (or --offline): shown on stdout or written to --output."""

from __future__ import annotations

from typing import BinaryIO

from aiocurl.environment import Environment
from aiocurl.errors import printable
from aiocurl.events import RequestRecord
from aiocurl.render.output import LazyFile, Renderer
from aiocurl.request.plan import RequestPlan, RequestSpec
from aiocurl.request.urls import host_header
from aiocurl.status import ExitStatus, status_for_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
        env.stderr.write(f"aiocurl: warning: HTTP {head.status} {printable(head.reason)}\n")
    return status


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

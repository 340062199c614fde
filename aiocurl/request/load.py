"""A load run (--repeat N or --duration S): one request, planned once and sent many times.

Its body is built once (items, a file, multipart, stdin read once) and re-sent as is, so
it must be one that can be sent again.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiocurl.cli.options import Options
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.request.plan import RequestPlan, build_plan


@dataclass(frozen=True)
class LoadPlan:
    plan: RequestPlan
    repeat: int | None
    duration: float | None
    concurrency: int
    rate: float | None
    max_connections: int
    max_connections_per_host: int
    summary: str  # text | json


def build_load(options: Options, env: Environment) -> LoadPlan:
    check_load_flags(options)
    plan = build_plan(options, env)
    if plan.ws is not None:
        raise UsageError("a load run sends HTTP requests: a WebSocket URL cannot be repeated")
    body = plan.request.body
    if body is not None and not body.replayable:
        raise UsageError(
            f"a load run sends the body again and again, but {body.source} can be read only "
            "once; save it to a file and send it with @FILE"
        )
    many = options.many
    return LoadPlan(
        plan=plan,
        repeat=many.repeat,
        duration=many.duration,
        concurrency=many.concurrency,
        rate=many.rate,
        max_connections=many.max_connections or many.concurrency,
        max_connections_per_host=many.max_connections_per_host or 0,
        summary=many.summary or "text",
    )


def check_load_flags(options: Options) -> None:
    if options.many.batch is not None:
        raise UsageError("--batch and --repeat/--duration cannot be combined")
    refuse_single_exchange_flags(
        options, [("--offline", options.offline)], mode="--repeat or --duration"
    )


def refuse_single_exchange_flags(
    options: Options, more: list[tuple[str, bool]], *, mode: str
) -> None:
    """Flags that belong to one exchange (a file to write, a stream to show) are errors
    in a run of many requests, named with `mode`; `more` adds the mode's own."""
    out = options.output
    given = [
        ("--download", out.download),
        ("--continue", out.resume),
        ("--stream", out.stream),
        ("--output", out.output_file is not None),
        ("--timing", out.timing),  # the summary reports the phases of a run
        ("--write-out", out.write_out is not None),
        ("--session", options.session is not None),  # one request's state, not a run's
        ("--session-read-only", options.session_read_only is not None),
        *more,
    ]
    for flag, present in given:
        if present:
            raise UsageError(f"{flag} cannot be used with {mode}")

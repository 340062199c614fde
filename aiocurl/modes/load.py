"""A load run: one planned request sent --repeat times or for --duration seconds, by
--concurrency workers through one pooled session, at most --rate a second; then a summary.

Every request keeps the rules of a single one (timeouts, retries, redirects, TLS). Requests
still in flight when --duration ends are counted as unfinished, not as errors. Ctrl-C stops
sending, gives the requests in flight a second, prints the summary and exits 130.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, UsageError
from aiocurl.events import RequestRecord, ResponseHead, ResponseMeta, Retry, Timing
from aiocurl.modes.signals import end_echoed_interrupt, interrupts_set
from aiocurl.render.summary import summary_json, summary_text
from aiocurl.request.load import LoadPlan
from aiocurl.request.plan_output import pretty_modes
from aiocurl.stats import Stats
from aiocurl.status import ExitStatus

if TYPE_CHECKING:
    from aiocurl.render.progress import RunProgress

GRACE = 1.0  # seconds the requests in flight get after Ctrl-C


async def run_load(load: LoadPlan, env: Environment) -> ExitStatus:
    from aiocurl.transport.errors import error_kind
    from aiocurl.transport.send import perform_on
    from aiocurl.transport.session import open_session
    from aiocurl.transport.timing import count_phases

    stats = Stats()
    started = time.perf_counter()
    slots = _slots(load, started)
    session = open_session(
        load.plan.transport,
        None,  # the requests as sent are not shown
        limit=load.max_connections,
        limit_per_host=load.max_connections_per_host,
    )

    stopping = False  # Ctrl-C: no new request goes, those in flight get a grace period

    async def worker() -> None:
        tally = Tally()  # one per worker, not per request: a run may send millions
        count_phases()  # from the clock reads the requests make anyway: no tracing
        try:
            for slot in slots:
                if slot is None or stopping:
                    return
                if load.rate:  # without a rate, the next request goes at once
                    await asyncio.sleep(max(0.0, slot - time.perf_counter()))
                sent = time.perf_counter()
                try:
                    head = await perform_on(session, load.plan, tally)
                except AiocurlError as exc:
                    stats.fail(error_kind(exc), int(exc.exit_status))
                except asyncio.CancelledError:
                    stats.unfinished += 1
                    raise
                else:
                    stats.answer(head.status, time.perf_counter() - sent, tally.size)
                    stats.time_phases(tally.timing)
        finally:
            stats.retries += tally.retries

    progress = _progress(load, env)
    ticker = asyncio.ensure_future(_tick(progress, stats, load, started)) if progress else None
    async with session:
        workers: list[asyncio.Future[None]] = [
            asyncio.ensure_future(worker()) for _ in range(load.concurrency)
        ]
        try:
            await _until_done(workers, load.duration)
        except asyncio.CancelledError:  # Ctrl-C: what completed is still worth a summary
            stopping = True
            # From here a second Ctrl-C cuts the grace period short instead of raising
            # wherever the code is: the display is cleared and the summary comes whole.
            cut = asyncio.Event()
            with interrupts_set(cut):
                _stop_progress(ticker, progress)
                cut_short = await _grace(workers, GRACE, cut)
                await _stop(workers, grace=0)
                stats.seconds = time.perf_counter() - started
                if progress is None or cut_short:  # a ^C echoed after the display went
                    end_echoed_interrupt(env)
                print_summary(stats, load.summary, env, colors=load.plan.output.colors)
            raise
    _stop_progress(ticker, progress)
    stats.seconds = time.perf_counter() - started
    print_summary(stats, load.summary, env, colors=load.plan.output.colors)
    return ExitStatus(stats.exit_status(check_status=load.plan.output.check_status))


class Tally:
    """A Sink that keeps only what a summary counts: the final body's size, its phases and
    the retries. Nothing is shown: a load run prints its summary, and errors are counted by
    kind."""

    def __init__(self) -> None:
        self.size = 0
        self.retries = 0
        self.timing: Timing | None = None

    def request(self, record: RequestRecord) -> None:
        return None

    def upload_progress(self, sent: int, total: int | None) -> None:
        return None

    def response_head(self, head: ResponseHead) -> None:
        self.size = 0  # an earlier attempt's body does not count

    def body_chunk(self, chunk: bytes) -> None:
        self.size += len(chunk)

    def response_end(self, meta: ResponseMeta) -> None:
        self.timing = meta.timing  # the last response's: the one answered

    def notice(self, text: str) -> None:
        return None

    def warning(self, text: str) -> None:
        return None

    def retrying(self, retry: Retry) -> None:
        self.retries += 1


def _progress(load: LoadPlan, env: Environment) -> RunProgress | None:
    if not load.plan.output.progress:
        return None
    from aiocurl.render.progress import RunProgress

    if load.repeat is not None:
        return RunProgress(env.stderr, total=load.repeat, unit="requests")
    return RunProgress(env.stderr, total=load.duration, unit="seconds")


async def _tick(progress: RunProgress, stats: Stats, load: LoadPlan, started: float) -> None:
    while True:
        seconds = time.perf_counter() - started
        done = stats.requests if load.repeat is not None else min(seconds, load.duration or 0)
        progress.update(done=done, requests=stats.requests, failed=stats.failed, seconds=seconds)
        await asyncio.sleep(0.1)


def _stop_progress(ticker: asyncio.Future[None] | None, progress: RunProgress | None) -> None:
    if ticker is not None:
        ticker.cancel()
    if progress is not None:
        progress.stop()


def _slots(load: LoadPlan, started: float) -> Iterator[float | None]:
    """When each request may go: at once, or evenly spaced at --rate; None: no more.
    One iterator shared by all workers, so the rate is the run's, not each worker's."""
    index = 0
    deadline = started + load.duration if load.duration is not None else None
    while load.repeat is None or index < load.repeat:
        slot = started + index / load.rate if load.rate else time.perf_counter()
        if deadline is not None and slot >= deadline:
            break
        yield slot
        index += 1
    while True:
        yield None


async def _until_done(workers: list[asyncio.Future[None]], duration: float | None) -> None:
    """Until every worker is done, or --duration is up. Not gather: a Ctrl-C would cancel
    the requests in flight at once, and they are owed their grace period."""
    done, pending = await asyncio.wait(workers, timeout=duration)
    for task in done:
        task.result()
    if pending:
        await _stop(list(pending), grace=0)


async def _grace(workers: list[asyncio.Future[None]], seconds: float, cut: asyncio.Event) -> bool:
    """Until the workers are done, `seconds` have passed or `cut` is set; True if cut."""
    cutter = asyncio.ensure_future(cut.wait())
    finished = asyncio.ensure_future(asyncio.wait(workers))
    try:
        done, _ = await asyncio.wait(
            {cutter, finished}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
        )
        return cutter in done
    finally:
        cutter.cancel()
        finished.cancel()


async def _stop(workers: list[asyncio.Future[None]], *, grace: float) -> None:
    if grace:
        await asyncio.wait(workers, timeout=grace)
    for task in workers:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*workers, return_exceptions=True)


def print_summary(stats: Stats, form: str, env: Environment, *, colors: bool) -> None:
    """--summary json as one object; else text, drawn with rich on a terminal with colours
    (`colors`: the run's choice, from --pretty and NO_COLOR) and plain anywhere else: a
    pipe gets the same bytes whatever the colour switches say, and rich is not imported."""
    if form == "json":
        text = summary_json(stats)
    elif env.stdout_isatty and colors:
        from aiocurl.render.summary_colour import coloured_summary

        text = coloured_summary(stats)
    else:
        text = summary_text(stats, terminal=env.stdout_isatty)
    env.stdout.write(text.encode("utf-8"))
    env.stdout.flush()


def merge_summaries(
    paths: tuple[str, ...], form: str, env: Environment, *, pretty: str | None = None
) -> ExitStatus:
    """--merge-summaries A.json B.json: the summaries of runs made side by side, as one;
    `pretty` is --pretty, which with NO_COLOR decides the colours on a terminal."""
    if not paths:
        raise UsageError("--merge-summaries: name the --summary json files to add up")
    total = Stats()
    for path in paths:
        try:
            total.merge(Stats.from_json(json.loads(env.read_file(path))))
        except (ValueError, KeyError, TypeError) as exc:
            reason = (
                str(exc)
                if isinstance(exc, ValueError) and "summary" in str(exc)
                else ("it is not a summary printed by --summary json")
            )
            raise UsageError(f"--merge-summaries: {path!r}: {reason}") from None
    colors, _ = pretty_modes(pretty, terminal=env.stdout_isatty, env=env.env)
    print_summary(total, form, env, colors=colors)
    return ExitStatus.OK

"""--batch: every line's request through one pooled ClientSession, N in flight at once.

Connections are reused across requests (keep-alive), up to --max-connections in the pool.
Each request keeps the rules of a single one (timeouts, retries, redirects and their
credential rules, --max-filesize); what it did becomes one record.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import TYPE_CHECKING, BinaryIO

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError
from aiocurl.events import RequestRecord, ResponseHead, ResponseMeta, Retry, Timing
from aiocurl.modes.signals import end_echoed_interrupt
from aiocurl.output_files import WriteError
from aiocurl.render.batch import BatchRecord, BatchWriter
from aiocurl.render.download_names import claim, name_for
from aiocurl.request.batch import BatchEntry, BatchPlan, plan_line, planning_environment
from aiocurl.request.plan import RequestPlan
from aiocurl.stats import Stats
from aiocurl.status import ExitStatus

if TYPE_CHECKING:
    import aiohttp

    from aiocurl.render.progress import RunProgress


async def run_batch(batch: BatchPlan, env: Environment) -> ExitStatus:
    if batch.offline:
        return await show_batch(batch, env)
    from aiocurl.transport.session import open_session
    from aiocurl.transport.timing import count_phases

    writer = BatchWriter(
        env.stdout,
        env.stderr,
        terminal=env.stdout_isatty,
        ordered=batch.ordered,
        with_body=batch.keep_bodies,
        quiet=1 if batch.summary else batch.output.quiet,  # a summary replaces the records
        with_file=batch.output_dir is not None,
    )
    writer.expect([entry.line for entry in batch.entries])
    started = time.perf_counter()
    planning = planning_environment(env)
    session = open_session(
        batch.transport,
        None,  # the requests as sent are not shown
        limit=batch.max_connections,
        limit_per_host=batch.max_connections_per_host,
    )
    progress = _progress(batch, env)
    stats = Stats()  # records are written and let go: a long batch keeps only counts

    def done(record: BatchRecord) -> None:
        writer.record(record)
        count(stats, record)
        if progress is not None:
            seconds = time.perf_counter() - started
            progress.update(
                done=stats.requests, requests=stats.requests, failed=stats.failed, seconds=seconds
            )

    async with session:
        entries = iter(batch.entries)  # shared: each worker takes the next line

        async def worker() -> None:
            count_phases()  # each record's phases, without aiohttp's tracing
            for entry in entries:
                try:
                    plan = plan_line(batch, entry, planning)
                except AiocurlError as exc:
                    done(unplanned(entry, exc))
                    continue
                done(await send_one(session, entry, plan, env, batch))

        # --concurrency workers, not a task per line: a batch of a million lines keeps no
        # more in memory than one of fifty.
        workers = min(batch.concurrency, len(batch.entries))
        try:
            await asyncio.gather(*(worker() for _ in range(workers)))
        except asyncio.CancelledError:  # Ctrl-C: the records so far stand, and their count
            if progress is not None:
                progress.stop()
            else:
                end_echoed_interrupt(env)
            stats.seconds = time.perf_counter() - started
            report(stats, batch, writer, env)
            raise
        if progress is not None:
            progress.stop()
    stats.seconds = time.perf_counter() - started
    report(stats, batch, writer, env)
    return ExitStatus(stats.exit_status(check_status=batch.output.check_status))


async def send_one(
    session: aiohttp.ClientSession,
    entry: BatchEntry,
    plan: RequestPlan,
    env: Environment,
    batch: BatchPlan,
) -> BatchRecord:
    from aiocurl.transport.errors import error_kind
    from aiocurl.transport.send import perform_on
    from aiocurl.transport.timing import reached_phases

    request = plan.request
    collector = Collector(env, entry.line, keep=batch.keep_bodies, directory=batch.output_dir)
    started = time.perf_counter()
    try:
        head = await perform_on(session, plan, collector)
        collector.close()
    except BaseException as exc:
        collector.discard()  # no body file that looks complete and is not
        if not isinstance(exc, AiocurlError):
            raise
        return BatchRecord(
            entry.line,
            request.method,
            request.url,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            size=collector.size,
            error=exc.message,
            kind=error_kind(exc),
            exit_status=int(exc.exit_status),
            retries=collector.retries,
            timing=reached_phases(started),  # the connection's phases it reached
        )
    return BatchRecord(
        entry.line,
        request.method,
        request.url,
        status=head.status,
        reason=head.reason,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        size=collector.size,
        body=bytes(collector.body) if collector.body is not None else None,
        file=collector.path,
        retries=collector.retries,
        timing=collector.timing,
    )


def report(stats: Stats, batch: BatchPlan, writer: BatchWriter, env: Environment) -> None:
    """The summary --summary asks for, or else the count line on stderr."""
    if batch.summary:
        from aiocurl.modes.load import print_summary

        print_summary(stats, batch.summary, env, colors=batch.output.colors)
    else:
        writer.summary(stats)


def _progress(batch: BatchPlan, env: Environment) -> RunProgress | None:
    """A bar on stderr while the records go to a pipe, or are replaced by --summary; on a
    terminal the records' own lines show the progress."""
    if not batch.output.progress or (env.stdout_isatty and not batch.summary):
        return None
    from aiocurl.render.progress import RunProgress

    return RunProgress(env.stderr, total=len(batch.entries), unit="requests")


def count(stats: Stats, record: BatchRecord) -> None:
    stats.retries += record.retries
    if record.failed or record.status is None:
        stats.fail(record.kind or "request", record.exit_status)
    else:
        stats.answer(record.status, (record.elapsed_ms or 0) / 1000, record.size)
        stats.time_phases(record.timing)


def unplanned(entry: BatchEntry, error: AiocurlError) -> BatchRecord:
    return BatchRecord(
        entry.line,
        None,
        None,
        error=f"{entry.text!r}: {error.message}",
        kind="usage",
        exit_status=int(error.exit_status),
    )


async def show_batch(batch: BatchPlan, env: Environment) -> ExitStatus:
    """--offline --batch: each request as it would be sent, nothing sent."""
    from aiocurl.modes.exchange import run_exchange

    status = ExitStatus.OK
    planning = planning_environment(env)
    for entry in batch.entries:
        try:
            plan = plan_line(batch, entry, planning)
        except AiocurlError as exc:
            record = unplanned(entry, exc)
            env.stderr.write(f"aiocurl: error: line {entry.line}: {record.error}\n")
            status = ExitStatus.ERROR
            continue
        await run_exchange(plan, env)
    return status


class Collector:
    """A Sink that keeps what a record needs: the final response's head, its body's size
    (and the body, with --batch-body); retries are announced on stderr with their line."""

    def __init__(
        self,
        env: Environment,
        line: int,
        *,
        keep: bool,
        directory: str | None = None,
        announce: bool = True,
    ) -> None:
        self._env = env
        self._line = line
        self._announce = announce  # retries on stderr, with the line they belong to
        self.retries = 0
        self._directory = directory
        self.head: ResponseHead | None = None
        self.size = 0
        self.body: bytearray | None = bytearray() if keep else None
        self.path: str | None = None
        self.timing: Timing | None = None  # the final response's phases
        self._file: BinaryIO | None = None

    def request(self, record: RequestRecord) -> None:
        return None

    def upload_progress(self, sent: int, total: int | None) -> None:
        return None

    def response_head(self, head: ResponseHead) -> None:
        self.head = head if head.final else None
        self.size = 0
        if self.body is not None:
            self.body.clear()
        self.discard()  # an earlier attempt's file (a retry)
        if self.head is not None and self._directory is not None and 200 <= head.status < 300:
            name = name_for(
                head.url, head.header("Content-Disposition"), head.header("Content-Type")
            )
            try:
                self.path, self._file = claim(self._directory, name)
            except OSError as exc:
                raise WriteError(os.path.join(self._directory, name), exc) from None

    def body_chunk(self, chunk: bytes) -> None:
        if self.head is None:
            return
        self.size += len(chunk)
        if self.body is not None:
            self.body += chunk
        if self._file is not None:
            try:
                self._file.write(chunk)
            except OSError as exc:
                raise WriteError(self.path or "", exc) from None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        self.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.remove(self.path)
            self.path = None

    def response_end(self, meta: ResponseMeta) -> None:
        if self.head is not None:
            self.timing = meta.timing

    def notice(self, text: str) -> None:
        return None

    def warning(self, text: str) -> None:
        if self._announce:
            self._env.stderr.write(f"aiocurl: line {self._line}: {text}\n")

    def retrying(self, retry: Retry) -> None:
        self.retries += 1
        self.warning(retry.text)

"""--retry: transient failures and the statuses in --retry-on are tried again (tenacity),
with exponential backoff and jitter, Retry-After honoured, all within --retry-max-time."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import tenacity

from aiocurl.errors import AiocurlError, printable
from aiocurl.events import ResponseHead, ResponseMeta, Retry, Sink
from aiocurl.request.plan import RequestPlan
from aiocurl.request.plan_transport import TransportPlan

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
MAX_BACKOFF = 60.0
MAX_RETRY_AFTER = 3600.0  # a server's own wait is honoured up to an hour

Attempt = Callable[[frozenset[int]], Awaitable[ResponseHead]]


class RetryableStatus(Exception):
    """A response whose status asks for another try; kept so it can still be shown if the
    retry window closes first."""

    def __init__(self, head: ResponseHead, body: bytes, meta: ResponseMeta) -> None:
        super().__init__(f"{head.status} {printable(head.reason)}")
        self.head, self.body, self.meta = head, body, meta


def retry_allowed(plan: RequestPlan) -> bool:
    """Only requests that are safe to repeat, and whose body can be sent again."""
    request = plan.request
    if request.method not in IDEMPOTENT and not plan.transport.retry_all_methods:
        return False
    return request.body is None or request.body.replayable


async def with_retries(plan: RequestPlan, sink: Sink, attempt: Attempt) -> ResponseHead:
    settings = plan.transport
    attempts = settings.retries + 1
    stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(attempts)
    if settings.retry_max_time is not None:
        stop = stop | tenacity.stop_after_delay(settings.retry_max_time)
    retrying = tenacity.AsyncRetrying(
        stop=stop,
        wait=backoff(settings, time.monotonic()),
        retry=tenacity.retry_if_exception(is_transient),
        before_sleep=announce(sink, settings.retries),
        reraise=True,
    )
    try:
        async for try_ in retrying:
            with try_:
                last = try_.retry_state.attempt_number >= attempts
                return await attempt(frozenset() if last else settings.retry_on)
    except RetryableStatus as exc:  # the time window closed: this response is the answer
        final = replace(exc.head, final=True)
        sink.response_head(final)
        sink.body_chunk(exc.body)
        sink.response_end(exc.meta)
        return final
    raise AssertionError("unreachable: tenacity either returns or raises")


def is_transient(error: BaseException) -> bool:
    return isinstance(error, RetryableStatus) or (
        isinstance(error, AiocurlError) and error.retryable
    )


def backoff(settings: TransportPlan, started: float) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hinted = None
        if isinstance(error, RetryableStatus):
            hinted = retry_after(error.head.header("Retry-After"))
        if hinted is None:
            doublings = min(state.attempt_number - 1, 32)  # past MAX_BACKOFF long before
            ceiling = min(MAX_BACKOFF, settings.retry_delay * 2**doublings)
            hinted = random.uniform(ceiling / 2, ceiling)  # jitter spreads a crowd of clients
        if settings.retry_max_time is not None:
            left = settings.retry_max_time - (time.monotonic() - started)
            hinted = max(0.0, min(hinted, left))
        return hinted

    return wait


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; at most MAX_RETRY_AFTER, so a
    server cannot park the command for a day (or for ever)."""
    seconds = _retry_after(value)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value)) if len(value) < 10 else MAX_RETRY_AFTER
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def announce(sink: Sink, retries: int) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = error.message if isinstance(error, AiocurlError) else str(error)
        seconds = state.next_action.sleep if state.next_action else 0.0
        sink.retrying(Retry(state.attempt_number, retries, seconds, reason))

    return before_sleep

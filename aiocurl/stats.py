"""What a load run or a batch measured, as data first: counts, bytes, statuses, error kinds
and a latency histogram, all of which add up exactly across runs (--merge-summaries).

Latencies go into fixed buckets: bucket k holds latencies up to 2 ** (k / 16) microseconds,
so each bucket is about 4.4 % wide and a million requests take no more memory than a few
hundred counters. Percentiles are read from the buckets (each the bucket's upper bound,
but never beyond the largest latency seen).

Each request's phases (DNS lookup, TCP connect, TLS handshake, server, transfer) go into
histograms of the same buckets, one per phase, with only the requests that went through
that phase: a reused connection makes no connect sample, plain http no TLS sample.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiocurl.status import status_for_response

if TYPE_CHECKING:
    from aiocurl.events import Timing

PER_DOUBLING = 16  # buckets per doubling of latency: about 4.4 % precision
PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)
SCHEMA = "aiocurl-summary/1"
# The phases a summary counts, in the order they happen ("server": until the first byte of
# the response; "transfer": from there to the end of the body).
PHASES = ("dns", "connect", "tls", "server", "transfer")


_ceil, _log2 = math.ceil, math.log2


def bucket_of(microseconds: float) -> int:
    return max(0, math.ceil(math.log2(max(microseconds, 1.0)) * PER_DOUBLING))


def bucket_top(index: int) -> float:
    """The largest latency, in microseconds, that bucket `index` holds."""
    return float(2 ** (index / PER_DOUBLING))


def percentile_of(
    buckets: Counter[int], count: int, largest_us: float | None, percent: float
) -> float | None:
    """The `percent`th percentile of `count` samples in `buckets`, at most `largest_us`."""
    if not count or largest_us is None:
        return None
    rank = math.ceil(count * percent / 100)
    seen = 0
    for index in sorted(buckets):
        seen += buckets[index]
        if seen >= rank:
            return min(bucket_top(index), largest_us)
    return largest_us


def _ms(us: float | None) -> float | None:
    return None if us is None else round(us / 1000, 3)


@dataclass
class PhaseStats:
    """One phase's durations: how many requests went through it, and a histogram."""

    count: int = 0
    sum_us: float = 0.0
    max_us: float = 0.0
    buckets: Counter[int] = field(default_factory=Counter)

    def add(self, us: float) -> None:
        """One sample; bucket_of inlined, as a load run adds two or more per request."""
        self.count += 1
        self.sum_us += us
        if us > self.max_us:
            self.max_us = us
        self.buckets[_ceil(_log2(us) * PER_DOUBLING) if us > 1.0 else 0] += 1

    @property
    def mean_us(self) -> float | None:
        return self.sum_us / self.count if self.count else None

    def percentile_us(self, percent: float) -> float | None:
        return percentile_of(self.buckets, self.count, self.max_us, percent)

    def merge(self, other: PhaseStats) -> None:
        self.count += other.count
        self.sum_us += other.sum_us
        self.max_us = max(self.max_us, other.max_us)
        self.buckets.update(other.buckets)

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "mean": _ms(self.mean_us),
            "p50": _ms(self.percentile_us(50)),
            "p99": _ms(self.percentile_us(99)),
            "max": _ms(self.max_us) if self.count else None,
            "sum_us": self.sum_us,
            "counts": {str(k): v for k, v in sorted(self.buckets.items())},
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> PhaseStats:
        largest = document.get("max")
        return cls(
            count=int(document["count"]),
            sum_us=float(document["sum_us"]),
            max_us=0.0 if largest is None else float(largest) * 1000,
            buckets=Counter({int(k): int(v) for k, v in document["counts"].items()}),
        )


def _no_phases() -> dict[str, PhaseStats]:
    return {name: PhaseStats() for name in PHASES}


@dataclass
class Stats:
    requests: int = 0  # answered or failed; not those cut off by the end of a run
    answered: int = 0
    unfinished: int = 0  # in flight when --duration ended, or when interrupted
    retries: int = 0  # attempts beyond the first (a retried request counts once)
    bytes: int = 0
    seconds: float = 0.0  # the run's wall time
    latency_sum_us: float = 0.0
    latency_min_us: float | None = None
    latency_max_us: float | None = None
    buckets: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    phases: dict[str, PhaseStats] = field(default_factory=_no_phases)
    worst_failure: int = 0  # the exit status of the worst failure (not in summaries)

    def answer(self, status: int, seconds: float, size: int) -> None:
        self.requests += 1
        self.answered += 1
        self.bytes += size
        self.statuses[status] += 1
        self._latency(seconds * 1e6)

    def time_phases(self, timing: Timing | None) -> None:
        """Count the phases of one answered request (its final response's), those it went
        through: DNS, TCP and TLS only for a new connection that had them. Called for every
        request of a load run, so it reads the fields once and calls nothing it can avoid."""
        if timing is None:
            return
        first_byte, end = timing.first_byte, timing.end
        if first_byte is None or end is None:
            return
        phases = self.phases
        start = timing.request_sent
        if timing.connect_start is not None or timing.dns_start is not None:
            for name, span in (
                ("dns", timing.dns),
                ("connect", timing.connect),
                ("tls", timing.tls),
            ):
                if span is not None:
                    phases[name].add(span * 1e6)
            if start is None:
                start = timing.ready
        server = (first_byte - start if start is not None else first_byte) * 1e6
        phases["server"].add(server if server > 0.0 else 0.0)
        phases["transfer"].add((end - first_byte) * 1e6)

    def fail(self, kind: str, exit_status: int = 1) -> None:
        self.requests += 1
        self.errors[kind] += 1
        self.worst_failure = max(self.worst_failure, exit_status)

    def exit_status(self, *, check_status: bool) -> int:
        """0 when every request got a response (with --check-status, a 2xx); else the
        highest code a single request would have had."""
        codes = [self.worst_failure]
        if check_status:
            codes += [int(status_for_response(code, check_status=True)) for code in self.statuses]
        return max(codes)

    def _latency(self, us: float) -> None:
        self.latency_sum_us += us
        if self.latency_min_us is None or us < self.latency_min_us:
            self.latency_min_us = us
        if self.latency_max_us is None or us > self.latency_max_us:
            self.latency_max_us = us
        self.buckets[_ceil(_log2(us) * PER_DOUBLING) if us > 1.0 else 0] += 1  # bucket_of

    @property
    def failed(self) -> int:
        return self.requests - self.answered

    def percentile_us(self, percent: float) -> float | None:
        return percentile_of(self.buckets, self.answered, self.latency_max_us, percent)

    def merge(self, other: Stats) -> None:
        self.requests += other.requests
        self.answered += other.answered
        self.unfinished += other.unfinished
        self.retries += other.retries
        self.bytes += other.bytes
        self.seconds = max(self.seconds, other.seconds)  # runs side by side, at once
        self.latency_sum_us += other.latency_sum_us
        for mine, theirs, pick in (
            ("latency_min_us", other.latency_min_us, min),
            ("latency_max_us", other.latency_max_us, max),
        ):
            current = getattr(self, mine)
            if theirs is not None:
                setattr(self, mine, theirs if current is None else pick(current, theirs))
        self.buckets.update(other.buckets)
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        for name, phase in other.phases.items():
            self.phases.setdefault(name, PhaseStats()).merge(phase)

    def as_json(self) -> dict[str, Any]:
        ms = _ms
        mean = self.latency_sum_us / self.answered if self.answered else None
        latency = {"min": ms(self.latency_min_us), "mean": ms(mean)}
        latency |= {f"p{p:g}": ms(self.percentile_us(p)) for p in PERCENTILES}
        latency["max"] = ms(self.latency_max_us)
        return {
            "schema": SCHEMA,
            "requests": self.requests,
            "answered": self.answered,
            "failed": self.failed,
            "unfinished": self.unfinished,
            "retries": self.retries,
            "seconds": round(self.seconds, 6),
            "rps": round(self.requests / self.seconds, 3) if self.seconds else None,
            "bytes": self.bytes,
            "latency_ms": latency,
            "latency_sum_us": self.latency_sum_us,
            "histogram": {
                "per_doubling": PER_DOUBLING,
                "counts": {str(k): v for k, v in sorted(self.buckets.items())},
            },
            "status": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(sorted(self.errors.items())),
            "phases": {name: phase.as_json() for name, phase in self.phases.items()},
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Stats:
        """A summary printed by --summary json; ValueError when it is not one."""
        if document.get("schema") != SCHEMA:
            raise ValueError(f"not an aiocurl summary (schema {SCHEMA!r} expected)")
        histogram = document["histogram"]
        if histogram.get("per_doubling") != PER_DOUBLING:
            raise ValueError("its histogram has other buckets")
        latency = document["latency_ms"]
        return cls(
            requests=int(document["requests"]),
            answered=int(document["answered"]),
            unfinished=int(document["unfinished"]),
            retries=int(document.get("retries", 0)),
            bytes=int(document["bytes"]),
            seconds=float(document["seconds"]),
            latency_sum_us=float(document["latency_sum_us"]),
            latency_min_us=None if latency["min"] is None else latency["min"] * 1000,
            latency_max_us=None if latency["max"] is None else latency["max"] * 1000,
            buckets=Counter({int(k): int(v) for k, v in histogram["counts"].items()}),
            statuses=Counter({int(k): int(v) for k, v in document["status"].items()}),
            errors=Counter({str(k): int(v) for k, v in document["errors"].items()}),
            phases=_no_phases()  # a summary from before phases were counted has none
            | {str(k): PhaseStats.from_json(v) for k, v in document.get("phases", {}).items()},
        )

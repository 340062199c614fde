"""What a load run or a batch measured, as data first: counts, bytes, statuses, error kinds
and a latency histogram, all of which add up exactly across runs (--merge-summaries).

Latencies go into fixed buckets: bucket k holds latencies up to 2 ** (k / 16) microseconds,
so each bucket is about 4.4 % wide and a million requests take no more memory than a few
hundred counters. Percentiles are read from the buckets (each the bucket's upper bound,
but never beyond the largest latency seen).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiocurl.status import status_for_response

PER_DOUBLING = 16  # buckets per doubling of latency: about 4.4 % precision
PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)
SCHEMA = "aiocurl-summary/1"


def bucket_of(microseconds: float) -> int:
    return max(0, math.ceil(math.log2(max(microseconds, 1.0)) * PER_DOUBLING))


def bucket_top(index: int) -> float:
    """The largest latency, in microseconds, that bucket `index` holds."""
    return float(2 ** (index / PER_DOUBLING))


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
    worst_failure: int = 0  # the exit status of the worst failure (not in summaries)

    def answer(self, status: int, seconds: float, size: int) -> None:
        self.requests += 1
        self.answered += 1
        self.bytes += size
        self.statuses[status] += 1
        self._latency(seconds * 1e6)

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
        self.buckets[bucket_of(us)] += 1

    @property
    def failed(self) -> int:
        return self.requests - self.answered

    def percentile_us(self, percent: float) -> float | None:
        if not self.answered or self.latency_max_us is None:
            return None
        rank = math.ceil(self.answered * percent / 100)
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return min(bucket_top(index), self.latency_max_us)
        return self.latency_max_us

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

    def as_json(self) -> dict[str, Any]:
        def ms(us: float | None) -> float | None:
            return None if us is None else round(us / 1000, 3)

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
        )

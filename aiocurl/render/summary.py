"""A load run's summary as text (like hey's or oha's) or as one JSON object; the numbers
come from stats.Stats, this only lays them out."""

from __future__ import annotations

import json

from aiocurl.stats import PERCENTILES, Stats, bucket_top

BAR_WIDTH = 40
ROWS = 12  # histogram rows, however many buckets the latencies fell into


def summary_json(stats: Stats) -> str:
    return json.dumps(stats.as_json()) + "\n"


def summary_text(stats: Stats, *, terminal: bool) -> str:
    lines = ["Summary:"]
    rps = f"{stats.requests / stats.seconds:.1f}" if stats.seconds else "-"
    lines += [
        f"  Requests:      {stats.requests} ({stats.answered} answered, {stats.failed} failed"
        + (f", {stats.unfinished} unfinished)" if stats.unfinished else ")"),
        *([f"  Retries:       {stats.retries}"] if stats.retries else []),
        f"  Total time:    {stats.seconds:.3f} s",
        f"  Requests/sec:  {rps}",
        f"  Bytes:         {stats.bytes}",
    ]
    if stats.answered:
        lines += ["", "Latency:"]
        figures = [("min", stats.latency_min_us), ("mean", stats.latency_sum_us / stats.answered)]
        figures += [(f"p{p:g}", stats.percentile_us(p)) for p in PERCENTILES]
        figures.append(("max", stats.latency_max_us))
        lines += [f"  {name:<6} {_ms(us)}" for name, us in figures]
        lines += ["", "Histogram:", *histogram_lines(stats, terminal=terminal)]
    if stats.statuses:
        lines += ["", "Status codes:"]
        lines += [f"  [{code}] {count}" for code, count in sorted(stats.statuses.items())]
    if stats.errors:
        lines += ["", "Errors:"]
        lines += [f"  [{kind}] {count}" for kind, count in stats.errors.most_common()]
    return "\n".join(lines) + "\n"


def histogram_lines(stats: Stats, *, terminal: bool) -> list[str]:
    """The buckets folded into at most ROWS rows, each bar as long as its share."""
    buckets = sorted(stats.buckets.items())
    per_row = max(1, -(-len(buckets) // ROWS))
    rows = [buckets[i : i + per_row] for i in range(0, len(buckets), per_row)]
    counts = [sum(count for _, count in row) for row in rows]
    most = max(counts)
    mark = "■" if terminal else "#"
    lines = []
    for row, count in zip(rows, counts, strict=True):
        top = min(bucket_top(row[-1][0]), stats.latency_max_us or 0)
        bar = mark * max(1, round(BAR_WIDTH * count / most))
        lines.append(f"  {_ms(top):>12} [{count}] {bar}")
    return lines


def _ms(us: float | None) -> str:
    return "-" if us is None else f"{us / 1000:.3f} ms"

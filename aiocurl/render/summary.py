"""A load run's summary as text (like hey's or oha's) or as one JSON object; the numbers
come from stats.Stats, this only lays them out.

The layout is made once, as lines of pieces that say what they are (a heading, a status
code, an error kind, a bar), and is then written plain (`summary_text`: a pipe gets exactly
this, byte for byte, since scripts parse it) or styled for a terminal with colours
(render/summary_colour.py, the only part that needs rich).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiocurl.stats import PERCENTILES, Stats, bucket_top

# The phases as the --timing waterfall names them.
PHASE_NAMES = {
    "dns": "DNS lookup",
    "connect": "TCP connect",
    "tls": "TLS handshake",
    "server": "Server processing",
    "transfer": "Content transfer",
}

BAR_WIDTH = 40
ROWS = 12  # histogram rows, however many buckets the latencies fell into
EIGHTHS = "▏▎▍▌▋▊▉"  # a bar's last cell, in eighths of a character

# Roles of the pieces of a line; a plain summary ignores them.
PLAIN = ""
HEADING = "heading"
FAILED = "failed"
ERROR = "error"
# A status code's role is "status" and its class (status2 ... status5); a bar's is "bar"
# and how fast its row is (oha's thresholds: up to 100 ms, up to 400 ms, slower).
BAR_FAST, BAR_FAIR, BAR_SLOW = "bar.fast", "bar.fair", "bar.slow"

Piece = tuple[str, str]  # text, role
Line = tuple[Piece, ...]


@dataclass(frozen=True)
class HistogramRow:
    top_us: float  # the largest latency the row holds
    count: int
    most: int  # the count of the fullest row, which gets the whole width


Histogram = Callable[[Sequence[HistogramRow]], list[Line]]


def summary_json(stats: Stats) -> str:
    return json.dumps(stats.as_json()) + "\n"


def summary_text(stats: Stats, *, terminal: bool) -> str:
    """The plain layout: "#" bars in a pipe, "■" on a terminal without colours."""
    mark = "■" if terminal else "#"
    return plain(summary_lines(stats, lambda rows: [plain_bar(row, mark) for row in rows]))


def plain(lines: list[Line]) -> str:
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def summary_lines(stats: Stats, histogram: Histogram) -> list[Line]:
    """Every line of the summary; `histogram` draws the histogram's rows."""
    lines = overview(stats)
    if stats.answered:
        lines += [(), heading("Latency:"), *latency_lines(stats)]
        phases = phase_lines(stats)
        if phases:
            lines += [(), heading("Phases:"), *phases]
        lines += [(), heading("Histogram:"), *histogram(histogram_rows(stats))]
    if stats.statuses:
        lines += [(), heading("Status codes:")]
        lines += [
            counted(str(code), f"status{code // 100}", count)
            for code, count in sorted(stats.statuses.items())
        ]
    if stats.errors:
        lines += [(), heading("Errors:")]
        lines += [counted(kind, ERROR, count) for kind, count in stats.errors.most_common()]
    return lines


def overview(stats: Stats) -> list[Line]:
    rps = f"{stats.requests / stats.seconds:.1f}" if stats.seconds else "-"
    requests: Line = (
        (f"  Requests:      {stats.requests} ({stats.answered} answered, ", PLAIN),
        (f"{stats.failed} failed", FAILED if stats.failed else PLAIN),
        (f", {stats.unfinished} unfinished)" if stats.unfinished else ")", PLAIN),
    )
    texts = [
        *([f"  Retries:       {stats.retries}"] if stats.retries else []),
        f"  Total time:    {stats.seconds:.3f} s",
        f"  Requests/sec:  {rps}",
        f"  Bytes:         {stats.bytes}",
    ]
    return [heading("Summary:"), requests, *(((text, PLAIN),) for text in texts)]


def latency_lines(stats: Stats) -> list[Line]:
    figures = [("min", stats.latency_min_us), ("mean", stats.latency_sum_us / stats.answered)]
    figures += [(f"p{p:g}", stats.percentile_us(p)) for p in PERCENTILES]
    figures.append(("max", stats.latency_max_us))
    return [((f"  {name:<6} {_ms(us)}", PLAIN),) for name, us in figures]


def phase_lines(stats: Stats) -> list[Line]:
    """Mean and p99 of each phase that some requests went through, and how many did:
    `  TCP connect        0.210 ms  p99 0.400 ms  (50 of 20000)`."""
    lines: list[Line] = []
    for key, name in PHASE_NAMES.items():
        phase = stats.phases.get(key)
        if phase is None or not phase.count:
            continue
        figures = f"{_ms(phase.mean_us):>10}  p99 {_ms(phase.percentile_us(99)):>10}"
        lines.append(((f"  {name:<18} {figures}  ({phase.count} of {stats.answered})", PLAIN),))
    return lines


def heading(text: str) -> Line:
    return ((text, HEADING),)


def counted(name: str, role: str, count: int) -> Line:
    """`  [name] count`, the name in its role."""
    return (("  [", PLAIN), (name, role), (f"] {count}", PLAIN))


def histogram_rows(stats: Stats) -> list[HistogramRow]:
    """The buckets folded into at most ROWS rows."""
    buckets = sorted(stats.buckets.items())
    per_row = max(1, -(-len(buckets) // ROWS))
    rows = [buckets[i : i + per_row] for i in range(0, len(buckets), per_row)]
    counts = [sum(count for _, count in row) for row in rows]
    most = max(counts)
    return [
        HistogramRow(min(bucket_top(row[-1][0]), stats.latency_max_us or 0), count, most)
        for row, count in zip(rows, counts, strict=True)
    ]


def plain_bar(row: HistogramRow, mark: str) -> Line:
    bar = mark * max(1, round(BAR_WIDTH * row.count / row.most))
    return ((f"  {_ms(row.top_us):>12} [{row.count}] ", PLAIN), (bar, PLAIN))


def aligned_bars(rows: Sequence[HistogramRow]) -> list[Line]:
    """The histogram for a terminal with colours: labels padded so that the bars start in
    one column, bars measured in eighths of a character, each in its row's speed."""
    times = [_ms(row.top_us) for row in rows]
    counts = [f"[{row.count}]" for row in rows]
    time_width = max(12, *map(len, times))
    count_width = max(map(len, counts))
    return [
        (
            (f"  {time:>{time_width}} {count:<{count_width}} ", PLAIN),
            (eighths_bar(row.count, row.most), speed(row.top_us)),
        )
        for time, count, row in zip(times, counts, rows, strict=True)
    ]


def eighths_bar(count: int, most: int) -> str:
    eighths = max(1, round(BAR_WIDTH * 8 * count / most))
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest - 1] if rest else "")


def speed(us: float) -> str:
    """oha's thresholds: up to 100 ms feels instant; beyond 400 ms people wait."""
    if us <= 100_000:
        return BAR_FAST
    return BAR_FAIR if us <= 400_000 else BAR_SLOW


def _ms(us: float | None) -> str:
    return "-" if us is None else f"{us / 1000:.3f} ms"

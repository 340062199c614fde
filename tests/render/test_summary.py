"""The load-run and batch summary as text: the plain layout byte for byte (scripts parse it),
and the one drawn with rich for a terminal that has colours."""

from __future__ import annotations

import re

import pytest

from aiocurl.render.summary import summary_text
from aiocurl.stats import Stats

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def mixed() -> Stats:
    """Nineteen answers between 1 ms and 600 ms, four statuses, three failures."""
    stats = Stats()
    answers = ((0.001, 12, 200), (0.002, 3, 200), (0.005, 1, 301), (0.15, 2, 404), (0.6, 1, 503))
    for seconds, times, status in answers:
        for _ in range(times):
            stats.answer(status, seconds, 100)
    stats.fail("connect")
    stats.fail("timeout", 2)
    stats.fail("connect")
    stats.unfinished, stats.retries, stats.seconds = 2, 3, 1.5
    return stats


def spread() -> Stats:
    """Forty answers over more buckets than the histogram has rows: rows are folded."""
    stats = Stats()
    for i in range(1, 41):
        stats.answer(200 if i % 7 else 503, 0.0005 * (1.13**i), 100)
    stats.seconds = 2.0
    return stats


HEAD = """\
Summary:
  Requests:      22 (19 answered, 3 failed, 2 unfinished)
  Retries:       3
  Total time:    1.500 s
  Requests/sec:  14.7
  Bytes:         1900

Latency:
  min    1.000 ms
  mean   48.579 ms
  p50    1.024 ms
  p90    155.872 ms
  p95    600.000 ms
  p99    600.000 ms
  p99.9  600.000 ms
  max    600.000 ms

Histogram:
"""

TAIL = """
Status codes:
  [200] 15
  [301] 1
  [404] 2
  [503] 1

Errors:
  [connect] 2
  [timeout] 1
"""

PIPED_BARS = """\
      1.024 ms [12] ########################################
      2.048 ms [3] ##########
      5.087 ms [1] ###
    155.872 ms [2] #######
    600.000 ms [1] ###
"""

# The same rows on a terminal with colours, escape codes removed: aligned, in eighths.
ALIGNED_BARS = """\
      1.024 ms [12] ████████████████████████████████████████
      2.048 ms [3]  ██████████
      5.087 ms [1]  ███▍
    155.872 ms [2]  ██████▋
    600.000 ms [1]  ███▍
"""


def test_the_plain_summary_is_unchanged_byte_for_byte() -> None:
    assert summary_text(mixed(), terminal=False) == HEAD + PIPED_BARS + TAIL
    terminal_bars = PIPED_BARS.replace("#", "■")
    assert summary_text(mixed(), terminal=True) == HEAD + terminal_bars + TAIL


def test_many_buckets_are_folded_into_rows() -> None:
    text = summary_text(spread(), terminal=False)
    assert text.endswith(
        """
Histogram:
      0.825 ms [4] ########################################
      1.387 ms [4] ########################################
      2.233 ms [4] ########################################
      3.597 ms [4] ########################################
      5.793 ms [4] ########################################
      9.742 ms [4] ########################################
     15.689 ms [4] ########################################
     25.268 ms [4] ########################################
     42.495 ms [4] ########################################
     66.391 ms [4] ########################################

Status codes:
  [200] 35
  [503] 5
"""
    )


def test_an_empty_run() -> None:
    assert summary_text(Stats(), terminal=False) == (
        "Summary:\n  Requests:      0 (0 answered, 0 failed)\n  Total time:    0.000 s\n"
        "  Requests/sec:  -\n  Bytes:         0\n"
    )


def coloured(stats: Stats, monkeypatch: pytest.MonkeyPatch, term: str = "xterm-256color") -> str:
    from aiocurl.render.summary_colour import coloured_summary

    monkeypatch.setenv("TERM", term)  # rich tells a terminal's colours by its kind
    monkeypatch.delenv("COLORTERM", raising=False)
    return coloured_summary(stats)


def test_a_terminal_with_colours_gets_the_same_lines_styled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = coloured(mixed(), monkeypatch)
    assert ESCAPE.sub("", text).replace(ALIGNED_BARS, PIPED_BARS) == HEAD + PIPED_BARS + TAIL
    for heading in ("Summary:", "Latency:", "Histogram:", "Status codes:", "Errors:"):
        assert f"\x1b[1m{heading}\x1b[0m\n" in text
    assert "(19 answered, \x1b[1;31m3 failed\x1b[0m, 2 unfinished)" in text
    assert "  [\x1b[31mconnect\x1b[0m] 2\n  [\x1b[31mtimeout\x1b[0m] 1\n" in text


def test_status_codes_take_the_colours_of_a_status_line(monkeypatch: pytest.MonkeyPatch) -> None:
    text = coloured(mixed(), monkeypatch)
    green, yellow, red = "\x1b[1;32m", "\x1b[1;33m", "\x1b[1;31m"  # as _STATUS_STYLES says
    for code, style in ((200, green), (301, yellow), (404, red), (503, red)):
        assert f"  [{style}{code}\x1b[0m] " in text


def test_histogram_bars_are_aligned_in_eighths_and_coloured_by_speed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = coloured(mixed(), monkeypatch)
    assert ALIGNED_BARS in ESCAPE.sub("", text)  # bars start in one column
    rows = text.split("Histogram:\x1b[0m\n")[1].split("\n\n")[0].splitlines()
    # oha's thresholds: up to 100 ms green, up to 400 ms yellow, slower red
    assert [row.split("\x1b[")[1][:3] for row in rows] == ["32m", "32m", "32m", "33m", "31m"]


def test_wide_latencies_keep_the_bars_aligned(monkeypatch: pytest.MonkeyPatch) -> None:
    stats = Stats()
    for seconds in (0.001, 0.001, 250.0):  # "250000.000 ms" is wider than the column
        stats.answer(200, seconds, 0)
    rows = ESCAPE.sub("", coloured(stats, monkeypatch)).split("Histogram:\n")[1].split("\n\n")[0]
    assert len({row.index("█") for row in rows.splitlines()}) == 1


def test_a_terminal_without_colours_gets_the_plain_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    assert coloured(mixed(), monkeypatch, term="dumb") == summary_text(mixed(), terminal=True)

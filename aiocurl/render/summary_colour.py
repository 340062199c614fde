"""A load run's or batch's summary drawn for a terminal with colours, through rich:
headings bold, status codes in aiocurl's colours, error kinds and failures in red, and
the histogram's bars aligned, in colour. Imported only when stdout is such a terminal.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from aiocurl.render.console import _STATUS_STYLES  # the colours of a response's status line
from aiocurl.render.summary import (
    BAR_FAIR,
    BAR_FAST,
    BAR_SLOW,
    ERROR,
    FAILED,
    HEADING,
    aligned_bars,
    summary_lines,
    summary_text,
)
from aiocurl.stats import Stats

_STYLES = {
    HEADING: "bold",
    FAILED: "bold red",
    ERROR: "red",
    BAR_FAST: "green",
    BAR_FAIR: "yellow",
    BAR_SLOW: "red",
}


def coloured_summary(stats: Stats) -> str:
    """The summary with colours; a terminal that has none (TERM=dumb) gets the plain one."""
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=True,
        no_color=False,  # the run already decided on colours (NO_COLOR, --pretty)
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,  # a narrow terminal wraps lines itself; rich must not cut them
    )
    if console.color_system is None:
        return summary_text(stats, terminal=True)
    for line in summary_lines(stats, aligned_bars):
        console.print(Text.assemble(*((text, style(role)) for text, role in line)))
    return out.getvalue()


def style(role: str) -> str:
    if role.startswith("status"):
        return _STATUS_STYLES.get(int(role.removeprefix("status") or 0), "bold")
    return _STYLES.get(role, "")

"""Where the time went, as text: the --timing waterfall and the phase lines of --meta.

A phase that did not happen (DNS for an IP address, TCP and TLS on a reused connection, TLS
for plain http) is shown as skipped, with the reason, never as 0 ms; one a failure cut
short shows how long it ran, marked failed; one never reached says so. The waterfall is
plain text in a pipe and coloured through rich (imported only then) on a terminal.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from aiocurl.events import Timing
from aiocurl.render.transfer import Hop

BAR_WIDTH = 40
_STYLES = {
    "DNS lookup": "cyan",
    "TCP connect": "yellow",
    "TLS handshake": "magenta",
    "Request sent": "blue",
    "Server processing": "green",
    "Content transfer": "bright_red",
}
_SHORT = {
    "DNS lookup": "DNS",
    "TCP connect": "TCP",
    "TLS handshake": "TLS",
    "Request sent": "send",
    "Server processing": "wait",
    "Content transfer": "receive",
}


@dataclass(frozen=True)
class Phase:
    name: str
    start: float | None  # seconds from the request's start
    seconds: float | None  # None: it did not run (see note)
    note: str = ""  # "skipped (plain http)", "not reached", "failed"


def hop_phases(timing: Timing, url: str, *, failed: bool = False) -> list[Phase]:
    """The six phases of one request, in order."""
    https = urlsplit(url).scheme.lower() in ("https", "wss")
    reused = not timing.new_connection and (
        timing.request_sent is not None or timing.first_byte is not None
    )
    connected = (timing.tls_end if https else timing.connect_end) is not None
    ready = timing.ready if reused or connected else None
    spans = [
        ("DNS lookup", timing.dns_start, timing.dns_end, _dns_skipped(timing, url, reused)),
        ("TCP connect", timing.connect_start, timing.connect_end, _if(reused, "reused connection")),
        ("TLS handshake", timing.tls_start, timing.tls_end, _tls_skipped(https, reused)),
        ("Request sent", ready, timing.request_sent, ""),
        ("Server processing", timing.request_sent, timing.first_byte, ""),
        ("Content transfer", timing.first_byte, None if failed else timing.end, ""),
    ]
    phases = []
    for name, start, end, skipped in spans:
        if start is None:
            note = f"skipped ({skipped})" if skipped else "not reached"
            phases.append(Phase(name, None, None, note))
        elif end is None:  # cut short by the failure
            phases.append(Phase(name, start, _span(start, timing.end), "failed"))
        else:
            phases.append(Phase(name, start, _span(start, end)))
    return phases


def _if(condition: bool, reason: str) -> str:
    return reason if condition else ""


def _dns_skipped(timing: Timing, url: str, reused: bool) -> str:
    if _is_address(urlsplit(url).hostname or ""):
        return "IP address"
    if timing.new_connection:
        return "name already resolved"
    return _if(reused, "reused connection")


def _tls_skipped(https: bool, reused: bool) -> str:
    if not https:
        return "plain http"
    return _if(reused, "reused connection")


def _is_address(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _span(start: float, end: float | None) -> float | None:
    return None if end is None else max(0.0, end - start)


# --meta


def meta_phase_lines(timing: Timing, url: str) -> list[str]:
    """One line per phase, in seconds as "Elapsed time" is."""
    return [f"{phase.name}: {_seconds(phase)}" for phase in hop_phases(timing, url)]


def _seconds(phase: Phase) -> str:
    if phase.seconds is None:
        return phase.note
    text = f"{phase.seconds:.6f}s"
    return f"{text} ({phase.note})" if phase.note else text


# --timing


@dataclass(frozen=True)
class Row:
    label: str
    value: str  # a duration, or why there is none
    bar: tuple[float, float] | None  # (start, length) as fractions of the whole
    style: str = ""


def waterfall(hops: list[Hop], *, failed: bool = False) -> list[Row]:
    """One request: a row per phase and the total. Several (redirects followed): a row per
    request, its phases in brief, and the total over all of them."""
    timed = [hop for hop in hops if hop.timing is not None]
    if not timed:
        return []
    if len(timed) == 1:
        return _phase_rows(timed[0], failed=failed)
    return _hop_rows(timed, failed=failed)


def _phase_rows(hop: Hop, *, failed: bool) -> list[Row]:
    assert hop.timing is not None
    total = hop.timing.end or 0.0
    rows = []
    for phase in hop_phases(hop.timing, hop.url, failed=failed):
        bar = None
        if phase.seconds is not None and phase.start is not None:
            bar = _fractions(phase.start, phase.seconds, total)
        value = _duration(phase.seconds) if phase.seconds is not None else phase.note
        if phase.seconds is not None and phase.note:
            value += f" ({phase.note})"
        rows.append(Row(phase.name, value, bar, _STYLES[phase.name]))
    rows.append(Row("Total", _duration(total) + (" (failed)" if failed else ""), None, "bold"))
    return rows


def _hop_rows(hops: list[Hop], *, failed: bool) -> list[Row]:
    grand = sum(hop.timing.end or 0.0 for hop in hops if hop.timing is not None)
    rows, offset = [], 0.0
    for number, hop in enumerate(hops, 1):
        assert hop.timing is not None
        last = number == len(hops)
        cut = failed and last
        status = str(hop.head.status) if hop.head is not None else "---"
        phases = hop_phases(hop.timing, hop.url, failed=cut)
        brief = "  ".join(f"{_SHORT[p.name]} {_brief(p)}" for p in phases)
        total = hop.timing.end or 0.0
        label = f"{number}. {status} {hop.method} {hop.url}"
        value = f"{_duration(total)}{' (failed)' if cut else ''}   {brief}"
        rows.append(Row(label, value, _fractions(offset, total, grand), _status_style(hop)))
        offset += total
    word = "request" if len(hops) == 1 else "requests"
    rows.append(Row(f"Total ({len(hops)} {word})", _duration(grand), None, "bold"))
    return rows


# A skipped phase in a hop's brief line: the reason in a word.
_BRIEF_REASONS = {
    "skipped (IP address)": "IP",
    "skipped (name already resolved)": "cached",
    "skipped (reused connection)": "reused",
    "skipped (plain http)": "none",
}


def _brief(phase: Phase) -> str:
    """A phase in milliseconds, its reason when it was skipped, `-` if never reached, and
    `!` after one a failure cut short."""
    if phase.seconds is None:
        return _BRIEF_REASONS.get(phase.note, "-")
    return f"{phase.seconds * 1000:.2f}" + ("!" if phase.note == "failed" else "")


def _status_style(hop: Hop) -> str:
    if hop.head is None:
        return "bold red"
    return {2: "green", 3: "yellow"}.get(hop.head.status // 100, "red")


def _fractions(start: float, length: float, total: float) -> tuple[float, float]:
    if total <= 0:
        return (0.0, 0.0)
    return (min(1.0, start / total), min(1.0, length / total))


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.3f} s"
    millis = round(seconds * 1000, 2)
    return f"{millis:.1f} ms" if millis >= 100 else f"{millis:.2f} ms"


def bar_text(bar: tuple[float, float] | None, *, fill: str = "#", tiny: str = "|") -> str:
    """A bar across BAR_WIDTH columns: blank up to its start, then its length (a phase too
    short for one column still gets a thin mark, so that it shows where it happened)."""
    if bar is None:
        return ""
    start, length = bar
    begin = min(BAR_WIDTH - 1, round(start * BAR_WIDTH))
    cells = round(length * BAR_WIDTH)
    return " " * begin + (fill * min(cells, BAR_WIDTH - begin) if cells else tiny)


def plain_lines(rows: Iterable[Row]) -> list[str]:
    rows = list(rows)
    width = max((len(row.label) for row in rows), default=0)
    values = max((len(row.value) for row in rows if row.bar is not None), default=0)
    lines = []
    for row in rows:
        if row.bar is None:
            lines.append(f"{row.label:<{width}}  {row.value}".rstrip())
        else:
            lines.append(f"{row.label:<{width}}  {row.value:<{values}}  {bar_text(row.bar)}")
    return [line.rstrip() for line in lines]


def plain_text(rows: list[Row]) -> str:
    return "".join(line + "\n" for line in plain_lines(rows))


def write_coloured(rows: list[Row], out: BinaryIO, *, width: int | None = None) -> None:
    """On a terminal: after the response, each phase's bar in its colour."""
    from rich.console import Console
    from rich.text import Text

    from aiocurl.render.output import KeptOpen

    text = io.TextIOWrapper(KeptOpen(out), encoding="utf-8", errors="replace", write_through=True)  # type: ignore[type-var]
    console = Console(
        file=text, force_terminal=True, width=width, highlight=False, markup=False, soft_wrap=True
    )
    label_width = max(len(row.label) for row in rows)
    value_width = max((len(row.value) for row in rows if row.bar is not None), default=0)
    for row in rows:
        line = Text.assemble((f"{row.label:<{label_width}}", "bold"), "  ")
        if row.bar is None:
            line.append(row.value, style=row.style)
        else:
            line.append(f"{row.value:<{value_width}}  ")
            line.append(bar_text(row.bar, fill="█", tiny="▏"), style=row.style)
        console.print(line)

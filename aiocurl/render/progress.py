"""Transfer progress on stderr (a terminal only), through rich."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

# Small bodies are over before a bar could tell anyone anything.
SHOW_FROM = 4 * 1024 * 1024


class TransferProgress:
    def __init__(self, err: TextIO, description: str) -> None:
        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(file=err, force_terminal=True),  # only made for a terminal
            transient=True,
        )
        self._description = description
        self._task: TaskID | None = None

    def update(self, done: int, total: int | None) -> None:
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=total)
        self._progress.update(self._task, completed=done)

    def stop(self) -> None:
        if self._task is not None:
            self._progress.stop()
            self._task = None


class RunProgress:
    """A batch's or load run's progress on stderr (a terminal only): requests done of the
    total (or seconds of --duration), the rate, and failures so far; at most 10 redraws a
    second, whatever the request rate."""

    def __init__(self, err: TextIO, *, total: float | None, unit: str) -> None:
        from rich.progress import MofNCompleteColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn() if unit == "requests" else TimeElapsedColumn(),
            TextColumn("{task.fields[rate]:.0f}/s  {task.fields[failed]} failed"),
            console=Console(file=err, force_terminal=True),
            transient=True,
            refresh_per_second=10,
        )
        self._task = self._progress.add_task(unit, total=total, rate=0.0, failed=0)
        self._progress.start()

    def update(self, *, done: float, requests: int, failed: int, seconds: float) -> None:
        rate = requests / seconds if seconds > 0 else 0.0
        self._progress.update(self._task, completed=done, rate=rate, failed=failed)

    def stop(self) -> None:
        self._progress.stop()

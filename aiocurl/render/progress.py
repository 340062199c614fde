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

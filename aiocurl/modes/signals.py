"""SIGTERM and SIGHUP end a run the way Ctrl-C does, instead of killing it mid-write.

The signal cancels the running task, so every `finally` runs: an --output file is closed,
a partial download is kept with its resume state, and the run ends as a `Terminated`
error with exit status 143 (SIGTERM) or 129 (SIGHUP). SIGINT stays with asyncio.run,
which turns it into KeyboardInterrupt (exit 130).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any

from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError
from aiocurl.status import ExitStatus

EXIT_STATUS: dict[int, ExitStatus] = {
    getattr(signal, name): status
    for name, status in (("SIGTERM", ExitStatus.TERMINATED), ("SIGHUP", ExitStatus.HANGUP))
    if hasattr(signal, name)  # Windows has no SIGHUP
}


class Terminated(AiocurlError):
    """The run was stopped by a signal; what it had written is kept."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated ({signal.Signals(signum).name})")
        self.exit_status = EXIT_STATUS[signum]


class SignalStop:
    """Which signal, if any, cancelled the task it watches."""

    def __init__(self, task: asyncio.Task[object] | None) -> None:
        self._task = task
        self.received: int | None = None

    def cancel(self, signum: int) -> None:
        if self.received is None and self._task is not None:  # the first signal decides
            self.received = signum
            self._task.cancel()

    def error(self) -> Terminated | None:
        """Called on a CancelledError: the error that replaces it when a signal caused it.
        The task's cancellation is withdrawn, since it ends with this error instead."""
        if self.received is None:
            return None
        uncancel = getattr(self._task, "uncancel", None)  # Python 3.11+
        if uncancel is not None:
            uncancel()
        return Terminated(self.received)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[SignalStop]:
    """Within the block, SIGTERM and SIGHUP cancel the current task. Handlers can only be
    installed from the main thread; elsewhere (tests that run the command in a worker
    thread) the signals keep their usual effect."""
    loop = asyncio.get_running_loop()
    stop = SignalStop(asyncio.current_task())
    installed: list[int] = []
    for signum in EXIT_STATUS:
        try:
            loop.add_signal_handler(signum, stop.cancel, signum)
        except (RuntimeError, NotImplementedError, ValueError):
            break
        installed.append(signum)
    try:
        yield stop
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


@contextlib.contextmanager
def interrupts_set(event: asyncio.Event) -> Iterator[None]:
    """Within the block, Ctrl-C sets `event` instead of raising KeyboardInterrupt at
    whatever line is running (asyncio.run's handler, once a first Ctrl-C has cancelled
    the run): a run winding down can then finish its summary. A Python-level handler, not
    the loop's: the loop may still hold the first Ctrl-C's wake-up byte, which must not
    count as a second one."""
    with on_interrupt(event.set):
        yield


@contextlib.contextmanager
def on_interrupt(action: Callable[[], object]) -> Iterator[None]:
    """Within the block, Ctrl-C calls `action` on the loop (and nothing else happens)."""
    loop = asyncio.get_running_loop()

    def interrupted(_signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(action)

    with sigint_handled_by(interrupted):
        yield


@contextlib.contextmanager
def sigint_handled_by(handler: Callable[[int, Any], object]) -> Iterator[None]:
    """Within the block, SIGINT goes to `handler`; the handler before is restored after.
    Only the main thread can take signals; elsewhere (tests in a worker thread) nothing
    changes."""
    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def end_echoed_interrupt(env: Environment) -> None:
    """A terminal echoes Ctrl-C as `^C` where the cursor is: what follows starts on a
    line of its own (a progress display, when there is one, is cleared instead)."""
    if env.stdout_isatty or env.stderr_isatty:
        env.stderr.write("\n")

"""The aiocurl console script on a pseudo-terminal of its own, for what only a real terminal
shows: Ctrl-C typed at the keyboard, a progress display drawn and erased, colours.

The child runs in a new session whose controlling terminal is the pty, so writing the
terminal's interrupt character to the master is a real Ctrl-C: the line discipline sends
SIGINT to the foreground process group. `screen()` replays what was written the way a
terminal would, to tell what is left on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import shutil
import struct
import termios
from collections.abc import AsyncIterator

COLUMNS, ROWS = 100, 40


def _take_the_terminal() -> None:
    """In the child, after setsid: the pty on fd 0 becomes the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyCommand:
    def __init__(self, master: int, interrupt: bytes) -> None:
        self._master = master
        self._interrupt = interrupt
        self.output = bytearray()
        self._more = asyncio.Event()
        self.closed = asyncio.Event()  # the terminal's other side is gone: the child exited
        self.process: asyncio.subprocess.Process | None = None

    def read(self) -> None:
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # EIO: every holder of the terminal side has closed it
            chunk = b""
        if chunk:
            self.output += chunk
            if b"\x1b[6n" in chunk:  # a prompt asks where the cursor is: answer as terminals do
                os.write(self._master, b"\x1b[1;1R")
        else:
            asyncio.get_running_loop().remove_reader(self._master)
            self.closed.set()
        self._more.set()

    async def wait_for(self, text: bytes, timeout: float = 30) -> None:
        """Until `text` has been written to the terminal."""

        async def seen() -> None:
            while text not in self.output:
                if self.closed.is_set():
                    raise AssertionError(f"{text!r} never came; got {bytes(self.output)!r}")
                self._more.clear()
                await self._more.wait()

        await asyncio.wait_for(seen(), timeout)

    def type(self, text: bytes) -> int:
        """Type `text`; returns where the output stood, to wait for what follows it."""
        at = len(self.output)
        os.write(self._master, text)
        return at

    async def more(self) -> None:
        """Until more output arrives, or the terminal closes."""
        self._more.clear()
        await self._more.wait()

    def press_ctrl_c(self) -> None:
        os.write(self._master, self._interrupt)

    async def exit_status(self, timeout: float = 30) -> int:
        """The child's exit status, once it has exited and all it wrote has been read."""
        assert self.process is not None
        status = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self.closed.wait(), timeout)
        return status

    def screen(self) -> list[str]:
        return screen(self.output.decode("utf-8", errors="replace"))


@contextlib.asynccontextmanager
async def pty_command(*argv: str, program: str | None = None) -> AsyncIterator[PtyCommand]:
    """`aiocurl ARGV` (or `PROGRAM ARGV`) with stdin, stdout and stderr on a fresh
    COLUMNS x ROWS terminal."""
    executable = program or shutil.which("aiocurl")
    assert executable, "the aiocurl console script is not installed (pip install -e .)"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    interrupt = termios.tcgetattr(slave)[6][termios.VINTR]
    skip = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["TERM"] = "xterm-256color"
    loop = asyncio.get_running_loop()
    command = PtyCommand(master, interrupt)
    try:
        command.process = await asyncio.create_subprocess_exec(
            executable,
            *argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=_take_the_terminal,
        )
        os.close(slave)  # the child holds it now: its exit closes the terminal
        slave = -1
        loop.add_reader(master, command.read)
        yield command
    finally:
        if slave != -1:
            os.close(slave)
        process = command.process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        loop.remove_reader(master)
        os.close(master)


CONTROL = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])|\x1b|[\r\n\b]|[^\x1b\r\n\b]+")


def screen(text: str) -> list[str]:
    """The lines a terminal shows after `text`: characters overwrite, \\r and \\n move the
    cursor, ESC[nA goes up, ESC[K/ESC[2K erase; colours and the cursor's visibility are
    ignored. Any other control sequence fails the test: it would need a better model."""
    lines: list[list[str]] = [[]]
    row = column = 0
    for match in CONTROL.finditer(text):
        token = match.group(0)
        if match.group(2) is not None:
            params, final = match.group(1), match.group(2)
            if final == "A":
                row = max(0, row - int(params or 1))
            elif final == "K":
                if params == "2":
                    lines[row] = []
                else:
                    del lines[row][column:]
            elif final == "G":
                column = int(params or 1) - 1
            elif final not in "mhl":
                raise AssertionError(f"no model for the control sequence {token!r}")
        elif token == "\x1b":
            raise AssertionError(f"no model for the escape at {text[match.start() :][:8]!r}")
        elif token == "\r":
            column = 0
        elif token == "\n":
            row += 1
            if row == len(lines):
                lines.append([])
        elif token == "\b":
            column = max(0, column - 1)
        else:
            line = lines[row]
            line.extend(" " * (column - len(line)))
            line[column : column + len(token)] = list(token)
            column += len(token)
    shown = ["".join(line).rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    return shown

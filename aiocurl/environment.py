"""What the outside world looks like to one run: terminals, variables, files, prompts.

Injected everywhere so tests can say "stdout is a terminal" without a terminal.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from aiocurl.errors import AiocurlError, OutputClosed, OutputError, UsageError, os_reason


def read_file(path: str) -> bytes:
    expanded = os.path.expanduser(path)
    try:
        with open(expanded, "rb") as handle:
            return handle.read()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise UsageError(f"cannot read {path!r}: {_reason(exc)}") from None


def file_size(path: str) -> int | None:
    """The size of a file that is to be streamed, checking now that it can be read; None
    for a pipe, a device or a virtual file, whose length is known only at its end. Opening
    a pipe would wait for its writer, so only regular files are opened here."""
    expanded = os.path.expanduser(path)
    try:
        info = os.stat(expanded)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        # A pipe or a device; or a file of the kernel's whose size is not what it holds
        # (/sys says 4096 for four bytes): read until the end.
        if not stat.S_ISREG(info.st_mode) or (info.st_size and _virtual(info)):
            if not os.access(expanded, os.R_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return None
        with open(expanded, "rb"):
            return info.st_size
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path!r}: {_reason(exc)}") from None


def _virtual(info: os.stat_result) -> bool:
    """Whether a file lies in /proc or /sys, whose sizes are made up."""
    for root in ("/proc", "/sys"):
        try:
            if os.stat(root).st_dev == info.st_dev:
                return True
        except OSError:
            continue
    return False


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError):
        return os_reason(exc, with_file=False)
    return "the path contains a NUL character"  # the only ValueError open() raises here


NetrcLogin = Callable[[str, Mapping[str, str]], "tuple[str, str] | None"]


def netrc_login(host: str, variables: Mapping[str, str]) -> tuple[str, str] | None:
    """The login for `host` in $NETRC or ~/.netrc, if there is one (and it parses)."""
    import netrc

    path = variables.get("NETRC") or os.path.expanduser("~/.netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except netrc.NetrcParseError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise UsageError(f"ignoring {path}: it cannot be read as a .netrc file{where}") from None
    except (OSError, UnicodeDecodeError):
        raise UsageError(f"ignoring {path}: it cannot be read") from None
    if entry is None:
        return None
    login, _, password = entry
    return login, password or ""


def prompt_password(prompt: str) -> str:
    return getpass.getpass(prompt)


class GuardedOutput(io.RawIOBase):
    """The process's stdout, whose write failures are output errors, never network ones:
    a reader that went away (`| head`) ends the run quietly; a full disk is named."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._raw.isatty()

    def fileno(self) -> int:
        return self._raw.fileno()

    def write(self, data: bytes) -> int:  # type: ignore[override]
        with _output_errors():
            return self._raw.write(data)

    def flush(self) -> None:
        with _output_errors():
            self._raw.flush()

    # A RawTarget (events.py): a plain body written to the descriptor itself.

    def raw_fd(self) -> int:
        self.flush()  # what the buffer holds (headers with -p hb) comes first
        return self._raw.fileno()

    def write_error(self, error: OSError) -> AiocurlError:
        return stdout_error(error)


def stdout_error(error: OSError) -> AiocurlError:
    if isinstance(error, BrokenPipeError):
        return OutputClosed("stdout was closed")
    return OutputError(f"cannot write to stdout: {os_reason(error, with_file=False)}")


@contextlib.contextmanager
def _output_errors() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise stdout_error(exc) from None


@dataclass
class Environment:
    stdin: BinaryIO = field(default_factory=lambda: io.BytesIO())
    stdout: BinaryIO = field(default_factory=lambda: sys.stdout.buffer)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    read_file: Callable[[str], bytes] = read_file
    file_size: Callable[[str], int | None] = file_size
    prompt_password: Callable[[str], str] = prompt_password
    netrc_login: NetrcLogin = netrc_login
    stdin_hint_after: float = 10.0  # seconds of silence on stdin before saying what to do

    @classmethod
    def from_process(cls) -> Environment:
        # A process started with stdin closed has no sys.stdin: that is an empty stdin.
        stdin = sys.stdin.buffer if sys.stdin is not None else io.BytesIO()
        return cls(
            stdin=stdin,
            stdout=GuardedOutput(sys.stdout.buffer),  # type: ignore[arg-type]  # a binary stream
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=_isatty(sys.stdout),
            stderr_isatty=_isatty(sys.stderr),
        )


def _isatty(stream: TextIO | None) -> bool:
    return bool(stream is not None and stream.isatty())

"""What the outside world looks like to one run: terminals, variables, files, prompts.

Injected everywhere so tests can say "stdout is a terminal" without a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from aiocurl.errors import UsageError


def read_file(path: str) -> bytes:
    expanded = os.path.expanduser(path)
    try:
        with open(expanded, "rb") as handle:
            return handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot read {path!r}: {reason}") from None


def prompt_password(prompt: str) -> str:
    return getpass.getpass(prompt)


@dataclass
class Environment:
    stdin: BinaryIO = field(default_factory=lambda: sys.stdin.buffer)
    stdout: BinaryIO = field(default_factory=lambda: sys.stdout.buffer)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    read_file: Callable[[str], bytes] = read_file
    prompt_password: Callable[[str], str] = prompt_password

    @classmethod
    def from_process(cls) -> Environment:
        return cls(
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=_isatty(sys.stdout),
            stderr_isatty=_isatty(sys.stderr),
        )


def _isatty(stream: TextIO | None) -> bool:
    return bool(stream is not None and stream.isatty())

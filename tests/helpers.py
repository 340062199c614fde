"""Run the real command in-process with injected streams and TTY flags."""

from __future__ import annotations

import asyncio
import io
import os
from dataclasses import dataclass

from aiocurl.cli import main
from aiocurl.environment import Environment


@dataclass
class Result:
    exit_status: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


def run_cli(
    *argv: str,
    stdin: bytes = b"",
    tty: bool = False,
    stdin_tty: bool = False,
    stderr_tty: bool | None = None,
    env: dict[str, str] | None = None,
    password: str | None = None,
) -> Result:
    """Run `aiocurl ARGV` through its real entry point; `tty` says stdout is a terminal."""
    stdout, stderr = io.BytesIO(), io.StringIO()
    variables = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    variables.update(env or {})

    def prompt(text: str) -> str:
        if password is None:
            raise AssertionError(f"unexpected password prompt: {text}")
        return password

    environment = Environment(
        stdin=io.BytesIO(stdin),
        stdout=stdout,
        stderr=stderr,
        stdin_isatty=stdin_tty,
        stdout_isatty=tty,
        stderr_isatty=tty if stderr_tty is None else stderr_tty,
        env=variables,
        prompt_password=prompt,
    )
    status = main(list(argv), environment)
    return Result(status, stdout.getvalue(), stderr.getvalue())


async def arun_cli(*argv: str, **kwargs: object) -> Result:
    """run_cli from an async test: the command runs its own loop in a worker thread while
    the test's loop keeps serving."""
    return await asyncio.to_thread(run_cli, *argv, **kwargs)  # type: ignore[arg-type]

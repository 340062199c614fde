"""The edge of the program: argv → Options → plan → a mode → exit status, and every
failure turned into one `aiocurl: error: …` line (secrets masked) and its exit code."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from aiocurl.cli.command import parse_args
from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, OutputClosed
from aiocurl.redact import RedactingStderr, secrets_in
from aiocurl.status import ExitStatus


def one_line(message: str) -> str:
    """Some parser messages span lines (a caret under the byte); stderr gets one."""
    return " ".join(message.split())


def main(argv: Sequence[str], env: Environment | None = None) -> int:
    env = env or Environment.from_process()
    # Every message goes through stderr; no secret from the command line gets out that way.
    env = replace(env, stderr=RedactingStderr(env.stderr, secrets_in(argv)))  # type: ignore[arg-type]
    show_traceback = "--traceback" in argv
    try:
        parsed = parse_args(argv)
        if isinstance(parsed, int):
            return parsed
        from aiocurl.request.plan import build_plan

        plan = build_plan(parsed, env)
        from aiocurl.modes.run import run

        return int(asyncio.run(run(plan, env)))
    except OutputClosed:
        return int(ExitStatus.OK)  # the reader had enough (`| head`): not a failure
    except AiocurlError as exc:
        if show_traceback:
            raise
        env.stderr.write(f"aiocurl: error: {one_line(exc.message)}\n")
        if exc.detail:
            env.stderr.write(exc.detail + "\n")
        return int(exc.exit_status)
    except KeyboardInterrupt:
        env.stderr.write("\naiocurl: interrupted\n")
        return int(ExitStatus.INTERRUPTED)
    except Exception as exc:
        if show_traceback:
            raise
        env.stderr.write(
            f"aiocurl: error: unexpected {type(exc).__name__}: {exc} "
            "(run again with --traceback for details)\n"
        )
        return int(ExitStatus.ERROR)

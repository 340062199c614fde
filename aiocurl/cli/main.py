"""The edge of the program: argv → Options → plan → a mode → exit status, and every
failure turned into one `aiocurl: error: …` line (secrets masked) and its exit code."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from aiocurl.cli.command import command, parse_args
from aiocurl.cli.config import with_default_options
from aiocurl.cli.options import Options
from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, OutputClosed, UsageError
from aiocurl.redact import RedactingStderr, secrets_in
from aiocurl.status import ExitStatus

if TYPE_CHECKING:
    from aiocurl.request.batch import BatchPlan
    from aiocurl.request.load import LoadPlan
    from aiocurl.request.plan import RequestPlan


def one_line(message: str) -> str:
    """Some parser messages span lines (a caret under the byte); stderr gets one."""
    return " ".join(message.split())


def plan_for(options: Options, env: Environment) -> RequestPlan | BatchPlan | LoadPlan:
    """One request's plan, a batch's (--batch FILE) or a load run's (--repeat, --duration)."""
    many = options.many
    if many.repeat is not None or many.duration is not None:
        from aiocurl.request.load import build_load

        return build_load(options, env)
    if many.batch is not None:
        from aiocurl.request.batch import build_batch

        return build_batch(options, env)
    check_single_request(options)
    from aiocurl.request.plan import build_plan

    return build_plan(options, env)


def check_single_request(options: Options) -> None:
    """Flags of batches and load runs mean nothing to one request: say so, not ignore them."""
    many = options.many
    given = [
        ("--rate", many.rate is not None, "--repeat or --duration"),
        ("--summary", many.summary is not None, "--batch, --repeat or --duration"),
        ("--ordered", many.ordered, "--batch"),
        ("--batch-body", many.batch_body, "--batch"),
        ("--output-dir", many.output_dir is not None, "--batch"),
        ("--max-connections", many.max_connections is not None, "--batch, --repeat or --duration"),
    ]
    for flag, present, needs in given:
        if present:
            raise UsageError(f"{flag} goes with {needs}")


def from_curl_argv(options: Options, argv: Sequence[str], env: Environment) -> list[str]:
    """--from-curl: the curl command's arguments, with the user's own flags on top."""
    from aiocurl.cli.from_curl import expanded_argv, translate

    if options.method_and_url:
        raise UsageError(
            "--from-curl takes the method, URL and body from the curl command; "
            f"only aiocurl flags may follow (got {options.method_and_url[0]!r})"
        )
    if options.many.batch is not None or options.many.merge_summaries:
        flag = "--batch" if options.many.batch is not None else "--merge-summaries"
        raise UsageError(f"--from-curl is one request: it does not go with {flag}")
    command = options.from_curl or ""
    from_stdin = command == "-"
    if from_stdin:
        command = env.stdin.read().decode("utf-8", "surrogateescape")

    def read(path: str) -> bytes:
        return env.stdin.read() if path == "-" else env.read_file(path)

    translation = translate(command, read=read, env=env.env, stdin_free=not from_stdin)
    return expanded_argv(translation, argv, options)


def print_curl(options: Options, env: Environment) -> int:
    """--curl: the request planned as usual, printed as a curl command, never sent."""
    many = options.many
    if many.batch is not None or many.repeat is not None or many.duration is not None:
        raise UsageError("--curl prints one request: not with --batch, --repeat or --duration")
    check_single_request(options)
    from aiocurl.render.curl_command import write_curl_command
    from aiocurl.request.plan import build_plan

    write_curl_command(build_plan(options, env), env.stdout, env.stderr)
    return int(ExitStatus.OK)


def print_completion(shell: str, env: Environment) -> int:
    """--completion SHELL: the script that asks aiocurl for completions in that shell."""
    from aiocurl.cli.completion import completion_script

    env.stdout.write(completion_script(command, shell).encode())
    return int(ExitStatus.OK)


def main(argv: Sequence[str], env: Environment | None = None) -> int:
    env = env or Environment.from_process()
    typed = argv
    # Every message goes through stderr; no secret from the command line gets out that way.
    env = replace(env, stderr=RedactingStderr(env.stderr, secrets_in(argv)))  # type: ignore[arg-type]
    show_traceback = "--traceback" in argv
    try:
        argv = with_default_options(typed, env.env)
        if len(argv) > len(typed):  # the config's flags may carry secrets too
            env = replace(env, stderr=RedactingStderr(env.stderr, secrets_in(argv)))  # type: ignore[arg-type]
            show_traceback = "--traceback" in argv
        parsed = parse_args(argv)
        if isinstance(parsed, int):
            return parsed
        parsed = replace(parsed, argv=tuple(typed))  # a resume hint repeats what was typed
        if parsed.completion is not None:
            return print_completion(parsed.completion, env)
        if parsed.shell:
            from aiocurl.cli.shell import run_shell

            return run_shell(parsed, argv, env)
        if parsed.from_curl is not None:
            expanded = from_curl_argv(parsed, argv, env)
            # The curl command's credentials are now flags and items: masked like typed ones.
            env = replace(env, stderr=RedactingStderr(env.stderr, secrets_in(expanded)))  # type: ignore[arg-type]
            parsed = parse_args(expanded)
            if isinstance(parsed, int):
                return parsed
            parsed = replace(parsed, argv=tuple(typed))  # a resume hint repeats what was typed
        if parsed.curl:
            return print_curl(parsed, env)
        if parsed.many.merge_summaries:
            from aiocurl.modes.load import merge_summaries

            summary = parsed.many.summary or "text"
            pretty = parsed.output.pretty
            return int(merge_summaries(parsed.method_and_url, summary, env, pretty=pretty))
        plan = plan_for(parsed, env)
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

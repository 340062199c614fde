"""--batch FILE: one request per line, each planned like a command line of its own.

A line is `[METHOD] URL [ITEM ...]`, split as a shell would (quotes, backslashes); blank
lines and `#` comments are skipped, so a plain list of URLs is a batch. The command line's
flags apply to every line, and its positionals are items added to every request. A line
that cannot be planned is kept with its error, so the rest still run.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace

from aiocurl.cli.options import Options
from aiocurl.environment import Environment, NetrcLogin
from aiocurl.errors import UsageError
from aiocurl.output_files import check_directory
from aiocurl.request.body import read_some
from aiocurl.request.load import refuse_single_exchange_flags
from aiocurl.request.plan import RequestPlan, build_auth, build_plan
from aiocurl.request.plan_output import OutputPlan, plan_output
from aiocurl.request.plan_transport import TransportPlan, plan_transport


@dataclass(frozen=True)
class BatchEntry:
    line: int  # 1-based, in the batch file
    text: str  # the line as written


@dataclass(frozen=True)
class BatchPlan:
    entries: tuple[BatchEntry, ...]
    options: Options  # each line is planned with these as it is sent (plan_line)
    transport: TransportPlan  # the flags', shared by every request and the session
    output: OutputPlan
    concurrency: int
    max_connections: int
    max_connections_per_host: int  # 0: no limit (aiohttp's meaning)
    ordered: bool
    keep_bodies: bool
    offline: bool
    summary: str | None = None  # text | json: the summary instead of the records
    output_dir: str | None = None  # each 2xx body saved there, named as --download names


def build_batch(options: Options, env: Environment) -> BatchPlan:
    """The batch's lines, and what every line shares; a line is planned only when it is
    sent, so a batch of a million lines takes the memory of its text, not of its plans."""
    check_batch_flags(options)
    many = options.many
    assert many.batch is not None
    lines = batch_text(many.batch, env).splitlines()
    entries = tuple(
        BatchEntry(number, line.strip())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    )
    transport = plan_transport(options.transport, env)
    return BatchPlan(
        entries=entries,
        options=replace(options, auth=with_password(options, env), ignore_stdin=True),
        transport=transport,
        output=plan_output(options, env),
        concurrency=many.concurrency,
        max_connections=many.max_connections or many.concurrency,
        max_connections_per_host=many.max_connections_per_host or 0,
        ordered=many.ordered,
        keep_bodies=many.batch_body,
        summary=many.summary,
        output_dir=checked_directory(many.output_dir),
        offline=options.offline,
    )


def with_password(options: Options, env: Environment) -> str | None:
    """-a USER without a password asks once for the whole batch, not once per line."""
    if options.auth is None:
        return None  # credentials, if any, come with each line's URL
    auth = build_auth(options, None, None, env)
    if auth is None or auth.kind == "bearer":
        return options.auth
    return f"{auth.username}:{auth.password}"


def planning_environment(env: Environment) -> Environment:
    """The environment a batch's lines are planned in: .netrc is read once per host, not
    once per line (the file does not change under a run)."""
    return replace(env, netrc_login=_once_per_host(env.netrc_login))


def _once_per_host(login: NetrcLogin) -> NetrcLogin:
    found: dict[str, tuple[str, str] | None] = {}

    def remembered(host: str, variables: Mapping[str, str]) -> tuple[str, str] | None:
        if host not in found:
            found[host] = login(host, variables)  # a broken file raises, each time, as before
        return found[host]

    return remembered


def plan_line(batch: BatchPlan, entry: BatchEntry, env: Environment) -> RequestPlan:
    """A line's request: its words, then the command line's items; UsageError if it
    cannot be sent."""
    words = line_words(entry.text)
    options = batch.options
    line_options = replace(options, method_and_url=(*words, *options.method_and_url))
    plan = build_plan(line_options, env, planned=(batch.transport, batch.output))
    if plan.ws is not None:
        raise UsageError("a WebSocket URL cannot be part of a batch")
    return plan


def check_batch_flags(options: Options) -> None:
    """What a batch cannot do: each of these belongs to a single exchange, or a load run."""
    more = [("--raw", options.raw is not None), ("--rate", options.many.rate is not None)]
    refuse_single_exchange_flags(options, more, mode="--batch")


def checked_directory(directory: str | None) -> str | None:
    if directory is None:
        return None
    if not os.path.isdir(directory):
        raise UsageError(f"--output-dir: {directory!r} is not a directory")
    check_directory(directory, f"--output-dir: cannot write in {directory!r}")
    return directory


def batch_text(source: str, env: Environment) -> str:
    """The batch file's text; `-` is stdin."""
    if source == "-":
        data = b"".join(iter(lambda: read_some(env.stdin, 1 << 20), b""))
    else:
        data = env.read_file(source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"--batch: line {line} of {source!r} is not UTF-8 text") from None


def line_words(line: str) -> list[str]:
    # Nothing to unquote is the common case, and str.split is far faster than shlex.
    quoted = any(char in line for char in "'\"\\")
    words = _shell_words(line) if quoted else line.split()
    flag = next((w for w in words if w.startswith("-") and w != "-"), None)
    if flag is not None:
        raise UsageError(f"{flag!r}: flags go on the command line, not on a batch line")
    return words


def _shell_words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:  # shlex's own words name no more than this
        raise UsageError("a quote is not closed, or the line ends in a backslash") from None

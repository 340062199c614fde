"""`--shell`: an interactive shell on one live session. Each line is a request relative to
the current URL, or a command that changes what every following request gets; the shell
reads a terminal through a prompt, or a script from a pipe, line by line.

A request line becomes a command line (the kept flags, the line's flags, the method, the
URL, the kept items, the line's items) and goes through the same parsing, planning and
modes as the single command, so it prints exactly what that command would.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from aiocurl.cli.command import parse_args
from aiocurl.cli.flag_words import (
    canonical,
    flag_name,
    flag_names,
    flag_table,
    joined,
    repeatable_flags,
    split_words,
)
from aiocurl.cli.main import one_line, plan_for, print_curl
from aiocurl.cli.options import Options
from aiocurl.config_dir import config_dir
from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, OutputClosed, UsageError
from aiocurl.modes.signals import Terminated
from aiocurl.redact import RedactingStderr, is_secret_header, secrets_in
from aiocurl.request.items import is_item
from aiocurl.request.shell_state import (
    METHODS,
    ShellState,
    checked_base,
    checked_item,
    merged_items,
    request_line,
)
from aiocurl.request.urls import origin
from aiocurl.status import ExitStatus

if TYPE_CHECKING:
    from aiocurl.modes.shell import ShellRuns
    from aiocurl.render.shell_memory import ShellMemory
    from aiocurl.request.session_file import SessionPlan

COMMANDS = (
    "cd", "header", "query", "data", "unset", "show", "set",
    "curl", "aiocurl", "save", "help", "exit",
)  # fmt: skip

HELP = """\
[METHOD] [PATH|URL] [ITEM ...] [FLAGS]   a request: a path starting with / goes after the
                                         base URL, another after the current one; none:
                                         the current one; flags apply to this request only
cd PATH | .. | / | URL     move under the base URL (a URL: a new base)
header NAME:VALUE ...      a header for every following request (query NAME==VALUE and
query NAME==VALUE ...      data FIELD=VALUE alike; any item form)
data FIELD=VALUE ...
unset NAME | FLAG | --all  drop a kept item or flag, or all of them
set FLAG [VALUE]           a flag for every following request (set --follow, set --timeout 5)
show                       the next request as it would be sent (like --offline)
curl, aiocurl              the last request as a command line to paste elsewhere
save [FILE]                the headers, credentials, cookies and base URL as a session file
help                       this text
exit                       leave (or Ctrl-D)"""

# Flags that belong to the whole shell, not to its requests.
_SHELL_FLAGS = frozenset({"--shell", "--traceback", "--no-config"})
# Flags a line cannot take: they do something other than send its request.
_REFUSED = frozenset(
    {
        "--shell",
        "--batch",
        "--merge-summaries",
        "--from-curl",
        "--completion",
        "--help",
        "--version",
    }
)


class LineReader(Protocol):
    async def read(self, location: str, status: int | None) -> str | None: ...


class ScriptReader:
    """Lines from a pipe: a shell transcript run as a script."""

    def __init__(self, env: Environment) -> None:
        self._stdin = env.stdin

    async def read(self, location: str, status: int | None) -> str | None:
        line = self._stdin.readline()
        if not line:
            return None
        return line.decode("utf-8", "surrogateescape").rstrip("\r\n")


def starting_state(argv: Sequence[str], options: Options, env: Environment) -> ShellState:
    """The command line's URL, items and flags: the shell's state at its start. Without a
    URL, --base-url's, or the base URL a --session keeps."""
    words = split_words(argv)
    state = ShellState()
    for flag in words.flags:
        name = flag_name(flag)
        if name in _REFUSED - {"--shell"}:
            raise UsageError(f"{name} does not go with --shell")
        if name not in _SHELL_FLAGS:
            state.flags[name] = state.flags.get(name, []) + flag if _repeatable(name) else flag
    positionals = words.positionals
    if positionals and _is_url_word(positionals[0], positionals[1:]):
        from aiocurl.request.plan import with_base_url

        # `/v2` goes after --base-url or a session's base URL, as a command's URL does.
        base: str | None = with_base_url(positionals.pop(0), options, env)
    else:
        base = options.base_url
    session = options.session or options.session_read_only
    if base is None and session is not None:
        from aiocurl.request.session_file import stored_base_url

        base = stored_base_url(session, env.env, env.read_file)
    if base is not None:
        state.base = checked_base(base, options.default_scheme)
    for word in positionals:
        checked_item(word)
    state.items = list(positionals)
    return state


def _is_url_word(word: str, rest: Sequence[str]) -> bool:
    if word.upper() in METHODS and rest:
        raise UsageError("--shell takes a URL and items; each line of the shell gives a method")
    return not is_item(word) or word.startswith((":", "/")) or "://" in word


def _after_flags(positionals: list[str]) -> list[str]:
    """A command line's method, URL and items, after `--` when one starts with `-` (an item
    `-x=1` typed after `--`), so that it is not read as a flag."""
    return (
        ["--", *positionals] if any(word.startswith("-") for word in positionals) else positionals
    )


def _unmeasured(argv: Sequence[str]) -> list[str]:
    """A request's command line without --timing and --write-out: they tell of a request
    sent, which `show` (--offline) and `curl` (--curl) refuse, and change nothing in it."""
    words = split_words(argv)
    measuring = {"--timing", "--write-out"}
    flags = [flag for flag in words.flags if flag_name(flag) not in measuring]
    return joined(flags) + _after_flags(words.positionals)


def _ctrl_c_raises() -> contextlib.AbstractContextManager[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt where it is, and so ends a password
    prompt at once. asyncio.run's handler would cancel the whole shell at its next await,
    and leave the prompt waiting meanwhile. The block must not await."""
    from aiocurl.modes.signals import sigint_handled_by

    return sigint_handled_by(signal.default_int_handler)


def _repeatable(name: str) -> bool:
    """Flags given several times (--proxy, --resolve, -vv) keep every use."""
    return name in repeatable_flags()


class Shell:
    """The loop: read a line, do what it says, remember the outcome."""

    def __init__(
        self,
        state: ShellState,
        env: Environment,
        runs: ShellRuns,
        *,
        interactive: bool,
        default_scheme: str,
        show_traceback: bool,
    ) -> None:
        self.state = state
        self.env = env
        self.runs = runs
        self.interactive = interactive
        self.default_scheme = default_scheme
        self.show_traceback = show_traceback
        self.last_argv: list[str] | None = None
        self.status: int | None = None  # the last request's exit status
        self.worst = 0

    async def loop(self, reader: LineReader) -> int:
        while True:
            line = await self._read(reader)
            if line is None:
                break
            try:
                words = shlex.split(line, comments=True)
            except ValueError as exc:  # an unclosed quote
                self._error(f"cannot read the line: {str(exc).lower()}", None, line.split())
                self._count(int(ExitStatus.ERROR))
                continue
            if not words:
                continue
            if words[0] in ("exit", "quit"):
                break
            await self._do(words)
        return 0 if self.interactive else self.worst

    async def _read(self, reader: LineReader) -> str | None:
        """The next line. SIGTERM or SIGHUP while waiting for it end the shell as they end
        a request (exit status 143 or 129), and the prompt puts the terminal back first."""
        from aiocurl.modes.signals import stop_on_signals

        with stop_on_signals() as stop:
            try:
                return await reader.read(self.state.location or "aiocurl", self.status)
            except asyncio.CancelledError:
                error = stop.error()
                if error is None:
                    raise
                raise error from None

    async def _do(self, words: list[str]) -> None:
        try:
            command = words[0]
            if command in _STATE_COMMANDS:
                _STATE_COMMANDS[command](self, words[1:])
            elif command in ("show", "curl", "aiocurl", "save"):
                await getattr(self, f"_{command}")(words[1:])
            elif command == "help":
                self._write(HELP + "\n")
            else:
                await self._request(words)
        except (OutputClosed, Terminated):
            raise  # the reader went away, or SIGTERM or SIGHUP: the shell ends, not the line
        except KeyboardInterrupt:  # Ctrl-C at a password prompt (see _prompting)
            self.env.stderr.write("\naiocurl: interrupted\n")
            self._count(int(ExitStatus.INTERRUPTED))
        except AiocurlError as exc:
            if self.show_traceback:
                raise
            self._error(exc.message, exc.detail, words)
            self._count(int(exc.exit_status))
        except Exception as exc:  # a bug: the line fails, the shell and its state stay
            if self.show_traceback:
                raise
            message = f"unexpected {type(exc).__name__}: {exc} (run again with --traceback)"
            self._error(message, None, words)
            self._count(int(ExitStatus.ERROR))

    def _count(self, status: int) -> None:
        self.status = status
        self.worst = max(self.worst, status)

    def _error(self, message: str, detail: str | None, words: Sequence[str] = ()) -> None:
        """One line, with the line's secrets masked as a command's are."""
        stderr = RedactingStderr(self.env.stderr, secrets_in(words))
        stderr.write(f"aiocurl: error: {one_line(message)}\n")
        if detail:
            stderr.write(detail + "\n")

    def _write(self, text: str) -> None:
        self.env.stdout.write(text.encode("utf-8"))
        self.env.stdout.flush()

    # The requests.

    def request_argv(self, words: Sequence[str]) -> list[str]:
        """A request line as the command line that sends it."""
        given = split_words(words)
        for flag in given.flags:
            name = flag_name(flag)
            if name in _REFUSED:
                hint = " (type help)" if name == "--help" else ""
                raise UsageError(f"{name} does not go on a line of the shell{hint}")
        line = request_line(given.positionals)
        url = self.state.url_for(line.path, self.default_scheme)
        items = merged_items(self.state.items, line.items)
        method = [line.method] if line.method else []
        kept, line_flags = joined(self.state.flags.values()), joined(given.flags)
        return kept + line_flags + _after_flags([*method, url, *items])

    async def _request(self, words: Sequence[str]) -> None:
        argv = self.request_argv(words)
        self.last_argv = argv
        status = await self._send(argv)
        self._count(int(status))

    async def _send(self, argv: list[str]) -> int:
        options = parse_args(["--ignore-stdin", *argv])
        assert not isinstance(options, int)  # --help and --version are refused as flags
        if options.base_url is None and self.state.base is not None:
            # The URL is whole already; a --session file keeps the base for the next shell.
            options = replace(options, base_url=self.state.base)
        env = replace(self.env, stderr=RedactingStderr(self.env.stderr, secrets_in(argv)))  # type: ignore[arg-type]
        with self._prompting():
            if options.curl:
                return print_curl(options, env)
            plan = plan_for(options, env)
        return int(await self.runs.run(plan, env, interactive=self.interactive))

    def _prompting(self) -> contextlib.AbstractContextManager[None]:
        """Around planning, which may ask for a password: on a terminal, Ctrl-C there
        abandons this line only."""
        return _ctrl_c_raises() if self.interactive else contextlib.nullcontext()

    # The commands that print.

    async def _show(self, args: Sequence[str]) -> None:
        """The next request as it would be sent, with the flags kept."""
        argv = self.request_argv(args)
        flags = [" ".join(flag) for flag in self.state.flags.values()]
        if flags:
            self._write(f"flags: {' '.join(flags)}\n")
        await self._send(["--offline", *_unmeasured(argv)])

    async def _curl(self, args: Sequence[str]) -> None:
        await self._send(["--curl", *_unmeasured(self._last())])

    async def _aiocurl(self, args: Sequence[str]) -> None:
        self._write(f"aiocurl {shlex.join(self._last())}\n")

    def _last(self) -> list[str]:
        if self.last_argv is None:
            raise UsageError("no request yet: send one first")
        return self.last_argv

    async def _save(self, args: Sequence[str]) -> None:
        """The state as a session file (the format of --session)."""
        session = self.state.flags.get("--session")
        if len(args) > 1:
            raise UsageError("save takes one FILE")
        target = args[0] if args else (session[-1] if session else None)
        if target is None:
            raise UsageError("save: give a FILE (or start the shell with --session NAME)")
        kept = {name: flag for name, flag in self.state.flags.items() if "session" not in name}
        base = ["--base-url", self.state.location] if self.state.location else []
        argv = [*joined(kept.values()), "--session", target, *base]
        argv += _after_flags([self.state.url_for(None, self.default_scheme), *self.state.items])
        options = parse_args(["--ignore-stdin", *argv])
        assert not isinstance(options, int)
        from aiocurl.request.plan import build_plan

        with self._prompting():
            plan = build_plan(options, self.env)
        assert plan.session is not None
        self.runs.save(plan.session.path, plan.session.updated)
        self._write(f"saved to {plan.session.path}\n")

    # The commands that change the state.

    def _cd(self, args: Sequence[str]) -> None:
        if len(args) > 1:
            raise UsageError("cd takes one PATH")
        before = self.state.base
        self.state.cd(args[0] if args else None, self.default_scheme)
        after = self.state.base
        if after is not None and (before is None or origin(before) != origin(after)):
            self._warn_of_credentials()

    def _warn_of_credentials(self) -> None:
        """Kept credentials go wherever the requests go: said when the host changes."""
        kept = [
            item.key for item in map(checked_item, self.state.items)
            if item.kind.is_header and is_secret_header(item.key)
        ]  # fmt: skip
        kept += [name for name in ("--auth",) if name in self.state.flags]
        if kept:
            self.env.stderr.write(
                f"aiocurl: warning: {', '.join(kept)} kept: sent to {self.state.base} too "
                "(unset to stop)\n"
            )

    def _set(self, args: Sequence[str]) -> None:
        given = split_words(args)
        if given.positionals or not given.flags:
            raise UsageError("set takes flags: set --follow, set --timeout 5")
        flags = dict(self.state.flags)
        for flag in given.flags:
            name = flag_name(flag)
            if name in _REFUSED | _SHELL_FLAGS:
                raise UsageError(f"{name} cannot be set in the shell")
            kept = flags.get(name, []) if _repeatable(name) else []
            flags[name] = kept + flag
        # Checked now, so that `set --timeout x` is refused here, not at every request.
        parse_args([*joined(flags.values()), "--offline", "x"])
        self.state.flags = flags

    def _unset(self, args: Sequence[str]) -> None:
        if not args:
            raise UsageError("unset takes a NAME, a FLAG or --all")
        for name in args:
            if name == "--all":
                self.state.items.clear()
                self.state.flags.clear()
            elif name.startswith("-"):
                if name not in flag_table():
                    raise UsageError(f"unknown option {name}")
                if self.state.flags.pop(canonical(name), None) is None:
                    raise UsageError(f"unset: {name} is not set")
            elif not self.state.unset(name):
                raise UsageError(f"unset: no kept item named {name!r}")


_STATE_COMMANDS: dict[str, Callable[[Shell, Sequence[str]], None]] = {
    "cd": Shell._cd,
    "set": Shell._set,
    "unset": Shell._unset,
}


def _keeper(kind: str) -> Callable[[Shell, Sequence[str]], None]:
    """`header`, `query` or `data`: the items given, kept for every request."""

    def keep(shell: Shell, args: Sequence[str]) -> None:
        if not args:
            raise UsageError(f"{kind}: give at least one item ({kind} NAME...)")
        shell.state.keep_items(args, kind)

    return keep


_STATE_COMMANDS.update({kind: _keeper(kind) for kind in ("header", "query", "data")})


def run_shell(options: Options, argv: Sequence[str], env: Environment) -> int:
    """--shell: the loop, until Ctrl-D, `exit` or the script's end."""
    state = starting_state(argv, options, env)
    interactive = env.stdin_isatty and env.stdout_isatty
    return asyncio.run(_run(state, options, env, interactive=interactive))


async def _run(state: ShellState, options: Options, env: Environment, *, interactive: bool) -> int:
    from aiocurl.modes.shell import shell_runs
    from aiocurl.render.shell_memory import ShellMemory
    from aiocurl.startup import resume_collection

    resume_collection()  # start-up is over: a shell runs for long, and collects as it goes
    memory = ShellMemory()
    session = _starting_session(state, options, env)
    async with shell_runs(session, memory.note_response) as runs:
        shell = Shell(
            state,
            env,
            runs,
            interactive=interactive,
            default_scheme=options.default_scheme,
            show_traceback=options.traceback,
        )
        reader = _prompt(shell, memory, env) if interactive else ScriptReader(env)
        return await shell.loop(reader)


def _starting_session(state: ShellState, options: Options, env: Environment) -> SessionPlan | None:
    """With --session, the session as the first request would read it: its cookies go
    into the shell's jar."""
    if options.session is None and options.session_read_only is None:
        return None
    from aiocurl.request.plan import build_plan

    argv = joined(state.flags.values())
    url = state.location or "http://localhost/"
    parsed = parse_args([*argv, "--offline", "--ignore-stdin", *_after_flags([url, *state.items])])
    assert not isinstance(parsed, int)
    return build_plan(parsed, env).session


def _prompt(shell: Shell, memory: ShellMemory, env: Environment) -> LineReader:
    from aiocurl.render.shell_memory import COMMON_HEADERS
    from aiocurl.render.shell_prompt import ShellPrompt, Vocabulary

    def paths() -> list[str]:
        """The URLs responses showed under the base, as a line types them (`/users/2`)."""
        base = shell.state.root
        under = [url[len(base) :] for url in memory.urls() if base and url.startswith(base)]
        return [path or "/" for path in under if not path or path.startswith(("/", "?"))]

    def state_names() -> list[str]:
        names = [checked_item(word).key for word in shell.state.items]
        return [*names, *shell.state.flags]

    vocabulary = Vocabulary(
        commands=COMMANDS,
        methods=METHODS,
        flags=flag_names(),
        header_names=lambda: [*COMMON_HEADERS, *memory.header_names()],
        paths=paths,
        state_names=state_names,
    )
    colors = "NO_COLOR" not in env.env
    return ShellPrompt(vocabulary, config_dir(env.env) / "shell_history", colors=colors)

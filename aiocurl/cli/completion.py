"""Shell completion through click's protocol (`_AIOCURL_COMPLETE`): the scripts for
`--completion bash|zsh|fish`, and what click cannot guess: methods, file paths after
`@` in items, session names. Flags and click.Choice values click completes itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click
from click.shell_completion import CompletionItem, get_completion_class

from aiocurl.cli.config import COMPLETE_VARIABLE
from aiocurl.config_dir import config_dir

PROG_NAME = "aiocurl"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def completion_script(command: click.Command, shell: str) -> str:
    """The script that makes `shell` ask aiocurl for completions."""
    completion_class = get_completion_class(shell)
    if completion_class is None:  # click.Choice has checked the name already
        raise ValueError(f"no completion for {shell!r}")
    return completion_class(command, {}, PROG_NAME, COMPLETE_VARIABLE).source()


def complete_positional(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The method as the first word; a file path after `@` in an item."""
    if "@" in incomplete:
        prefix, _, path = incomplete.partition("@")
        return [CompletionItem(f"{prefix}@{name}") for name in paths_starting(path)]
    if not ctx.params.get(param.name or "args") and not incomplete.startswith("-"):
        typed = incomplete.upper()
        return [CompletionItem(method) for method in METHODS if method.startswith(typed)]
    return []


def paths_starting(partial: str) -> list[str]:
    """Files and directories (these with a `/`) whose path starts with `partial`; hidden
    ones only when `partial` names a dot."""
    folder, _, start = partial.rpartition("/")
    if folder or partial.startswith("/"):
        folder += "/"
    listed = Path(os.path.expanduser(folder or "."))
    try:
        entries = sorted(os.scandir(listed), key=lambda entry: entry.name)
    except OSError:
        return []
    return [
        folder + entry.name + ("/" if entry.is_dir() else "")
        for entry in entries
        if entry.name.startswith(start)
        and (start.startswith(".") or not entry.name.startswith("."))
    ]


def session_names(env: Mapping[str, str], incomplete: str = "") -> list[str]:
    """The names of the stored sessions (`<config dir>/sessions/<host>/<NAME>.json`, any
    host) that start with `incomplete`."""
    sessions = config_dir(env) / "sessions"
    try:
        files = list(sessions.glob("*/*.json"))
    except OSError:
        return []
    return sorted({path.stem for path in files if path.stem.startswith(incomplete)})


def complete_session(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """`--session`: a stored session's name, or a file when the word looks like a path."""
    if "/" in incomplete or incomplete.startswith((".", "~")):
        return [CompletionItem(path) for path in paths_starting(incomplete)]
    return [CompletionItem(name) for name in session_names(os.environ, incomplete)]

"""A command line's words told apart: flags (with their values) and positionals, by what
the click command says each flag takes. The shell keeps flags as words, to put them before
each request's own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import click

from aiocurl.cli.command import command
from aiocurl.errors import UsageError


@dataclass
class Words:
    flags: list[list[str]] = field(default_factory=list)  # each flag with its value, if any
    positionals: list[str] = field(default_factory=list)


@cache
def flag_table() -> dict[str, bool]:
    """Every flag's name → whether it takes a value."""
    table: dict[str, bool] = {}
    for param in command.params:
        if isinstance(param, click.Option):
            takes_value = not (param.is_flag or param.count)
            for name in (*param.opts, *param.secondary_opts):
                table[name] = takes_value
    table["--help"] = table["--version"] = False
    return table


@cache
def repeatable_flags() -> frozenset[str]:
    """The flags each of whose uses counts (`-vv`, `--proxy` given twice), by canonical name."""
    return frozenset(
        canonical(param.opts[0])
        for param in command.params
        if isinstance(param, click.Option) and (param.multiple or param.count)
    )


def flag_names() -> list[str]:
    return sorted(flag_table())


def canonical(name: str) -> str:
    """A flag's first spelling (`-F` → `--follow`): the key under which the shell keeps it."""
    for param in command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            longs = [opt for opt in param.opts if opt.startswith("--")]
            return longs[0] if longs else param.opts[0]
    return name


def flag_name(flag: Sequence[str]) -> str:
    """The canonical name of a flag as split_words gives it (`--timeout=5` → `--timeout`)."""
    return canonical(flag[0].partition("=")[0])


def joined(flags: Iterable[Sequence[str]]) -> list[str]:
    """Flags as split_words gives them, as words again."""
    return [word for flag in flags for word in flag]


def split_words(words: Sequence[str]) -> Words:
    """Flags and positionals, in order. `--` makes the rest positionals. An unknown flag is
    an error naming it."""
    table = flag_table()
    result = Words()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            result.positionals.extend(words[index:])
            break
        if not word.startswith("-") or word == "-":
            result.positionals.append(word)
            continue
        name, equals, _ = word.partition("=")
        if word.startswith("--"):
            if name not in table:
                raise UsageError(f"unknown option {name}")
            if table[name] and not equals:
                if index >= len(words):
                    raise UsageError(f"{name} needs a value")
                result.flags.append([word, words[index]])
                index += 1
            else:
                result.flags.append([word])
            continue
        index = _short_cluster(word, words, index, table, result)
    return result


def _short_cluster(
    word: str, words: Sequence[str], index: int, table: dict[str, bool], result: Words
) -> int:
    """`-vF`, `-aUSER:PW`, `-a USER:PW`: each letter a flag until one takes a value."""
    for position in range(1, len(word)):
        name = f"-{word[position]}"
        if name not in table:
            raise UsageError(f"unknown option {name}")
        if not table[name]:
            result.flags.append([name])
            continue
        rest = word[position + 1 :]
        if rest:
            result.flags.append([name, rest])
        elif index < len(words):
            result.flags.append([name, words[index]])
            index += 1
        else:
            raise UsageError(f"{name} needs a value")
        break
    return index

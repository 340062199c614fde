"""`<config dir>/config.json`: `{"default_options": [...]}`, flags put before the command
line's own, as HTTPie's config does, so a flag typed on the command line still wins.

Read before click parses the command line; no aiohttp or rich (start-up). `--help`,
`--version` and `--completion` do not read the file at all: they print the same whatever
it says, and a broken config must not hide the help.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from aiocurl.cli.command import parse_args
from aiocurl.cli.options import Options
from aiocurl.config_dir import config_dir
from aiocurl.errors import AiocurlError, UsageError, os_reason

COMPLETE_VARIABLE = "_AIOCURL_COMPLETE"  # set by a shell asking for completions (click)

CONFIG_FILE = "config.json"
# Words that print something of their own and ignore the flags: no file is read for them,
# so a broken config never hides the help.
_NO_CONFIG_WORDS = frozenset({"--no-config", "--help", "--version", "--completion"})


class ConfigError(UsageError):
    """config.json cannot be used: the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"config file {str(path)!r}: {problem}")


def config_path(env: Mapping[str, str]) -> Path:
    return config_dir(env) / CONFIG_FILE


def reads_config(argv: Sequence[str], env: Mapping[str, str]) -> bool:
    """Whether this command line takes the config's default options: not with
    --no-config, nor for --help, --version, --completion or a completion request."""
    if COMPLETE_VARIABLE in env:
        return False
    for word in argv:
        if word == "--":  # what follows is positionals
            break
        if word.split("=", 1)[0] in _NO_CONFIG_WORDS:
            return False
    return True


def default_options(env: Mapping[str, str]) -> list[str]:
    """The config's `default_options`; none when there is no config file."""
    path = config_path(env)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {os_reason(exc, with_file=False)}") from None
    return parse_config(text, path)


def parse_config(text: bytes, path: Path) -> list[str]:
    """`{"default_options": ["--follow", ...]}`; other keys (HTTPie writes `__meta__`)
    are left alone."""
    try:
        document = json.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(path, "it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ConfigError(path, f"it is not valid JSON ({exc.msg} at {where})") from None
    if not isinstance(document, dict):
        raise ConfigError(path, 'expected a JSON object such as {"default_options": [...]}')
    options = document.get("default_options", [])
    if not isinstance(options, list):
        raise ConfigError(path, "default_options must be a list of strings")
    for index, option in enumerate(options):
        if not isinstance(option, str):
            raise ConfigError(
                path, f"default_options[{index}] must be a string, got {json.dumps(option)}"
            )
    return options


def with_default_options(argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The command line with the config's default options first, when it reads them."""
    if not reads_config(argv, env):
        return list(argv)
    defaults = default_options(env)
    if defaults:
        check_default_options(defaults, config_path(env))
    return [*defaults, *argv]


def check_default_options(defaults: list[str], path: Path) -> None:
    """The default options parsed on their own, so that a mistake in them is reported as
    the config's, not as the command line's."""
    for word in defaults:
        if word.split("=", 1)[0] in _NO_CONFIG_WORDS:
            raise ConfigError(path, f"{word} cannot be a default option")
    try:
        parsed = parse_args(defaults)
    except AiocurlError as exc:
        raise ConfigError(path, f"default_options: {exc.message}") from None
    if isinstance(parsed, Options) and parsed.method_and_url:
        word = parsed.method_and_url[0]
        raise ConfigError(path, f"default_options: {word!r} is not an option")

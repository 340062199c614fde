"""Secrets stay out of messages: every line aiocurl writes to stderr passes through here.

The command line says what is secret: passwords and tokens given with -a, the password in
a URL's user info (the request URL or --proxy), --cert-key-pass, and the values of header
items whose names are credentials. `Redactor` replaces each of them with `***` in anything
written to stderr, and user info in any URL it sees, so no message, hint or warning can
repeat them. Pure: no I/O of its own.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

MASK = "***"
# Shorter values are masked where they stand (a URL's user info, the -a argument of a
# suggested command) but not wherever they occur: "ab" would garble every message.
MIN_FREE_MASK = 4
# Credentials by name: the standard ones, and the names APIs give their keys.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
)
SECRET_SUFFIXES = ("-token", "-key", "-secret")

# User info before a host: after `//`, or at the start of a word for a URL typed without a
# scheme (`u:pw@host`). The password runs to the authority's last `@`, as urllib splits it.
_USERINFO = re.compile(
    r"(?P<lead>//|(?<![^\s'\"(=]))(?P<user>[^/?#@\s:'\"]*):(?P<password>[^/?#\s'\"]*)@"
)
_HEADER_ITEM = re.compile(r"^(?P<name>[A-Za-z0-9!#$%&'*+.^_`|~\\-]+):(?P<value>[^=@].*)$", re.S)
# The short options that take a value; in a cluster (`-vba u:pw`) the first of them takes
# the rest of the cluster, or the next argument.
_SHORT_WITH_VALUE = frozenset("aAops")


def is_secret_header(name: str, extra: frozenset[str] = frozenset()) -> bool:
    lowered = name.lower()
    return lowered in CREDENTIAL_HEADERS or lowered in extra or lowered.endswith(SECRET_SUFFIXES)


def redact_url(text: str) -> str:
    """Any `user:password@` before a host in `text` with the password masked; works on URLs
    that do not parse, since those are the ones error messages quote."""
    return _USERINFO.sub(lambda m: f"{m['lead']}{m['user']}:{MASK}@", text)


def value_positions(argv: Sequence[str], long: str, short: str | None) -> list[tuple[int, int]]:
    """Where each value of an option starts, as (argument, offset), in every spelling click
    accepts: `--auth V`, `--auth=V`, `-a V`, `-aV`, and inside a cluster, `-vba V`."""
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            break
        if arg == long:
            found.append((index + 1, 0))
            index += 1
        elif arg.startswith(long + "="):
            found.append((index, len(long) + 1))
        elif arg.startswith("-") and not arg.startswith("--"):
            taker = next((i for i in range(1, len(arg)) if arg[i] in _SHORT_WITH_VALUE), None)
            if taker is not None:
                rest = taker + 1 < len(arg)
                if arg[taker] == short:
                    found.append((index, taker + 1) if rest else (index + 1, 0))
                index += 0 if rest else 1  # the next argument is that option's value
        index += 1
    return [(i, offset) for i, offset in found if i < len(argv)]


def option_values(argv: Sequence[str], long: str, short: str | None = None) -> list[str]:
    return [argv[i][offset:] for i, offset in value_positions(argv, long, short)]


def secrets_in(argv: Sequence[str]) -> frozenset[str]:
    """The secret strings a command line carries, and the Basic credentials they make."""
    found: set[str] = set()
    bearer = any(v.lower() == "bearer" for v in option_values(argv, "--auth-type", "A"))
    for value in option_values(argv, "--auth", "a"):
        user, sep, password = value.partition(":")
        if bearer:
            found.add(value)
        elif sep:
            found.update({password, _basic(user, password)})
    found.update(option_values(argv, "--cert-key-pass"))
    for arg in argv:
        for match in _USERINFO.finditer(arg):
            from urllib.parse import unquote  # only now: --help and --version stay lighter

            user, password = unquote(match["user"]), unquote(match["password"])
            found.update({match["password"], password, _basic(user, password)})
        item = _HEADER_ITEM.match(arg)
        if item and is_secret_header(item["name"].replace("\\", "")):
            value = item["value"].strip()
            found.add(value)
            _, _, credential = value.partition(" ")  # `Bearer TOKEN`, `Basic B64`
            if credential.strip():
                found.add(credential.strip())
    return frozenset(s for s in found if s)


def _basic(user: str, password: str) -> str:
    """What -v shows of Basic credentials: base64 hides nothing."""
    try:
        return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    except UnicodeEncodeError:  # bytes that are not text: refused before sending anyway
        return ""


# A credential header as a head shows it on stderr (a download's -v), colours allowed: its
# value is masked whatever it came from (-a, .netrc, a prompt, a proxy variable).
_ANSI = r"(?:\x1b\[[0-9;]*m)*"
_CREDENTIAL_LINE = re.compile(
    rf"(?im)^(?P<name>{_ANSI}(?:authorization|proxy-authorization|cookie|x-api-key|api-key"
    rf"|[a-z0-9_-]*-(?:token|key|secret)){_ANSI}:[ \t]*{_ANSI}(?:(?:basic|bearer|digest)[ \t]+)?)"
    r"(?P<value>[^\r\n\x1b]+)"
)


def redact(text: str, secrets: Iterable[str]) -> str:
    text = _CREDENTIAL_LINE.sub(lambda m: f"{m['name']}{MASK}", redact_url(text))
    for secret in sorted(secrets, key=len, reverse=True):  # a longer one may contain another
        if len(secret) >= MIN_FREE_MASK:
            # Also as a message quotes it (`{value!r}`): a line break in it becomes `\n`.
            text = text.replace(secret, MASK).replace(repr(secret)[1:-1], MASK)
    return text


def redact_argv(argv: Sequence[str]) -> tuple[list[str], bool]:
    """The command line with its secrets masked where they stand, for a command to suggest;
    and whether anything was masked (the user must then put the credentials back)."""
    secrets = secrets_in(argv)
    masked = list(argv)
    for index, offset in value_positions(argv, "--auth", "a"):
        masked[index] = masked[index][:offset] + _masked_auth(masked[index][offset:], secrets)
    for index, offset in value_positions(argv, "--cert-key-pass", None):
        masked[index] = masked[index][:offset] + MASK
    for index, arg in enumerate(masked):
        item = _HEADER_ITEM.match(arg)
        if item and is_secret_header(item["name"].replace("\\", "")):
            masked[index] = f"{item['name']}:{MASK}"
        else:
            masked[index] = redact(arg, secrets)
    return masked, masked != list(argv)


def _masked_auth(value: str, secrets: frozenset[str]) -> str:
    if value in secrets:
        return MASK
    user, sep, _ = value.partition(":")
    return f"{user}:{MASK}" if sep else value


class RedactingStderr:
    """stderr as every message sees it: secrets masked in each write."""

    def __init__(self, stream: TextIO, secrets: frozenset[str]) -> None:
        self._stream = stream
        self._secrets = secrets

    def write(self, text: str) -> int:
        self._stream.write(redact(text, self._secrets))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno ...
        return getattr(self._stream, name)

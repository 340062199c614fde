"""Secrets stay out of messages: every line aiocurl writes to stderr passes through here.

The command line says what is secret: passwords and tokens given with -a, the password in
a URL's user info (the request URL or --proxy), --cert-key-pass, and the values of header
items whose names are credentials. `Redactor` replaces each of them with `***` in anything
written to stderr, and user info in any URL it sees, so no message, hint or warning can
repeat them. Pure: no I/O of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO
from urllib.parse import unquote

MASK = "***"
# Shorter values are masked where they stand (a URL's user info, the -a argument of a
# suggested command) but not wherever they occur: "ab" would garble every message.
MIN_FREE_MASK = 4
# Credentials by name: the standard ones, and the names APIs give their keys.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
)
SECRET_SUFFIXES = ("-token", "-key", "-secret")

_USERINFO = re.compile(r"(?P<head>//[^/?#@\s:]*):(?P<password>[^/?#@\s]*)@")
_HEADER_ITEM = re.compile(r"^(?P<name>[A-Za-z0-9!#$%&'*+.^_`|~\\-]+):(?P<value>[^=@].*)$", re.S)
_AUTH_FLAGS = ("-a", "--auth")
_VALUE_FLAGS = ("--cert-key-pass",)


def is_secret_header(name: str, extra: frozenset[str] = frozenset()) -> bool:
    lowered = name.lower()
    return lowered in CREDENTIAL_HEADERS or lowered in extra or lowered.endswith(SECRET_SUFFIXES)


def redact_url(text: str) -> str:
    """Any `scheme://user:password@` in `text` with the password masked; works on URLs
    that do not parse, since those are the ones error messages quote."""
    return _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)


def flag_values(argv: Sequence[str], names: Iterable[str]) -> list[str]:
    """The values given to the options `names`, in any spelling click accepts:
    `-a V`, `-aV`, `--auth V`, `--auth=V`."""
    names = tuple(names)
    values: list[str] = []
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                values.append(argv[index + 1])
            elif name.startswith("--") and arg.startswith(name + "="):
                values.append(arg[len(name) + 1 :])
            elif not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                values.append(arg[len(name) :])
    return values


def secrets_in(argv: Sequence[str]) -> frozenset[str]:
    """The secret strings a command line carries."""
    found: set[str] = set()
    bearer = any(v.lower() == "bearer" for v in flag_values(argv, ("-A", "--auth-type")))
    for value in flag_values(argv, _AUTH_FLAGS):
        _, sep, password = value.partition(":")
        if bearer:
            found.add(value)
        elif sep:
            found.add(password)
    found.update(flag_values(argv, _VALUE_FLAGS))
    for arg in argv:
        for match in _USERINFO.finditer(arg):
            found.update({match["password"], unquote(match["password"])})
        item = _HEADER_ITEM.match(arg)
        if item and is_secret_header(item["name"].replace("\\", "")):
            value = item["value"].strip()
            found.add(value)
            _, _, credential = value.partition(" ")  # `Bearer TOKEN`, `Basic B64`
            if credential.strip():
                found.add(credential.strip())
    return frozenset(s for s in found if s)


def redact(text: str, secrets: Iterable[str]) -> str:
    text = redact_url(text)
    for secret in sorted(secrets, key=len, reverse=True):  # a longer one may contain another
        if len(secret) >= MIN_FREE_MASK:
            text = text.replace(secret, MASK)
    return text


def redact_argv(argv: Sequence[str]) -> tuple[list[str], bool]:
    """The command line with its secrets masked where they stand, for a command to suggest;
    and whether anything was masked (the user must then put the credentials back)."""
    secrets = secrets_in(argv)
    masked: list[str] = []
    auth_next = False
    for arg in argv:
        if auth_next:
            arg = _masked_auth(arg, secrets)
            auth_next = False
        elif arg in _AUTH_FLAGS:
            auth_next = True
        elif arg.startswith("--auth="):
            arg = "--auth=" + _masked_auth(arg[len("--auth=") :], secrets)
        elif arg.startswith("-a") and not arg.startswith("--") and len(arg) > 2:
            arg = "-a" + _masked_auth(arg[2:], secrets)
        item = _HEADER_ITEM.match(arg)
        if item and is_secret_header(item["name"].replace("\\", "")):
            arg = f"{item['name']}:{MASK}"
        masked.append(_mask_all(arg, secrets))
    return masked, masked != list(argv)


def _masked_auth(value: str, secrets: frozenset[str]) -> str:
    if value in secrets:
        return MASK
    user, sep, _ = value.partition(":")
    return f"{user}:{MASK}" if sep else value


def _mask_all(arg: str, secrets: frozenset[str]) -> str:
    arg = redact_url(arg)
    for secret in secrets:
        if secret and arg == secret:
            return MASK
    return redact(arg, secrets)


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

"""-w/--write-out FORMAT: curl's format, parsed once, before anything is sent.

The format is text with curl's escapes: `%{name}` a variable, `%header{Name}` a response
header, `%%` a percent sign, `\\n` `\\r` `\\t` a newline, carriage return and tab;
`%{stderr}` sends what follows to stderr and `%{stdout}` back, and `%{onerror}` ends the
output there unless the request failed. `@FILE` reads the format from a file, its line
ends dropped as curl drops them (a format file spells its newlines `\\n`). Anything else
is written as it stands, as curl writes it; an unknown variable, which curl only warns
about, is a usage error here, so a typo in a CI script fails loudly. render/write_out.py
fills the variables in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiocurl.errors import UsageError

# curl's names, each with what its value is: a string, a whole number, or seconds.
STRINGS = frozenset(
    {"content_type", "errormsg", "http_version", "method", "remote_ip", "url_effective"}
)
NUMBERS = frozenset(
    {
        "exitcode",
        "http_code",
        "response_code",  # curl's other name for http_code
        "num_redirects",
        "num_retries",
        "remote_port",
        "size_download",
        "size_header",
        "size_upload",
        "speed_download",
    }
)
TIMES = frozenset(
    {
        "time_namelookup",
        "time_connect",
        "time_appconnect",
        "time_pretransfer",
        "time_starttransfer",
        "time_redirect",
        "time_total",
    }
)
VARIABLES = STRINGS | NUMBERS | TIMES
# Not values: where the output goes, and where it stops.
DIRECTIVES = frozenset({"json", "stderr", "stdout", "onerror"})

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Variable:
    name: str  # one of VARIABLES or DIRECTIVES


@dataclass(frozen=True)
class Header:
    name: str


Piece = Literal | Variable | Header
WriteOut = tuple[Piece, ...]


def plan_write_out(spec: str | None, read_file: Callable[[str], bytes]) -> WriteOut | None:
    """The parsed format of --write-out, read from a file for `@FILE`."""
    if spec is None:
        return None
    if spec.startswith("@"):
        spec = _format_file(spec[1:], read_file)
    return parse_write_out(spec)


def _format_file(path: str, read_file: Callable[[str], bytes]) -> str:
    if path == "-":
        raise UsageError("--write-out: @- (the format from stdin) is not supported; use @FILE")
    try:
        data = read_file(path)
    except UsageError as exc:
        raise UsageError(f"--write-out: {exc.message}") from None
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r", "").replace("\n", "")


def parse_write_out(spec: str) -> WriteOut:
    """The format as pieces, adjacent text joined; an unknown %{variable} is an error."""
    pieces: list[Piece] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            pieces.append(Literal("".join(text)))
            text.clear()

    at = 0
    while at < len(spec):
        char, following = spec[at], spec[at + 1 : at + 2]
        if char == "%" and following == "%":
            text.append("%")
            at += 2
        elif char == "%" and following == "{" and "}" in spec[at:]:
            end = spec.index("}", at)
            name = spec[at + 2 : end]
            check_variable(name)
            flush()
            pieces.append(Variable(name))
            at = end + 1
        elif char == "%" and spec.startswith("header{", at + 1) and "}" in spec[at:]:
            end = spec.index("}", at)
            flush()
            pieces.append(Header(spec[at + 8 : end]))
            at = end + 1
        elif char == "\\" and following:
            text.append(_ESCAPES.get(following, char + following))
            at += 2
        elif char == "%" and following:  # not a variable: both stand as written, as in curl
            text.append(char + following)
            at += 2
        else:
            text.append(char)
            at += 1
    flush()
    return tuple(pieces)


def check_variable(name: str) -> None:
    if name in VARIABLES or name in DIRECTIVES:
        return
    known = ", ".join(sorted(VARIABLES | DIRECTIVES))
    raise UsageError(f"--write-out: unknown variable %{{{name}}} (known: {known})")

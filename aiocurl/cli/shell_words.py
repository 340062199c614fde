"""A shell command line split into words, as a POSIX shell (and bash, for `$'...'`) does.

Enough of the shell for a curl command copied from browser dev tools or API docs: blanks,
single and double quotes, backslashes, line continuations (`\\` + newline), comments, bash's
ANSI-C quoting `$'...'` (which "Copy as cURL" emits for bodies with control characters or
quotes) and `$NAME` / `${NAME}` from the environment. Anything that would make a shell run
something else (pipes, redirections, `;`, command substitution) is refused with a message,
not guessed at. Pure: the environment is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aiocurl.errors import UsageError

_BLANKS = frozenset(" \t\r\n")
_OPERATORS = frozenset("|&;<>()")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL_PARAMETER = re.compile(r"[0-9@*#?$!-]")
# In double quotes a backslash escapes only these (and a newline); elsewhere it stays.
_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\')
_SIMPLE_ESCAPES = {
    "a": 0x07,
    "b": 0x08,
    "e": 0x1B,
    "E": 0x1B,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    "'": 0x27,
    '"': 0x22,
    "?": 0x3F,
}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


class ShellSyntaxError(UsageError):
    """The command line is not one a shell would run as a single curl command."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"--from-curl: {reason}")


def split_words(text: str, env: Mapping[str, str]) -> list[str]:
    """The words a shell would pass to the command, quotes removed and variables expanded."""
    return _Splitter(text, env).words()


class _Splitter:
    def __init__(self, text: str, env: Mapping[str, str]) -> None:
        self.text = text
        self.env = env
        self.pos = 0
        self.word: list[str] | None = None  # None between words; [] after an empty ''

    def words(self) -> list[str]:
        found: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in _BLANKS:
                self.pos += 1
                if self.word is not None:
                    found.append("".join(self.word))
                    self.word = None
            elif char == "#" and self.word is None:
                self._skip_comment()
            else:
                self._read_part(char)
        if self.word is not None:
            found.append("".join(self.word))
        return found

    def _append(self, text: str) -> None:
        if self.word is None:
            self.word = []
        self.word.append(text)

    def _skip_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def _read_part(self, char: str) -> None:
        if char == "\\":
            self._backslash()
        elif char == "'":
            self._single_quoted()
        elif char == '"':
            self.pos += 1
            self._double_quoted()
        elif char == "$":
            self._dollar(quoted=False)
        elif char == "`":
            raise ShellSyntaxError("command substitution (`...`) is not supported")
        elif char in _OPERATORS:
            raise ShellSyntaxError(
                f"the shell operator {char!r} is not supported: give the curl command alone"
                + (" (quote the URL if it contains '&' or ';')" if char in "&;" else "")
            )
        else:
            self._append(char)
            self.pos += 1

    def _backslash(self) -> None:
        """Outside quotes: a line continuation, or the next character taken literally."""
        after = self.text[self.pos + 1 : self.pos + 3]
        if after.startswith("\n"):
            self.pos += 2
        elif after == "\r\n":  # a command copied from Windows
            self.pos += 3
        elif after:
            self._append(after[0])
            self.pos += 2
        else:  # a backslash at the very end stays, as in bash
            self._append("\\")
            self.pos += 1

    def _single_quoted(self) -> None:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise ShellSyntaxError("a single quote (') is not closed")
        self._append(self.text[self.pos + 1 : end])
        self.pos = end + 1

    def _double_quoted(self) -> None:
        """From after the opening quote to after the closing one."""
        self._append("")  # "" is a word of its own
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return
            if char == "\\":
                after = self.text[self.pos + 1 : self.pos + 2]
                if after == "\n":
                    self.pos += 2
                elif after in _DOUBLE_QUOTE_ESCAPES and after:
                    self._append(after)
                    self.pos += 2
                else:
                    self._append("\\")
                    self.pos += 1
            elif char == "$":
                self._dollar(quoted=True)
            elif char == "`":
                raise ShellSyntaxError("command substitution (`...`) is not supported")
            else:
                self._append(char)
                self.pos += 1
        raise ShellSyntaxError('a double quote (") is not closed')

    def _dollar(self, *, quoted: bool) -> None:
        rest = self.text[self.pos + 1 :]
        if not quoted and rest.startswith("'"):
            self._ansi_c_quoted()
        elif not quoted and rest.startswith('"'):  # bash's $"..." (translated text)
            self.pos += 2
            self._double_quoted()
        elif rest.startswith("("):
            raise ShellSyntaxError("command substitution $(...) is not supported")
        elif rest.startswith("{"):
            self._braced_variable(rest)
        elif match := _NAME.match(rest):
            self._append(self._variable(match.group()))
            self.pos += 1 + match.end()
        elif _SPECIAL_PARAMETER.match(rest):
            raise ShellSyntaxError(f"the shell parameter ${rest[0]} is not expanded")
        else:  # a lone $ is itself
            self._append("$")
            self.pos += 1

    def _braced_variable(self, rest: str) -> None:
        end = rest.find("}")
        name = rest[1:end] if end > 0 else ""
        if not _NAME.fullmatch(name):
            shown = rest[: end + 1] if end > 0 else "${"
            raise ShellSyntaxError(f"the expansion {shown} is not supported (only ${{NAME}})")
        self._append(self._variable(name))
        self.pos += 1 + end + 1

    def _variable(self, name: str) -> str:
        if name not in self.env:
            raise ShellSyntaxError(f"${name} is not set in the environment")
        return self.env[name]

    def _ansi_c_quoted(self) -> None:
        start = self.pos + 2
        index = start
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == "'":
                self._append(decode_ansi_c(self.text[start:index]))
                self.pos = index + 1
                return
            index += 1
        raise ShellSyntaxError("a $'...' quote is not closed")


def decode_ansi_c(body: str) -> str:
    """The text of bash's `$'...'` quoting (between the quotes): `\\n`, `\\t`, `\\'`,
    `\\xHH`, `\\uHHHH`, octal `\\NNN`, `\\cX`... Bytes that are not UTF-8 (`\\xff`) come back
    as surrogate escapes, so that `.encode("utf-8", "surrogateescape")` gives them back;
    like bash, the text ends at a NUL."""
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            index += 1
            continue
        consumed, produced = _escape(body, index + 1)
        out += produced
        index += 1 + consumed
    nul = out.find(0)
    if nul >= 0:
        del out[nul:]
    return out.decode("utf-8", "surrogateescape")


def _escape(body: str, start: int) -> tuple[int, bytes]:
    """One escape after its backslash: (characters consumed, bytes produced)."""
    if start >= len(body):
        return 0, b"\\"
    kind = body[start]
    if kind in _SIMPLE_ESCAPES:
        return 1, bytes([_SIMPLE_ESCAPES[kind]])
    if kind in _OCTAL:
        digits = _run(body, start, _OCTAL, 3)
        return len(digits), bytes([int(digits, 8) & 0xFF])
    if kind in "xuU":
        digits = _run(body, start + 1, _HEX, {"x": 2, "u": 4, "U": 8}[kind])
        if not digits:
            return 1, ("\\" + kind).encode()
        value = int(digits, 16)
        if kind == "x":
            return 1 + len(digits), bytes([value])
        if value > 0x10FFFF:
            return 1 + len(digits), ("\\" + kind + digits).encode()
        return 1 + len(digits), chr(value).encode("utf-8", "surrogatepass")
    if kind == "c" and start + 1 < len(body):
        return 2, bytes([ord(body[start + 1]) & 0x1F])
    return 1, ("\\" + kind).encode("utf-8", "surrogateescape")  # unknown: kept as typed


def _run(body: str, start: int, allowed: frozenset[str], limit: int) -> str:
    end = start
    while end < len(body) and end - start < limit and body[end] in allowed:
        end += 1
    return body[start:end]

"""Colour output through rich, decided once per run. Imported only when colours are on."""

from __future__ import annotations

import io
from typing import BinaryIO

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

_LEXERS = {
    "json": "json",
    "javascript": "javascript",
    "html": "html",
    "xml": "xml",
    "css": "css",
    "yaml": "yaml",
    "x-www-form-urlencoded": "text",
}
_STATUS_STYLES = {2: "bold green", 3: "bold yellow", 4: "bold red", 5: "bold red"}


class ColourWriter:
    """Writes heads and bodies in colour; `style` is a rich ANSI theme or a pygments style."""

    def __init__(self, out: BinaryIO, *, style: str, width: int | None = None) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", write_through=True)
        self._console = Console(
            file=self._text,
            force_terminal=True,
            width=width,
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=True,
        )
        self._theme = "ansi_dark" if style == "auto" else style

    def write(self, text: str) -> None:
        self._text.write(text)

    def head(self, lines: list[str], *, response: bool) -> None:
        first = _status_line(lines[0]) if response else _request_line(lines[0])
        self._console.print(first)
        for line in lines[1:]:
            name, _, value = line.partition(": ")
            self._console.print(Text.assemble((name, "blue"), (": ", ""), (value, "")))
        self._console.print()

    def body(self, text: str, mime: str) -> None:
        if mime == "text/x-sse-fields":  # an event's name, id and retry, set apart
            self._console.print(Text(text, style="bold cyan"), end="")
            return
        lexer = _lexer_for(mime)
        if lexer is None:
            self.write(text)
            return
        syntax = Syntax("", lexer, theme=self._theme, background_color="default")
        highlighted = syntax.highlight(text)
        # Pygments ends its output with a newline whether or not the text had one: keep the
        # text's own ending, so whatever follows starts where it would without colour.
        if not text.endswith("\n") and highlighted.plain.endswith("\n"):
            highlighted.right_crop(1)
        self._console.print(highlighted, end="")

    def detach(self) -> None:
        """Leave the underlying stream open for the caller."""
        self._text.flush()
        self._text.detach()


def _lexer_for(mime: str) -> str | None:
    subtype = mime.rpartition("/")[2]
    for hint, lexer in _LEXERS.items():
        if hint in subtype:
            return lexer
    return None


def _request_line(line: str) -> Text:
    method, _, rest = line.partition(" ")
    target, _, version = rest.rpartition(" ")
    return Text.assemble((method, "bold green"), " ", (target, "cyan"), " ", (version, "dim"))


def _status_line(line: str) -> Text:
    version, _, rest = line.partition(" ")
    code, _, reason = rest.partition(" ")
    style = _STATUS_STYLES.get(int(code) // 100 if code.isdigit() else 0, "bold")
    return Text.assemble((version, "dim"), " ", (code, style), " ", (reason, style))

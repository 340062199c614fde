"""The interactive shell's prompt: the line editor, its completion and its history file.

`ShellPrompt.read` shows the current URL (and the last request's exit status when it was
not 0) and returns one typed line, with emacs keys, arrow-up history, Ctrl-R search and Tab
completion of commands, methods, flags, header names, item separators and the paths
earlier responses handed out. The history file never holds a credential: each line is
stored as `masked(line)`. The shell itself is run by modes/; prompt_toolkit is imported
only by the shell's modules.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.key_binding.bindings.search import accept_search_and_accept_input
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from aiocurl.redact import MASK, MIN_FREE_MASK, is_secret_header, redact_argv


def _nothing() -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Vocabulary:
    """What completion offers; the shell fills it (it knows the flags from click)."""

    commands: Sequence[str]  # cd header query data unset show set curl aiocurl save help exit
    methods: Sequence[str]  # GET POST PUT PATCH DELETE HEAD OPTIONS ...
    flags: Sequence[str]  # every flag, long and short: --follow -F --timeout ...
    header_names: Callable[[], Iterable[str]]  # common names + those seen in responses
    paths: Callable[[], Iterable[str]]  # paths as the user would type them: /users/1
    # The names `unset NAME` can drop: the headers, query and data items kept.
    state_names: Callable[[], Iterable[str]] = _nothing


# Item separators, as the request-item grammar has them (request/items.py).
HEADER_SEPARATORS = (":",)
QUERY_SEPARATORS = ("==", "==@")
DATA_SEPARATORS = ("=", ":=", "@", "=@", ":=@")
ITEM_SEPARATORS = (":", "==", "=", ":=", "@", "=@", ":=@")
_SEPARATOR_CHARS = frozenset(":=@")
_BLANKS = frozenset(" \t\r\n")
# In double quotes a backslash escapes only these, as in a POSIX shell.
_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\')
_SHELL_SPECIAL = frozenset(" \t\r\n'\"\\$`|&;<>()")


@dataclass(frozen=True)
class Word:
    """One word of a typed line: where it stands, its text with the quotes removed, and the
    quote still open at its end (a word being typed), if any."""

    start: int
    end: int
    text: str
    open_quote: str = ""


def split_line(line: str) -> list[Word]:
    """The words of a line as a shell splits them (blanks, quotes, backslashes), leniently:
    an unclosed quote runs to the end of the line, since the word is still being typed."""
    words: list[Word] = []
    index = 0
    while index < len(line):
        if line[index] in _BLANKS:
            index += 1
            continue
        start = index
        chars: list[str] = []
        quote = ""
        while index < len(line):
            char = line[index]
            after = line[index + 1 : index + 2]
            if quote == "'":
                if char == "'":
                    quote = ""
                else:
                    chars.append(char)
            elif quote == '"':
                if char == '"':
                    quote = ""
                elif char == "\\" and after in _DOUBLE_QUOTE_ESCAPES and after:
                    chars.append(after)
                    index += 1
                else:
                    chars.append(char)
            elif char in _BLANKS:
                break
            elif char in "'\"":
                quote = char
            elif char == "\\" and after:
                chars.append(after)
                index += 1
            else:
                chars.append(char)
            index += 1
        words.append(Word(start, index, "".join(chars), quote))
    return words


def masked(line: str) -> str:
    """The line as kept in the history file: credentials masked. The password or token of
    `-a`/`--auth`, `user:pass@` in URLs and `--proxy`, `--cert-key-pass` and any repetition
    of them, as redact.py masks a command line; the values of credential header items
    (`Authorization:Bearer x` → `Authorization:Bearer ***`, Cookie, Set-Cookie, API keys)
    with their scheme kept, as stderr shows them, and the word after an unquoted
    `Authorization:Bearer`; `Authorization:@file` stays, since it names a file. Words
    without a secret keep their spelling."""
    words = split_line(line)
    texts = [word.text for word in words]
    shown, _ = redact_argv(texts)
    for index, text in enumerate(texts):
        item = _credential_item(text)
        if item is None:
            continue
        name, value = item
        scheme = _SCHEME.fullmatch(value)
        if value.startswith(("@", "=@")) or (scheme and index + 1 == len(texts)):
            shown[index] = text  # a file's name, or a scheme with nothing after it
        elif scheme:  # `Authorization:Bearer TOKEN` unquoted: the token is the next word
            token = texts[index + 1]
            if len(token) >= MIN_FREE_MASK:  # repeated elsewhere on the line
                shown = [word.replace(token, MASK) for word in shown]
            shown[index], shown[index + 1] = text, MASK
        else:
            shown[index] = f"{name}:{_scheme_of(value)}{MASK}"
    pieces: list[str] = []
    position = 0
    for word, new in zip(words, shown, strict=True):
        if new != word.text:
            pieces += [line[position : word.start], _requoted(line[word.start : word.end], new)]
            position = word.end
    return "".join(pieces) + line[position:]


# A header item (`Name:value`; a JSON item `name:=…` only when it names a file, `:=@`), and
# the authentication schemes whose name comes before the credentials.
_HEADER_ITEM = re.compile(r"(?P<name>[A-Za-z0-9!#$%&'*+.^_`|~-]+):(?P<value>(?!=[^@]).*)", re.S)
_SCHEME = re.compile(r"(?i)[ \t]*(basic|bearer|digest|token|negotiate|ntlm|dpop|apikey)[ \t]*")
_ALSO_SECRET = frozenset({"set-cookie"})


def _credential_item(text: str) -> tuple[str, str] | None:
    """(name, value) of a header item whose value is a credential."""
    item = _HEADER_ITEM.fullmatch(text)
    if item is None or not item["value"] or not is_secret_header(item["name"], _ALSO_SECRET):
        return None
    return item["name"], item["value"]


def _scheme_of(value: str) -> str:
    """`Bearer ` of `Bearer TOKEN`: the scheme is no secret, and it says what was there."""
    first, blank, rest = value.strip().partition(" ")
    return f"{first} " if blank and rest.strip() and _SCHEME.fullmatch(first) else ""


def _requoted(typed: str, text: str) -> str:
    """`text` in place of the word typed as `typed`: in the same quotes if it was wholly
    quoted, bare if it needs no quotes, else quoted for a shell."""
    wholly_quoted = len(typed) > 1 and typed[0] == typed[-1] and typed[0] in "'\""
    if wholly_quoted and not _DOUBLE_QUOTE_ESCAPES.union("'").intersection(text):
        return f"{typed[0]}{text}{typed[0]}"
    return _quoted_if_needed(text)


def _quoted_if_needed(text: str) -> str:
    return shlex.quote(text) if not text or any(c in _SHELL_SPECIAL for c in text) else text


class ShellCompleter(Completer):
    """Completion on what is typed before the cursor, by the word's place in the line."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._words = vocabulary
        self._commands = {command.lower() for command in vocabulary.commands}
        self._methods = {method.lower() for method in vocabulary.methods}

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        before = document.text_before_cursor
        words = split_line(before)
        if words and words[-1].end == len(before):
            current, finished = words[-1], [word.text for word in words[:-1]]
        else:  # after a blank: a new word, nothing typed of it yet
            current, finished = Word(len(before), len(before), ""), [word.text for word in words]
        typed = before[current.start :]
        seen: set[str] = set()
        for text, meta in self._candidates(finished, current.text):
            if text not in seen:
                seen.add(text)
                yield Completion(
                    _replacement(typed, current, text),
                    start_position=-len(typed),
                    display=text,
                    display_meta=meta,
                )

    def _candidates(self, finished: list[str], word: str) -> Iterator[tuple[str, str]]:
        if not finished:
            if _is_target(word):
                yield from self._paths(word)
            else:
                yield from self._first_words(word)
            return
        first = finished[0].lower()
        if first in self._commands:
            yield from self._command_argument(first, finished[1:], word)
        elif word.startswith("-"):
            yield from self._flags(word)
        elif _is_target(word) or self._at_target(first, finished[1:], word):
            yield from self._paths(word)
        else:
            yield from self._items(word, ITEM_SEPARATORS, headers=True)

    def _at_target(self, first: str, arguments: list[str], word: str) -> bool:
        """After a method and flags only (`get -v `), the next word is where a path goes."""
        return first in self._methods and not word and all(a.startswith("-") for a in arguments)

    def _first_words(self, word: str) -> Iterator[tuple[str, str]]:
        """Commands as they are, methods in capitals, or in lower case if typed so: a user
        who types `po` means `post`, and Tab then inserts only what is missing."""
        lowered = word.lower()
        for command in self._words.commands:
            if command.lower().startswith(lowered):
                yield command, "command"
        lower_case = bool(word) and word == lowered
        for method in self._words.methods:
            if method.lower().startswith(lowered):
                yield (method.lower() if lower_case else method.upper()), "method"

    def _command_argument(
        self, command: str, arguments: list[str], word: str
    ) -> Iterator[tuple[str, str]]:
        if command == "cd" and not arguments:
            yield from self._paths(word)
        elif command == "header":
            yield from self._items(word, HEADER_SEPARATORS, headers=True)
        elif command == "query":
            yield from self._items(word, QUERY_SEPARATORS, headers=False)
        elif command == "data":
            yield from self._items(word, DATA_SEPARATORS, headers=False)
        elif command == "set" and (word.startswith("-") or not arguments):
            yield from self._flags(word)
        elif command == "unset":
            if not word.startswith("-"):
                lowered = word.lower()
                for name in self._words.state_names():
                    if name.lower().startswith(lowered):
                        yield name, "kept"
            yield from self._flags(word, extra=("--all",))
        elif command == "help" and not arguments:
            yield from ((c, "command") for c in self._words.commands if c.startswith(word))

    def _flags(self, word: str, extra: Sequence[str] = ()) -> Iterator[tuple[str, str]]:
        for flag in (*extra, *self._words.flags):
            if flag.startswith(word or "-"):
                yield flag, "flag"

    def _paths(self, word: str) -> Iterator[tuple[str, str]]:
        for path in self._words.paths():
            if path.startswith(word):
                yield path, "path"

    def _items(
        self, word: str, separators: Sequence[str], *, headers: bool
    ) -> Iterator[tuple[str, str]]:
        """Header names followed by `:`; a name that is none of them, followed by each
        separator of its kind. A word that has its separator already is a value: nothing."""
        if _SEPARATOR_CHARS.intersection(word):
            return
        names = list(self._header_names(word)) if headers else []
        for name in names:
            yield f"{name}:", "header"
        if word and not names:
            for separator in separators:
                yield f"{word}{separator}", "item"

    def _header_names(self, word: str) -> Iterator[str]:
        """The names starting with `word`, whatever its case, each once."""
        lowered = word.lower()
        given: set[str] = set()
        for name in self._words.header_names():
            if name.lower().startswith(lowered) and name.lower() not in given:
                given.add(name.lower())
                yield name


def _is_target(word: str) -> bool:
    """A path or a URL: what the paths vocabulary offers."""
    return word.startswith("/") or word.lower().startswith(("http://", "https://"))


def _replacement(typed: str, word: Word, text: str) -> str:
    """What replaces the word typed so far: inside the quote the user opened, if any."""
    if word.open_quote and typed == word.open_quote + word.text:
        return word.open_quote + text
    return _quoted_if_needed(text)


class MaskedFileHistory(FileHistory):
    """A history file whose lines are stored with their credentials masked. Arrow-up in the
    same session still recalls the line as typed. A file that cannot be written loses the
    line, never the shell."""

    def store_string(self, string: str) -> None:
        with contextlib.suppress(OSError):
            super().store_string(masked(string))


def open_history(path: Path | None) -> History:
    """The history at `path` (its directory made, the file 0600: it holds URLs and
    headers), or one kept in memory when there is no path or it cannot be made."""
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(path, 0o600)  # an older file, or a umask, may have left it readable
    except OSError:
        return InMemoryHistory()
    return MaskedFileHistory(path)


_STYLE = Style.from_dict({"location": "ansicyan", "status": "ansired bold"})


def prompt_message(location: str, status: int | None, *, colors: bool) -> str | FormattedText:
    """`http://127.0.0.1:8080/users [4]> `: the status only when the last request's was
    not 0."""
    shown = f" [{status}]" if status else ""
    if not colors:
        return f"{location}{shown}> "
    return FormattedText([("class:location", location), ("class:status", shown), ("", "> ")])


def _key_bindings() -> KeyBindings:
    """prompt_toolkit's emacs keys, and Enter in a Ctrl-R search running the line found, as
    readline does (prompt_toolkit's own Enter only ends the search)."""
    bindings = KeyBindings()
    bindings.add("enter")(accept_search_and_accept_input)
    return bindings


class ShellPrompt:
    """The line editor, made when the first line is read: until then nothing touches the
    terminal (prompt_toolkit warns at once when stdin is not one)."""

    def __init__(self, vocabulary: Vocabulary, history_path: Path | None, *, colors: bool) -> None:
        self._colors = colors
        self._history = open_history(history_path)
        self._completer = ShellCompleter(vocabulary)
        self._session: PromptSession[str] | None = None

    async def read(self, location: str, status: int | None) -> str | None:
        """One typed line. `location` (the current URL) is shown in the prompt, and `status`
        when it is not None and not 0 (the last request's exit status). Ctrl-C at the prompt
        clears the line and returns "" (the shell then just prompts again); Ctrl-D on an
        empty line returns None."""
        if self._session is None:
            self._session = self._new_session()
        message = prompt_message(location, status, colors=self._colors)
        try:
            return await self._session.prompt_async(message)
        except KeyboardInterrupt:
            return ""
        except EOFError:
            return None

    def _new_session(self) -> PromptSession[str]:
        return PromptSession(
            history=self._history,
            completer=self._completer,
            complete_while_typing=False,  # Tab completes
            enable_history_search=False,  # arrow-up walks the history; Ctrl-R searches it
            editing_mode=EditingMode.EMACS,
            key_bindings=_key_bindings(),
            mouse_support=False,
            style=_STYLE,
            include_default_pygments_style=False,
            color_depth=None if self._colors else ColorDepth.MONOCHROME,
        )

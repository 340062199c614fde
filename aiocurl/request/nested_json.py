"""HTTPie 3's nested JSON syntax: data item keys like `a[b][]` and `[0][k]` build the body.

A key is a root (a name, or `[n]` / `[]` for a top-level array) followed by bracketed steps:
`[name]` sets a key on an object, `[n]` an index in an array (gaps filled with null), `[]`
appends. `\\[` and `\\]` make a bracket part of a name; `[\\1]` is the string key "1". Items
apply in order, so a later `a=2` replaces an earlier `a=1` (as HTTPie does).

Pure: parsing then assigning into a document; errors carry a caret under the bad character.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, NamedTuple

from aiocurl.errors import UsageError

# Gaps before an index are filled with nulls; a typo like `a[99999999999]` must not eat memory.
MAX_INDEX = 1_000_000

# The characters items.py unescapes after a backslash (`\\` included): must match its set.
_ITEM_ESCAPES = frozenset(":=@;\\")
_BRACKETS = "[]"


class NestedJSONError(UsageError):
    """Carries a caret line: `message` is one line; `detail` is two lines, the item and a caret
    under the bad character."""

    def __init__(self, message: str, item: str, position: int) -> None:
        super().__init__(_one_line(message))
        self.item = item
        self.position = max(0, min(position, len(item)))
        self.detail = f"  {_one_line(item)}\n  {' ' * self.position}^"


def build_json(fields: Sequence[tuple[str, str, Any]]) -> Any:
    """fields: (key as typed after escape resolution by items.py, the whole argument as typed
    for errors, value). Returns the JSON document (dict or list). Errors raise NestedJSONError
    pointing at the offending character of the argument (an index into the argument string)."""
    document: Any = None
    owned: set[int] = set()  # containers built here, safe to mutate (values are the caller's)
    for key, arg, value in fields:
        try:
            source = _locate(key, arg)
            steps = _parse(_tokenize(source.chars), source.end)
            document = _assign(document, steps, value, owned, source.text)
        except _Fault as fault:
            raise NestedJSONError(fault.message, arg, fault.position) from None
    return {} if document is None else document


class _Fault(Exception):
    """Internal: a problem at a position of the key, turned into NestedJSONError at the edge."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# -- Locating the key in the argument ------------------------------------------------------


class _Char(NamedTuple):
    text: str
    position: int  # index into _Source.text
    literal: bool  # escaped by items.py (`\\`, `\=` ...): plain text, never syntax


class _Source(NamedTuple):
    chars: list[_Char]
    end: int  # where the key ends in `text` (the separator, normally)
    text: str  # what positions index: the argument, or the key if it cannot be found there


def _locate(key: str, arg: str) -> _Source:
    """Map the key's characters back onto the argument, which still has items.py's escapes.

    Working from the argument lets `\\\\[` mean a literal backslash before a bracket, as in
    HTTPie, and puts carets under the right character. If the key is not the argument's
    prefix (a caller's quirk), fall back to the key itself.
    """
    chars: list[_Char] = []
    i = 0
    while i < len(arg) and len(chars) < len(key):
        if arg[i] == "\\" and i + 1 < len(arg) and arg[i + 1] in _ITEM_ESCAPES:
            chars.append(_Char(arg[i + 1], i, True))
            i += 2
        else:
            chars.append(_Char(arg[i], i, False))
            i += 1
    if "".join(char.text for char in chars) == key:
        return _Source(chars, i, arg)
    return _Source([_Char(c, n, False) for n, c in enumerate(key)], len(key), key)


# -- Tokens: brackets and words ------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "[", "]" or "word"
    text: str
    position: int
    escaped: bool = False  # the word had an escape in it: always a name, never an index


def _tokenize(chars: list[_Char]) -> list[_Token]:
    tokens: list[_Token] = []
    word: list[str] = []
    start = 0
    escaped = False
    i = 0
    while i < len(chars):
        char = chars[i]
        if _is_bracket(char):
            if word:
                tokens.append(_Token("word", "".join(word), start, escaped))
                word, escaped = [], False
            tokens.append(_Token(char.text, char.text, char.position))
            i += 1
            continue
        if not word:
            start = char.position
        if _starts_escape(chars, i):
            word.append(chars[i + 1].text)
            escaped = True
            i += 2
            continue
        word.append(char.text)
        escaped = escaped or char.literal
        i += 1
    if word:
        tokens.append(_Token("word", "".join(word), start, escaped))
    return tokens


def _is_bracket(char: _Char) -> bool:
    return not char.literal and char.text in _BRACKETS


def _starts_escape(chars: list[_Char], i: int) -> bool:
    """A bare backslash before a bracket or another backslash makes that character literal."""
    if chars[i].literal or chars[i].text != "\\" or i + 1 >= len(chars):
        return False
    following = chars[i + 1]
    return not following.literal and following.text in "[]\\"


def _word_value(token: _Token) -> int | str:
    """An index, or a name. Like HTTPie: whatever int() accepts is an index; `\\1` is "1"."""
    if token.escaped:
        return token.text
    number = _as_int(token.text)
    if number is not None:
        return number
    if token.text.startswith("\\") and _as_int(token.text[1:]) is not None:
        return token.text[1:]
    return token.text


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:  # not a number, or more digits than Python will convert
        return None


# -- Parsing: tokens to steps --------------------------------------------------------------


class _Action(Enum):
    KEY = "key"
    INDEX = "index"
    APPEND = "append"


class _Step(NamedTuple):
    action: _Action
    position: int  # the step's '[' (or the root name): where type errors point
    key: str = ""
    array_index: int = 0
    index_position: int = 0  # the index itself: where range errors point


class _Cursor:
    """Walks the tokens; at the end, reports the key's end as the position."""

    def __init__(self, tokens: list[_Token], end: int) -> None:
        self.tokens = tokens
        self.end = end
        self.next = 0

    def more(self) -> bool:
        return self.next < len(self.tokens)

    def take(self, kinds: str, expected: str) -> _Token:
        if not self.more():
            raise _Fault(f"expected {expected}", self.end)
        token = self.tokens[self.next]
        if token.kind not in kinds.split():
            raise _Fault(f"expected {expected}", token.position)
        self.next += 1
        return token


def _parse(tokens: list[_Token], end: int) -> list[_Step]:
    cursor = _Cursor(tokens, end)
    steps = [_parse_root(cursor)]
    while cursor.more():
        opening = cursor.take("[", "'['")
        steps.append(_parse_bracket(cursor, opening.position))
    return steps


def _parse_root(cursor: _Cursor) -> _Step:
    if not cursor.more():
        return _Step(_Action.KEY, 0, key="")  # an empty key names "" in an object
    first = cursor.take("word [", "a name or '['")
    if first.kind == "word":
        value = _word_value(first)
        # A number at the root is still a name; keep it as typed ("007" stays "007").
        name = first.text if isinstance(value, int) else value
        return _Step(_Action.KEY, first.position, key=name)
    # A top-level array takes only indices and appends.
    inner = cursor.take("word ]", "an index or ']'")
    if inner.kind == "]":
        return _Step(_Action.APPEND, first.position)
    value = _word_value(inner)
    if not isinstance(value, int):
        raise _Fault("expected an index or ']'", inner.position)
    cursor.take("]", "']'")
    return _Step(_Action.INDEX, first.position, array_index=value, index_position=inner.position)


def _parse_bracket(cursor: _Cursor, position: int) -> _Step:
    inner = cursor.take("word ]", "a name, an index or ']'")
    if inner.kind == "]":
        return _Step(_Action.APPEND, position)
    cursor.take("]", "']'")
    value = _word_value(inner)
    if isinstance(value, int):
        return _Step(_Action.INDEX, position, array_index=value, index_position=inner.position)
    return _Step(_Action.KEY, position, key=value)


# -- Assigning: steps into the document ----------------------------------------------------


def _assign(document: Any, steps: list[_Step], value: Any, owned: set[int], text: str) -> Any:
    if document is None:
        document = _new_container(steps[0].action, owned)
    container = document
    for number, step in enumerate(steps):
        _check_type(container, step, number, text)
        following = steps[number + 1] if number + 1 < len(steps) else None
        if step.action is _Action.APPEND:
            if following is None:
                container.append(value)
                break
            container.append(_new_container(following.action, owned))
            container = container[-1]
            continue
        slot = step.key if step.action is _Action.KEY else _make_room(container, step)
        if following is None:
            container[slot] = value
            break
        container = _descend(container, slot, following.action, owned)
    return document


def _new_container(action: _Action, owned: set[int]) -> Any:
    container: dict[str, Any] | list[Any] = {} if action is _Action.KEY else []
    owned.add(id(container))
    return container


def _make_room(array: list[Any], step: _Step) -> int:
    if step.array_index < 0:
        raise _Fault("an index must not be negative", step.index_position)
    if step.array_index > MAX_INDEX:
        raise _Fault(f"index too large (the limit is {MAX_INDEX})", step.index_position)
    if step.array_index >= len(array):
        array.extend([None] * (step.array_index + 1 - len(array)))
    return step.array_index


def _descend(container: Any, slot: str | int, action: _Action, owned: set[int]) -> Any:
    """The child at `slot`, created if missing or null, copied before we write into a value."""
    child = container.get(slot) if isinstance(container, dict) else container[slot]
    if child is None:
        child = _new_container(action, owned)
    elif isinstance(child, (dict, list)) and id(child) not in owned:
        child = dict(child) if isinstance(child, dict) else list(child)
        owned.add(id(child))
    else:
        return child  # ours already, or a scalar that the next step's type check rejects
    container[slot] = child
    return child


def _check_type(container: Any, step: _Step, number: int, text: str) -> None:
    wanted = dict if step.action is _Action.KEY else list
    if isinstance(container, wanted):
        return
    if number == 0:
        where = f"the top-level {_type_name(container)}"
    else:
        where = f"'{text[: step.position]}', which is {_with_article(_type_name(container))}"
    if step.action is _Action.KEY:
        raise _Fault(f"cannot set key '{step.key}' on {where}", step.position)
    if step.action is _Action.INDEX:
        raise _Fault(f"cannot use index {step.array_index} on {where}", step.position)
    raise _Fault(f"cannot append to {where}", step.position)


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _with_article(name: str) -> str:
    return f"an {name}" if name[:1] in ("a", "e", "i", "o", "u") else f"a {name}"


def _one_line(text: str) -> str:
    """Unprintable characters (newlines, tabs) become '?': one line, carets still aligned."""
    return "".join(c if c.isprintable() else "?" for c in text)

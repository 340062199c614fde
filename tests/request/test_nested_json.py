"""Nested JSON keys, table-driven. Expected documents were recorded from HTTPie 3.2.4
(`http --offline --print=B`) for the same items; deliberate differences are marked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aiocurl.errors import UsageError
from aiocurl.request.items import ItemKind, parse_item
from aiocurl.request.nested_json import MAX_INDEX, NestedJSONError, build_json


def fields(*args: str) -> list[tuple[str, str, Any]]:
    """What the planner passes: items.py's key, the argument, and the (parsed) value."""
    out: list[tuple[str, str, Any]] = []
    for arg in args:
        item = parse_item(arg)
        assert item.kind in (ItemKind.DATA, ItemKind.JSON), arg
        value = json.loads(item.value) if item.kind is ItemKind.JSON else item.value
        out.append((item.key, arg, value))
    return out


BUILT: list[tuple[tuple[str, ...], Any]] = [
    # The HTTPie docs' examples.
    (
        (
            "platform[name]=HTTPie",
            "platform[about][mission]=Make APIs simple and intuitive",
            "platform[about][homepage]=httpie.io",
            "platform[about][homepage]=httpie.io",
            "platform[about][stars]:=54000",
            "platform[apps][]=Terminal",
            "platform[apps][]=Desktop",
            "platform[apps][]=Web",
            "platform[apps][]=Mobile",
        ),
        {
            "platform": {
                "name": "HTTPie",
                "about": {
                    "mission": "Make APIs simple and intuitive",
                    "homepage": "httpie.io",
                    "stars": 54000,
                },
                "apps": ["Terminal", "Desktop", "Web", "Mobile"],
            }
        },
    ),
    (("[]:=1", "[]:=2", "[]:=3"), [1, 2, 3]),
    (
        ("[0][type]=platform", "[0][name]=terminal", "[1][type]=platform", "[1][name]=desktop"),
        [{"type": "platform", "name": "terminal"}, {"type": "platform", "name": "desktop"}],
    ),
    (
        (r"foo\[bar\]:=1", r"baz[\[]:=2", r"baz[\]]:=3"),
        {"foo[bar]": 1, "baz": {"[": 2, "]": 3}},
    ),
    (
        (r"object[\1]=stringified", r"object[\100]=same", "array[1]=indexified"),
        {"object": {"1": "stringified", "100": "same"}, "array": [None, "indexified"]},
    ),
    (("search[type]=id", "search[id]:=1"), {"search": {"type": "id", "id": 1}}),
    (
        (
            "search[type]=platforms",
            "search[platforms][]=Terminal",
            "search[platforms][1]=Desktop",
            "search[platforms][3]=Mobile",
        ),
        {"search": {"type": "platforms", "platforms": ["Terminal", "Desktop", None, "Mobile"]}},
    ),
    (
        (
            "search[type]=platforms",
            'search[platforms]:=["Terminal", "Desktop"]',
            "search[platforms][]=Web",
            "search[platforms][]=Mobile",
        ),
        {"search": {"type": "platforms", "platforms": ["Terminal", "Desktop", "Web", "Mobile"]}},
    ),
    # Objects, appends, indices.
    (("a[b][c]=x", "a[b][d]:=1"), {"a": {"b": {"c": "x", "d": 1}}}),
    (("a[]=x",), {"a": ["x"]}),
    (("a[2]=x",), {"a": [None, None, "x"]}),
    (("a[]=1", "a[]=2", "a[]=3"), {"a": ["1", "2", "3"]}),
    (("a[0]=1", "a[0]=2"), {"a": ["2"]}),
    (("a[0]=1", "a[]=2"), {"a": ["1", "2"]}),
    (("a[5]=1", "a[]=2"), {"a": [None] * 5 + ["1", "2"]}),
    (("a[]=1", "a[3]=2"), {"a": ["1", None, None, "2"]}),
    (("a[2]=1", "a[1][b]=1"), {"a": [None, {"b": "1"}, "1"]}),
    (("a[0]:=null", "a[0][b]=1"), {"a": [{"b": "1"}]}),
    (("a[][]=1", "a[0]=2"), {"a": ["2"]}),
    (("x[0][0][0]=a",), {"x": [[["a"]]]}),
    (("a[][]=1", "a[][]=2"), {"a": [["1"], ["2"]]}),
    (("a[0][0]=1", "a[0][1]=2"), {"a": [["1", "2"]]}),
    (("a[][b]=1", "a[][c]=2"), {"a": [{"b": "1"}, {"c": "2"}]}),
    (("a[0][b]=1", "a[0][c]=2"), {"a": [{"b": "1", "c": "2"}]}),
    (
        ("a[b][0][c][]=1", "a[b][0][c][]=2", "a[b][1]=3"),
        {"a": {"b": [{"c": ["1", "2"]}, "3"]}},
    ),
    # What counts as an index: whatever Python's int() reads, as in HTTPie.
    (("a[01]=1",), {"a": [None, "1"]}),
    (("a[00]=x",), {"a": ["x"]}),
    (("a[-0]=x",), {"a": ["x"]}),
    (("a[ 1]=1",), {"a": [None, "1"]}),
    (("a[1 ]=1",), {"a": [None, "1"]}),
    (("a[+1]=1",), {"a": [None, "1"]}),
    (("a[1_0]=x",), {"a": [None] * 10 + ["x"]}),
    (("a[1a]=1",), {"a": {"1a": "1"}}),
    (("a[1.5]=1",), {"a": {"1.5": "1"}}),
    (("a[b c]=1",), {"a": {"b c": "1"}}),
    (("a b=1",), {"a b": "1"}),
    (("1=x",), {"1": "x"}),
    # Top-level arrays.
    (("[]=1", "[]=2"), ["1", "2"]),
    (("[]:=1", "[]=2"), [1, "2"]),
    (("[0][k]=v",), [{"k": "v"}]),
    (("[1]=1",), [None, "1"]),
    (("[][]=1",), [["1"]]),
    (("[][]=1", "[][]=2"), [["1"], ["2"]]),
    (("[][a]=1", "[][b]=2"), [{"a": "1"}, {"b": "2"}]),
    (("[0]=a", "[]=b", "[5][x]=c"), ["a", "b", None, None, None, {"x": "c"}]),
    (("[5]=x", "[]=y"), [None] * 5 + ["x", "y"]),
    (("[]:=1", '[]:={"a":1}'), [1, {"a": 1}]),
    # A repeated key: the last item wins, whatever was there (HTTPie 3 does the same).
    (("a=1", "a=2"), {"a": "2"}),
    (("a:=1", "a=2"), {"a": "2"}),
    (("a=1", "a:=[2]"), {"a": [2]}),
    (("a:=[1]", "a=2"), {"a": "2"}),
    (("a[]=1", "a=2"), {"a": "2"}),
    (("a[b]=1", "a=2"), {"a": "2"}),
    (("a[b]=1", "a[b]=2"), {"a": {"b": "2"}}),
    (("a[b][c]=1", "a[b]=2"), {"a": {"b": "2"}}),
    # `:=` values nest like built ones.
    (("a:=[1]", "a[]=2"), {"a": [1, "2"]}),
    (("a:=[1]", "a[3]=2"), {"a": [1, None, None, "2"]}),
    # Escapes: `\[` `\]` `\\` are literal; a backslash before anything else is kept, and a
    # backslash before an integer makes it a string key.
    ((r"\[=x",), {"[": "x"}),
    ((r"a\[b=x",), {"a[b": "x"}),
    ((r"a\]=1",), {"a]": "1"}),
    ((r"a[b\]c]=1",), {"a": {"b]c": "1"}}),
    ((r"a[\[]=1",), {"a": {"[": "1"}}),
    ((r"a\b=1",), {"a\\b": "1"}),
    ((r"a[\b]=1",), {"a": {"\\b": "1"}}),
    ((r"\1=1",), {"1": "1"}),
    ((r"a[\1]=x",), {"a": {"1": "x"}}),
    ((r"a[\-1]=x",), {"a": {"-1": "x"}}),
    ((r"a[\01]=x",), {"a": {"01": "x"}}),
    ((r"a[\ 1]=x",), {"a": {" 1": "x"}}),
    ((r"a[x\1]=x",), {"a": {"x\\1": "x"}}),
    ((r"a[\1\[]=x",), {"a": {"\\1[": "x"}}),
    ((r"a[\\1]=x",), {"a": {"\\1": "x"}}),
    ((r"a[\\]=x",), {"a": {"\\": "x"}}),
    ((r"a[b\\]=x",), {"a": {"b\\": "x"}}),
    ((r"a\\=1",), {"a\\": "1"}),
    ((r"a\\\\=x",), {"a\\\\": "x"}),
    ((r"\\[]=x",), {"\\": ["x"]}),
    ((r"a\\[b]=1",), {"a\\": {"b": "1"}}),
    ((r"a\\\[b=1",), {"a\\[b": "1"}),
    # The item parser's own escapes (`\: \= \@ \;`) work inside keys too.
    ((r"a\:b[c]=1",), {"a:b": {"c": "1"}}),
    ((r"a[\:]=1",), {"a": {":": "1"}}),
    ((r"a[\=1]=x",), {"a": {"=1": "x"}}),
    ((r"a[\@1]=x",), {"a": {"@1": "x"}}),
    ((r"a[\;1]=x",), {"a": {";1": "x"}}),
    # Deliberate differences from HTTPie 3.2.4:
    # a number as the root key is kept as typed (HTTPie sends {"1": "x"}, losing "01").
    (("01=x",), {"01": "x"}),
    ((" 1=x",), {" 1": "x"}),
    # a null is replaced like a missing value (HTTPie throws away the rest: {"b": "1"}).
    (("x=1", "a:=null", "a[b]=1"), {"x": "1", "a": {"b": "1"}}),
    # keys set into a `:=` object are sent (HTTPie silently drops them: {"a": {"c": 2}}).
    (('a:={"c":2}', "a[b]=1"), {"a": {"c": 2, "b": "1"}}),
    (('a:={"c":{"d":1}}', "a[c][e]=2"), {"a": {"c": {"d": 1, "e": "2"}}}),
    (("[]:=1", '[]:={"a":1}', "[1][b]=2"), [1, {"a": 1, "b": "2"}]),
]


@pytest.mark.parametrize(("args", "expected"), BUILT, ids=[" ".join(a) for a, _ in BUILT])
def test_build_json(args: tuple[str, ...], expected: Any) -> None:
    assert build_json(fields(*args)) == expected


# (items, message, caret position in the last item: the one that fails)
ERRORS: list[tuple[tuple[str, ...], str, int]] = [
    # Syntax.
    (("a[b=1",), "expected ']'", 3),
    (("a]b=1",), "expected '['", 1),
    (("a[b]c=1",), "expected '['", 4),
    (("[=1",), "expected an index or ']'", 1),
    (("]=1",), "expected a name or '['", 0),
    (("a[=1",), "expected a name, an index or ']'", 2),
    (("a]=1",), "expected '['", 1),
    (("a[]]=1",), "expected '['", 3),
    (("a[[b]]=1",), "expected a name, an index or ']'", 2),
    (("a[b]]=1",), "expected '['", 4),
    (("a[b][=1",), "expected a name, an index or ']'", 5),
    (("a[b]x[c]=1",), "expected '['", 4),
    (("a[]b=1",), "expected '['", 3),
    (("[]a=1",), "expected '['", 2),
    (("[x]=2",), "expected an index or ']'", 1),
    (("[a=1",), "expected an index or ']'", 1),
    (("[]]=1",), "expected '['", 2),
    (("[][=1",), "expected a name, an index or ']'", 3),
    (("x[]]=1",), "expected '['", 3),
    (("a[-1=1",), "expected ']'", 4),
    ((r"a[\\[]=x",), "expected ']'", 4),
    ((r"a[b\]=x",), "expected ']'", 5),
    # Carets land on the argument as typed, escapes and all.
    ((r"a\=b[c=1",), "expected ']'", 6),
    ((r"a\:b[1]x=1",), "expected '['", 7),
    ((r"a\\[b]]=1",), "expected '['", 6),
    # Index range.
    (("a[-1]=1",), "an index must not be negative", 2),
    (("[-1]=x",), "an index must not be negative", 1),
    (("a[0][-1]=x",), "an index must not be negative", 5),
    ((f"a[{MAX_INDEX + 1}]=x",), f"index too large (the limit is {MAX_INDEX})", 2),
    (("a[99999999999]=x",), f"index too large (the limit is {MAX_INDEX})", 2),
    # Types.
    (("a=1", "a[]=2"), "cannot append to 'a', which is a string", 1),
    (("a=1", "a[b]=2"), "cannot set key 'b' on 'a', which is a string", 1),
    (("a[1]=x", r"a[\1]=y"), "cannot set key '1' on 'a', which is an array", 1),
    (("a[b]=1", "a[b][c]=2"), "cannot set key 'c' on 'a[b]', which is a string", 4),
    (("a[b]=1", "a[]=2"), "cannot append to 'a', which is an object", 1),
    (("a[b]=1", "a[2]=2"), "cannot use index 2 on 'a', which is an object", 1),
    (("a[b]=1", "a[-1]=2"), "cannot use index -1 on 'a', which is an object", 1),
    (("a[2]=1", "a[b]=2"), "cannot set key 'b' on 'a', which is an array", 1),
    (("foo[]=1", "foo[x]=2"), "cannot set key 'x' on 'foo', which is an array", 3),
    (("foo[x]=1", "foo[]=2"), "cannot append to 'foo', which is an object", 3),
    (
        ("foo[baz]=quux", "foo[baz][quux]=fail"),
        "cannot set key 'quux' on 'foo[baz]', which is a string",
        8,
    ),
    (("[]=1", "a=2"), "cannot set key 'a' on the top-level array", 0),
    (("[]=1", "1=2"), "cannot set key '1' on the top-level array", 0),
    (("a=2", "[]=1"), "cannot append to the top-level object", 0),
    (("a=2", "[0]=1"), "cannot use index 0 on the top-level object", 0),
    (("a[b]=1", "a[b][]=2"), "cannot append to 'a[b]', which is a string", 4),
    (("[0]=1", "[0][]=2"), "cannot append to '[0]', which is a string", 3),
    (("a:=true", "a[x]=1"), "cannot set key 'x' on 'a', which is a boolean", 1),
    (("a:=1.5", "a[]=1"), "cannot append to 'a', which is a number", 1),
    (("a[b][]=x", "a[b][c]=y"), "cannot set key 'c' on 'a[b]', which is an array", 4),
    ((r"a\\[b]=1", r"a\\[b][c]=2"), r"cannot set key 'c' on 'a\\[b]', which is a string", 6),
]


@pytest.mark.parametrize(
    ("args", "message", "position"), ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS]
)
def test_errors_point_at_the_bad_character(
    args: tuple[str, ...], message: str, position: int
) -> None:
    with pytest.raises(NestedJSONError) as caught:
        build_json(fields(*args))
    error = caught.value
    assert (error.message, error.item, error.position) == (message, args[-1], position)


def test_error_detail_is_the_item_with_a_caret() -> None:
    with pytest.raises(NestedJSONError) as caught:
        build_json(fields("a[b=1"))
    assert caught.value.detail == "  a[b=1\n     ^"
    assert isinstance(caught.value, UsageError)
    assert str(caught.value) == "expected ']'"


def test_error_constructor() -> None:
    error = NestedJSONError("expected ']'", "a[b", 3)
    assert (error.message, error.detail) == ("expected ']'", "  a[b\n     ^")
    assert NestedJSONError("m", "ab", 10).position == 2
    assert NestedJSONError("m", "ab", -3).position == 0


def test_error_lines_stay_single_lines() -> None:
    error = NestedJSONError("bad\nkey", "a\tb\n[", 4)
    assert error.message == "bad?key"
    assert error.detail == "  a?b?[\n      ^"


def test_no_fields_is_an_empty_object() -> None:
    assert build_json([]) == {}


def test_the_largest_index_is_allowed() -> None:
    assert len(build_json(fields(f"a[{MAX_INDEX}]=x"))["a"]) == MAX_INDEX + 1


def test_values_are_not_mutated() -> None:
    value = {"c": {"d": 1}}
    listed = [1]
    result = build_json(
        [
            ("a", "a:=...", value),
            ("b", "b:=...", value),
            ("a[c][e]", "a[c][e]=2", "2"),
            ("l", "l:=...", listed),
            ("l[]", "l[]=2", "2"),
        ]
    )
    assert value == {"c": {"d": 1}} and listed == [1]
    assert result == {"a": {"c": {"d": 1, "e": "2"}}, "b": {"c": {"d": 1}}, "l": [1, "2"]}


def test_a_key_that_is_not_in_the_argument_still_gets_a_caret() -> None:
    with pytest.raises(NestedJSONError) as caught:
        build_json([("a[b", "zz", "v")])
    assert caught.value.position == 2  # clamped to the argument


# -- Properties ----------------------------------------------------------------------------


def data_fields_or_none(args: list[str]) -> list[tuple[str, str, Any]] | None:
    """None unless every argument is a data item (`=` or `:=` with a JSON value)."""
    try:
        items = [parse_item(arg) for arg in args]
    except UsageError:
        return None
    if any(item.kind not in (ItemKind.DATA, ItemKind.JSON) for item in items):
        return None
    try:
        return fields(*args)
    except ValueError:  # a key ending in ':' turned `=v` into `:=v`, which is not JSON
        return None


KEY_TEXT = st.text(alphabet="[[]]\\\\0123456789abz -", min_size=1, max_size=14)
# Pieces that make well-formed paths likely, so that the type checks get exercised too.
KEY_PIECES = ["a", "b", "0", "12", "[", "]", "[]", "[0]", "[2]", "[a]", "[b]", "[\\1]", "[-1]"]
KEY_PIECES += ["\\[", "\\]", "\\\\", "\\", "\\:", " "]
KEY_PATHS = st.lists(st.sampled_from(KEY_PIECES), min_size=1, max_size=6).map("".join)
KEYS = st.one_of(KEY_TEXT, KEY_PATHS)
VALUES = st.sampled_from(["v", 1, None, True, [1], {"x": 1}, ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(KEYS, st.sampled_from(["=v", ":=1", ':={"k":[2]}'])), max_size=4))
def test_typed_items_build_json_or_point_inside_the_argument(
    items: list[tuple[str, str]],
) -> None:
    args = [key + separator for key, separator in items]
    typed = data_fields_or_none(args)
    assume(typed is not None)
    assert typed is not None
    try:
        document = build_json(typed)
    except NestedJSONError as error:
        assert error.item in args
        assert 0 <= error.position < len(error.item)
        assert "\n" not in error.message
    else:
        assert isinstance(document, (dict, list))
        json.dumps(document)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(KEYS, st.text(max_size=16), VALUES), max_size=4))
def test_any_key_and_argument_never_crash(fields_: list[tuple[str, str, Any]]) -> None:
    try:
        document = build_json(fields_)
    except NestedJSONError as error:
        assert 0 <= error.position <= len(error.item)
    else:
        assert isinstance(document, (dict, list))

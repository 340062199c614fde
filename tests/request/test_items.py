"""The request-item grammar, table-driven."""

from __future__ import annotations

import pytest

from aiocurl.errors import UsageError
from aiocurl.request.items import ItemKind, parse_item

K = ItemKind

PARSED = [
    ("X-API:abc", K.HEADER, "X-API", "abc"),
    ("X-API: abc", K.HEADER, "X-API", " abc"),
    ("User-Agent:", K.HEADER_UNSET, "User-Agent", ""),
    ("X-Empty;", K.HEADER_EMPTY, "X-Empty", ""),
    ("X-File:@hdr.txt", K.HEADER_FILE, "X-File", "hdr.txt"),
    ("q==search term", K.QUERY, "q", "search term"),
    ("q==", K.QUERY, "q", ""),
    ("q==@query.txt", K.QUERY_FILE, "q", "query.txt"),
    ("name=ada", K.DATA, "name", "ada"),
    ("name=", K.DATA, "name", ""),
    ("name=@bio.txt", K.DATA_FILE, "name", "bio.txt"),
    ("age:=36", K.JSON, "age", "36"),
    ("tags:=[1, 2]", K.JSON, "tags", "[1, 2]"),
    ("obj:=@data.json", K.JSON_FILE, "obj", "data.json"),
    ("file@./a.png", K.FILE_UPLOAD, "file", "./a.png"),
    ("file@a.txt;type=text/csv", K.FILE_UPLOAD, "file", "a.txt;type=text/csv"),
    ("@body.json", K.RAW_FILE, "", "body.json"),
    # The earliest separator decides; at one position the longest wins.
    ("url==http://x/?a=b", K.QUERY, "url", "http://x/?a=b"),
    ("email=a@b.org", K.DATA, "email", "a@b.org"),
    ("Referer:http://x/?a=b", K.HEADER, "Referer", "http://x/?a=b"),
    ("ratio:=1.5", K.JSON, "ratio", "1.5"),
    ("a=b=c", K.DATA, "a", "b=c"),
    ("X:a;b", K.HEADER, "X", "a;b"),
    # Backslashes make separators literal; elsewhere they are kept.
    (r"foo\:bar:baz", K.HEADER, "foo:bar", "baz"),
    (r"a\=b=c", K.DATA, "a=b", "c"),
    (r"key\==value", K.DATA, "key=", "value"),
    (r"mail\@host=x", K.DATA, "mail@host", "x"),
    (r"path=C:\dir\file", K.DATA, "path", r"C:\dir\file"),
    (r"x=\\", K.DATA, "x", "\\"),
    (r"a\[0]=x", K.DATA, r"a\[0]", "x"),
]


@pytest.mark.parametrize(("arg", "kind", "key", "value"), PARSED)
def test_parse_item(arg: str, kind: ItemKind, key: str, value: str) -> None:
    item = parse_item(arg)
    assert (item.kind, item.key, item.value, item.arg) == (kind, key, value, arg)


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("justtext", "'justtext' is not a request item"),
        ("=value", "has no name before '='"),
        (":value", "has no name before ':'"),
        ("X;junk", "nothing may follow ';'"),
        (r"no\:sep", "is not a request item"),
        ("@", "a file path must follow '@'"),
    ],
)
def test_malformed_items_name_the_argument(arg: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_item(arg)


def test_kind_groups() -> None:
    assert K.HEADER_FILE.is_header and not K.HEADER_FILE.is_data
    assert K.QUERY_FILE.is_query
    assert {k for k in K if k.is_data} == {K.DATA, K.DATA_FILE, K.JSON, K.JSON_FILE, K.FILE_UPLOAD}

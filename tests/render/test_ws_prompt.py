"""The interactive WebSocket prompt's commands, as parsed from a typed line."""

from __future__ import annotations

import pytest

from aiocurl.events import Outgoing
from aiocurl.render.ws_prompt import parse_line


@pytest.mark.parametrize(
    ("line", "sent"),
    [
        ("hello", Outgoing("text", b"hello")),
        ("//slash", Outgoing("text", b"/slash")),
        ("/close", Outgoing("close", code=1000)),
        ("/close 4001 bye now", Outgoing("close", code=4001, reason="bye now")),
        ("/close 1011", Outgoing("close", code=1011)),
        ("/ping hi", Outgoing("ping", b"hi")),
        ("/binary aGk=", Outgoing("binary", b"hi")),
    ],
)
def test_lines_that_send(line: str, sent: Outgoing) -> None:
    assert parse_line(line) == sent


@pytest.mark.parametrize("code", ["5", "1005", "1006", "1015", "2999", "5000", "x"])
def test_close_codes_no_endpoint_may_send(code: str) -> None:
    answer = parse_line(f"/close {code}")
    assert isinstance(answer, str) and answer.startswith("/close: the code must be")


def test_unknown_commands_and_bad_base64_are_explained() -> None:
    assert str(parse_line("/nope")).startswith("unknown command /nope")
    assert parse_line("/binary !!") == "/binary: expected base64 data"

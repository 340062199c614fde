"""Generated command lines sent to the local echo server: a response or a one-line error.

Arguments include bytes that are not UTF-8, as a shell hands them to Python (surrogate
escapes). Every request goes to 127.0.0.1."""

from __future__ import annotations

import os

from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

raw_bytes = st.binary(max_size=6).map(os.fsdecode)  # undecodable bytes become surrogates
word = st.one_of(st.text(max_size=8), raw_bytes)
SEPARATORS = [":", ";", "==", "=", ":=", ":@", "=@"]
item = st.builds(lambda k, s, v: f"{k}{s}{v}", word, st.sampled_from(SEPARATORS), word)
flag = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                "--timeout",
                "--max-redirects",
                "--pretty",
                "--print",
                "--format-options",
                "--style",
                "--retry-on",
                "--response-charset",
                "--max-filesize",
                "-A",
            ]
        ),
        word,
    ).map(list),
    st.sampled_from([["--form"], ["--json"], ["-v"], ["--follow"], ["-h"], ["--check-status"]]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(path=word, items=st.lists(item, max_size=4), flags=st.lists(flag, max_size=3))
def test_generated_argv_gives_a_response_or_one_error_line(
    echo_url: str, path: str, items: list[str], flags: list[list[str]]
) -> None:
    argv = [part for pair in flags for part in pair]
    result = run_cli(*argv, "--ignore-netrc", f"{echo_url}/anything/{path}", "--", *items)
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr, result.stderr
    if result.exit_status != 0:
        assert result.exit_status in (1, 3, 4, 5), result.stderr
        if result.exit_status == 1:
            first = result.stderr.splitlines()[0] if result.stderr else ""
            assert first.startswith("aiocurl: error: "), result.stderr

"""Generated command lines: every outcome is a request or an error message, never a traceback."""

from __future__ import annotations

from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEPARATORS = [":", ";", "==", "=", ":=", "@", ":@", "==@", "=@", ":=@"]
name = st.text(alphabet=st.sampled_from(list('ab1[]\\-_:=@; .{}"')), max_size=8)
value = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["1", "true", "[1,2]", '{"k": null}', "{", "x]", "/dev/null", "3x"]),
)
item = st.builds(lambda n, s, v: f"{n}{s}{v}", name, st.sampled_from(SEPARATORS), value)
flags = st.lists(
    st.sampled_from(["--form", "--multipart", "--json", "-x", "--chunked", "-v", "--raw=r", "-I"]),
    max_size=3,
    unique=True,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flags=flags, items=st.lists(item, max_size=5))
def test_any_items_give_a_request_or_an_error(flags: list[str], items: list[str]) -> None:
    result = run_cli("--offline", *flags, "POST", "example.org/x", "--", *items)
    assert result.exit_status in (0, 1)
    assert "Traceback" not in result.stderr
    if result.exit_status == 0:
        assert result.stdout.startswith(b"POST /x") or "-v" not in flags
    else:
        assert result.stderr.startswith("aiocurl: error: ")
        assert "unexpected" not in result.stderr, result.stderr

"""A command line's flags told apart from its positionals, by what each flag takes."""

from __future__ import annotations

import pytest

from aiocurl.cli.flag_words import canonical, flag_names, split_words
from aiocurl.errors import UsageError


def test_flags_with_values_take_the_next_word() -> None:
    words = split_words(["get", "/x", "--timeout", "5", "-F", "a==1", "--print=hb", "-a", "u:p"])
    assert words.positionals == ["get", "/x", "a==1"]
    assert words.flags == [["--timeout", "5"], ["-F"], ["--print=hb"], ["-a", "u:p"]]


def test_short_clusters_stop_at_the_flag_that_takes_a_value() -> None:
    assert split_words(["-vFaada:pw", "x"]).flags == [["-v"], ["-F"], ["-a", "ada:pw"]]
    assert split_words(["-va", "ada:pw", "x"]).flags == [["-v"], ["-a", "ada:pw"]]


def test_after_a_double_dash_all_is_positional() -> None:
    assert split_words(["--", "-x"]).positionals == ["-x"]


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--nope"], "unknown option --nope"),
        (["-Z"], "unknown option -Z"),
        (["--timeout"], "--timeout needs a value"),
    ],
)
def test_mistakes_name_the_flag(words: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        split_words(words)


def test_a_flag_is_known_by_its_long_name() -> None:
    assert canonical("-F") == "--follow"
    assert canonical("--follow") == "--follow"
    assert {"--follow", "-F", "--timeout", "--shell"} <= set(flag_names())

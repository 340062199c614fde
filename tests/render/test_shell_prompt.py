"""The shell's prompt: what Tab offers where, the history file's masking, and the line
editor itself in a real pseudo-terminal (typing, Tab, arrow-up, Ctrl-R, Ctrl-C, Ctrl-D)."""

from __future__ import annotations

import contextlib
import re
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from pseudo_terminal import PtyCommand, pty_command

from aiocurl.render.shell_prompt import (
    ShellCompleter,
    Vocabulary,
    masked,
    open_history,
    prompt_message,
    split_line,
)

COMMANDS = ("cd", "header", "query", "data", "unset", "show", "set", "curl", "aiocurl")
COMMANDS += ("save", "help", "exit")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
VOCABULARY = Vocabulary(
    commands=COMMANDS,
    methods=METHODS,
    flags=("--follow", "-F", "--timeout", "-v", "--verbose", "--form"),
    # As the shell gives them: seen in responses first, then the common ones (a name twice).
    header_names=lambda: ("X-Trace-Id", "Accept", "Accept-Encoding", "accept", "Authorization"),
    paths=lambda: ("/users", "/users/1", "/items"),
    state_names=lambda: ("X-Trace-Id", "page"),
)


def completions(text: str, vocabulary: Vocabulary = VOCABULARY) -> list[str]:
    """What Tab offers at the end of `text`, each as the line would read once chosen."""
    document = Document(text)
    found = ShellCompleter(vocabulary).get_completions(document, CompleteEvent())
    return [text[: len(text) + c.start_position] + c.text for c in found]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("", [*COMMANDS, *METHODS]),
        ("c", ["cd", "curl"]),
        ("G", ["GET"]),
        ("P", ["POST", "PUT", "PATCH"]),
        # Typed in lower case, a method stays so: Tab then only adds what is missing.
        ("po", ["post"]),
        ("d", ["data", "delete"]),
        ("Pa", ["PATCH"]),
        ("/u", ["/users", "/users/1"]),
        ("xyz", []),
    ],
)
def test_the_first_word_is_a_command_a_method_or_a_path(typed: str, offered: list[str]) -> None:
    assert completions(typed) == offered


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("get ", ["get /users", "get /users/1", "get /items"]),
        ("get /users/", ["get /users/1"]),
        ("POST /i", ["POST /items"]),
        ("get -v ", ["get -v /users", "get -v /users/1", "get -v /items"]),  # flags first
        ("cd /u", ["cd /users", "cd /users/1"]),
        ("cd ", ["cd /users", "cd /users/1", "cd /items"]),
        ("get /users --form /i", ["get /users --form /items"]),
    ],
)
def test_paths_after_a_method_and_for_cd(typed: str, offered: list[str]) -> None:
    assert completions(typed) == offered


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("get /users --f", ["get /users --follow", "get /users --form"]),
        ("get /users -", ["get /users --follow", "get /users -F", "get /users --timeout"]),
        ("set ", ["set --follow", "set -F", "set --timeout"]),
        ("set --t", ["set --timeout"]),
        ("set --timeout ", []),  # a flag's value: nothing to offer
        ("unset --", ["unset --all", "unset --follow", "unset --timeout", "unset --verbose"]),
        ("unset p", ["unset page"]),
        ("unset x", ["unset X-Trace-Id"]),
        ("/users --v", ["/users --verbose"]),
    ],
)
def test_flags(typed: str, offered: list[str]) -> None:
    assert completions(typed)[: len(offered)] == offered


def test_unset_offers_what_is_kept_then_the_flags() -> None:
    assert completions("unset ")[:4] == [
        "unset X-Trace-Id",
        "unset page",
        "unset --all",
        "unset --follow",
    ]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        # Header names whatever the case typed, each once, in their usual case.
        ("get /users acc", ["get /users Accept:", "get /users Accept-Encoding:"]),
        ("get /users X-T", ["get /users X-Trace-Id:"]),
        ("get /users x-t", ["get /users X-Trace-Id:"]),
        ("header au", ["header Authorization:"]),
        ("header X-New", ["header X-New:"]),
        ("/users acc", ["/users Accept:", "/users Accept-Encoding:"]),
        # A name that is no header's: it is complete, so its separators follow.
        (
            "post /users age",
            [f"post /users age{s}" for s in (":", "==", "=", ":=", "@", "=@", ":=@")],
        ),
        ("query pa", ["query pa==", "query pa==@"]),
        ("data na", ["data na=", "data na:=", "data na@", "data na=@", "data na:=@"]),
        # A word with its separator is a value: nothing.
        ("post /users name=", []),
        ("get /users Accept:", []),
        ("post /users name:=", []),
        # Inside the quote the user opened, the quote stays open.
        ("get /users 'acc", ["get /users 'Accept:", "get /users 'Accept-Encoding:"]),
        ('get /users "X-T', ['get /users "X-Trace-Id:']),
    ],
)
def test_header_names_and_item_separators(typed: str, offered: list[str]) -> None:
    assert completions(typed) == offered


def test_after_a_path_every_header_name_is_offered() -> None:
    offered = completions("get /users ")
    assert offered == [
        f"get /users {name}:"
        for name in ("X-Trace-Id", "Accept", "Accept-Encoding", "Authorization")
    ]


def test_the_word_under_the_cursor_is_completed_not_the_line_end() -> None:
    document = Document("get /u --follow", cursor_position=len("get /u"))
    found = list(ShellCompleter(VOCABULARY).get_completions(document, CompleteEvent()))
    assert [(c.text, c.start_position) for c in found] == [("/users", -2), ("/users/1", -2)]


def test_commands_that_take_nothing_complete_nothing() -> None:
    assert completions("show ") == []
    assert completions("curl ") == []
    assert completions("help c") == ["help cd", "help curl"]


def test_a_path_that_needs_quotes_is_quoted() -> None:
    vocabulary = Vocabulary(
        commands=(),
        methods=("GET",),
        flags=(),
        header_names=lambda: (),
        paths=lambda: ("/files/a b",),
    )
    assert completions("get /f", vocabulary) == ["get '/files/a b'"]


def test_the_vocabulary_is_asked_at_each_completion() -> None:
    seen: list[str] = []
    vocabulary = Vocabulary(
        commands=(),
        methods=("GET",),
        flags=(),
        header_names=lambda: seen,
        paths=lambda: [f"/{name}" for name in seen],
    )
    assert completions("get /", vocabulary) == []
    seen.append("X-New")
    assert completions("get /", vocabulary) == ["get /X-New"]
    assert completions("get / x", vocabulary) == ["get / X-New:"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("get /users name=ada", ["get", "/users", "name=ada"]),
        ("  get   'a b'  ", ["get", "a b"]),
        ('post "x=\\"q\\"" y\\ z', ["post", 'x="q"', "y z"]),
        ("get 'unclosed wo", ["get", "unclosed wo"]),
        ("a''b", ["ab"]),
    ],
)
def test_lines_are_split_like_a_shell(line: str, words: list[str]) -> None:
    assert [word.text for word in split_line(line)] == words


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("get /x Authorization:Bearer secret-token", "get /x Authorization:Bearer ***"),
        ("get /x 'Authorization: Bearer secret-token'", "get /x 'Authorization:Bearer ***'"),
        ("get /x 'Authorization:Basic YWRhOnB3'", "get /x 'Authorization:Basic ***'"),
        ("header Proxy-Authorization:secret-token", "header Proxy-Authorization:***"),
        ("header 'Cookie:sid=abc; theme=dark'", "header 'Cookie:***'"),
        ("get /x Set-Cookie:sid=abc", "get /x Set-Cookie:***"),
        ("get /x X-API-Key:k3y-value", "get /x X-API-Key:***"),
        ("get /x Authorization:@token.txt", "get /x Authorization:@token.txt"),  # a file
        ("get /x Authorization:", "get /x Authorization:"),  # removes the header
        ("get /x -a ada:s3cret", "get /x -a ada:***"),
        ("get /x --auth ada:s3cret", "get /x --auth ada:***"),
        ("get /x --auth=ada:s3cret", "get /x --auth=ada:***"),
        ("get /x -va ada:s3cret", "get /x -va ada:***"),
        ("get /x -A bearer -a tok3n-value", "get /x -A bearer -a ***"),
        ("set --auth ada:s3cret", "set --auth ada:***"),
        ("get http://ada:s3cret@127.0.0.1/x", "get http://ada:***@127.0.0.1/x"),
        ("cd http://ada:s3cret@127.0.0.1/x", "cd http://ada:***@127.0.0.1/x"),
        (
            "get /x --proxy http:http://ada:s3cret@proxy:3128",
            "get /x --proxy http:http://ada:***@proxy:3128",
        ),
        ("set --cert-key-pass hunter22", "set --cert-key-pass ***"),
        # A secret repeated elsewhere on the line is masked there too.
        ("get /x -a ada:s3cret note=s3cret", "get /x -a ada:*** note=***"),
        ("get /x Authorization:Bearer tok3n n=tok3n", "get /x Authorization:Bearer *** n=***"),
        (
            "get /x Cookie:@jar.txt Authorization:Bearer tok3n",
            "get /x Cookie:@jar.txt Authorization:Bearer ***",
        ),
        ("post /x Authorization:=@claims.json", "post /x Authorization:=@claims.json"),
        # A value that needs quotes keeps the ones it had.
        ('get /x "Authorization:Bearer a&b"  v==1', 'get /x "Authorization:Bearer ***"  v==1'),
    ],
)
def test_history_lines_have_their_credentials_masked(line: str, kept: str) -> None:
    assert masked(line) == kept


@pytest.mark.parametrize(
    "line",
    [
        "get /users",
        "post   /users name=ada age:=36 'bio=a b'  X-Trace-Id:1",
        "header Accept:application/json",
        "cd ..",
        "get /x Authorization",  # a name, no value
        "set --timeout 5",
        "get /x -v --follow",
        "",
        "get 'unclosed",
    ],
)
def test_lines_without_credentials_are_kept_as_typed(line: str) -> None:
    assert masked(line) == line


def test_the_prompt_shows_the_location_and_a_failed_status() -> None:
    assert prompt_message("http://127.0.0.1:8080/users", None, colors=False) == (
        "http://127.0.0.1:8080/users> "
    )
    assert prompt_message("http://127.0.0.1:8080/users", 0, colors=False) == (
        "http://127.0.0.1:8080/users> "
    )
    assert prompt_message("http://127.0.0.1:8080/users", 4, colors=False) == (
        "http://127.0.0.1:8080/users [4]> "
    )
    coloured = prompt_message("http://h/", 4, colors=True)
    assert [text for _, text, *_ in coloured] == ["http://h/", " [4]", "> "]
    assert coloured[1][0] == "class:status"


def test_the_history_file_is_made_private(tmp_path: Path) -> None:
    made = tmp_path / "new" / "aiocurl" / "shell_history"
    open_history(made)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    older = tmp_path / "older_history"
    older.write_text("\n# 2024-01-01\n+get /\n")
    older.chmod(0o644)
    history = open_history(older)
    assert stat.S_IMODE(older.stat().st_mode) == 0o600
    assert list(history.load_history_strings()) == ["get /"]


def test_a_history_that_cannot_be_kept_in_a_file_is_kept_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    history = open_history(blocker / "shell_history")  # its directory cannot be made
    history.append_string("get /")
    assert list(history.get_strings()) == ["get /"]


READER = Path(__file__).with_name("shell_prompt_reader.py")
COLOUR = re.compile(rb"\x1b\[(?:[0-9]+;)*(?:3[0-8]|9[0-7]|4[0-8]|10[0-7])(?:;[0-9]+)*m")


@contextlib.asynccontextmanager
async def reader(history: Path) -> AsyncIterator[PtyCommand]:
    """shell_prompt_reader.py on a terminal, its first prompt drawn."""
    async with pty_command(str(READER), str(history), program=sys.executable) as terminal:
        await terminal.wait_for(b"/step1>")
        yield terminal


async def test_typing_tab_ctrl_c_and_ctrl_d_in_a_terminal(tmp_path: Path) -> None:
    """Each prompt names its step; it is drawn once the terminal is in raw mode, so a
    control key typed after it reaches the prompt, not the terminal's line discipline."""
    async with reader(tmp_path / "history") as terminal:
        terminal.type(b"get /fail!\r")
        await terminal.wait_for(b"read 'get /fail!'")
        await terminal.wait_for(b"/step2 [4]>")  # the status of the last request
        terminal.type(b"get /users --fo\t")
        # Tab completes in the background: Enter waits until the rest of the flag is drawn
        # (the whole line, or only what changed).
        await terminal.wait_for(b"llow")
        terminal.type(b"\r")
        await terminal.wait_for(b"read 'get /users --follow'")
        await terminal.wait_for(b"/step3>")
        terminal.type(b"half typed\x03")  # Ctrl-C abandons the line
        await terminal.wait_for(b"read ''")
        await terminal.wait_for(b"/step4>")
        terminal.type(b"abc\x04\r")  # Ctrl-D on a line with text does not leave
        await terminal.wait_for(b"read 'abc'")
        await terminal.wait_for(b"/step5>")
        terminal.type(b"\x04")
        await terminal.wait_for(b"end")
        assert await terminal.exit_status() == 0
    output = bytes(terminal.output)
    assert b"/step3 [" not in output  # a status of 0 is not shown
    assert b"Traceback" not in output
    assert b"WARNING" not in output
    assert not COLOUR.search(output)  # colors=False: a plain prompt


async def test_history_in_a_terminal_and_in_its_file(tmp_path: Path) -> None:
    history = tmp_path / "config" / "aiocurl" / "shell_history"
    async with reader(history) as terminal:
        terminal.type(b"get /x Authorization:Bearer secret-token\r")
        await terminal.wait_for(b"/step2>")
        terminal.type(b"post /users name=ada\r")
        await terminal.wait_for(b"/step3>")
        terminal.type(b"\x1b[A\r")  # arrow-up: the line before
        await terminal.wait_for(b"read 'post /users name=ada'\r\n")
        await terminal.wait_for(b"/step4>")
        terminal.type(b"\x12secret")  # Ctrl-R, then what to find
        await terminal.wait_for(b"reverse-i-search")
        terminal.type(b"\r")  # runs the line found, as readline does
        await terminal.wait_for(b"/step5>")
        terminal.type(b"\x04")
        assert await terminal.exit_status() == 0
    read = re.findall(rb"read '([^']*)'", bytes(terminal.output))
    assert read == [
        b"get /x Authorization:Bearer secret-token",
        b"post /users name=ada",
        b"post /users name=ada",
        b"get /x Authorization:Bearer secret-token",  # this session recalls it as typed
    ]
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    kept = history.read_text()
    assert "secret-token" not in kept
    assert kept.count("+get /x Authorization:Bearer ***\n") == 2
    assert "+post /users name=ada\n" in kept

    async with reader(history) as terminal:  # the next session recalls the masked line
        terminal.type(b"\x1b[A\r")
        await terminal.wait_for(b"/step2>")
        terminal.type(b"\x04")
        assert await terminal.exit_status() == 0
    assert b"read 'get /x Authorization:Bearer ***'" in bytes(terminal.output)

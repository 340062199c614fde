"""--help in topics (rich-click), and shell completion through click's protocol."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from helpers import run_cli

from aiocurl.cli.command import command
from aiocurl.cli.completion import complete_session, session_names
from aiocurl.cli.flags import OTHER, TOPICS
from aiocurl.cli.help import option_groups


def aiocurl(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    executable = shutil.which("aiocurl")
    assert executable
    variables = {**os.environ, "COLUMNS": "100", **(env or {})}
    done = subprocess.run(
        [executable, *argv], capture_output=True, text=True, env=variables, cwd=cwd, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout


def test_every_option_is_in_exactly_one_group() -> None:
    grouped = [name for group in option_groups(command) for name in group.get("options", [])]
    options = [p.opts[0] for p in command.params if isinstance(p, click.Option)]
    assert sorted(grouped) == sorted([*options, "--help"])
    assert len(grouped) == len(set(grouped))
    other = next(group for group in option_groups(command) if group.get("name") == OTHER)
    # Only click's own options fall outside a flag group.
    assert {"--version", "--help"} <= set(other.get("options", []))
    assert set(other.get("options", [])) <= {"--version", "--help", "--from-curl", "--traceback"}


def test_help_shows_the_topics_in_order_and_examples() -> None:
    text = aiocurl("--help")
    positions = [text.index(f"─ {topic} ─") for topic in TOPICS]
    assert positions == sorted(positions)
    network = text[text.index("─ Network ─") : text.index("─ Retries and safety ─")]
    for flag in ("--timeout", "--verify", "--proxy", "--follow", "--resolve"):
        assert flag in network
    assert "Examples:" in text and "aiocurl --base-url https://api.example/v2 /users" in text
    assert "--base-url" in text[text.index("─ Sessions and config ─") :]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _aiocurl_completion aiocurl"),
        ("zsh", "#compdef aiocurl"),
        ("fish", "complete --no-files --command aiocurl"),
    ],
)
def test_completion_scripts(shell: str, marker: str) -> None:
    result = run_cli("--completion", shell)
    assert result.exit_status == 0 and result.stderr == ""
    assert marker in result.text and f"_AIOCURL_COMPLETE={shell}_complete" in result.text


def test_an_unknown_shell_is_refused() -> None:
    result = run_cli("--completion", "tcsh")
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: --completion: 'tcsh' is not one of")


def complete(words: str, *, shell: str = "bash", cwd: Path | None = None) -> list[str]:
    """What aiocurl answers a shell asking for the last word of `words` (empty after a
    space), as click's scripts ask."""
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    if shell == "fish":  # fish passes the word being completed itself
        cword = "" if words.endswith(" ") else words.split()[-1]
    env = {"_AIOCURL_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    lines = [line for line in aiocurl(env=env, cwd=cwd).splitlines() if line]
    if not lines:
        return []
    if shell == "zsh" or (shell == "fish" and "," not in lines[0]):
        return lines[1::3]  # type, value, help: three lines each (fish before click 8.5)
    return [line.split(",", 1)[1].split("\t", 1)[0] for line in lines]  # type,value[\thelp]


def test_completion_of_flags() -> None:
    assert complete("aiocurl --ti") == ["--timing", "--timeout"]
    assert complete("aiocurl --base", shell="zsh") == ["--base-url"]


def test_completion_of_methods_only_as_the_first_word() -> None:
    assert complete("aiocurl P") == ["POST", "PUT", "PATCH"]
    assert complete("aiocurl de") == ["DELETE"]
    assert complete("aiocurl GET example.org P") == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("aiocurl --pretty ", ["all", "colors", "format", "none"]),
        ("aiocurl --auth-type ", ["basic", "digest", "bearer"]),
        ("aiocurl --ssl tls1.", ["tls1.2", "tls1.3"]),
        ("aiocurl --completion ", ["bash", "zsh", "fish"]),
    ],
)
def test_completion_of_choices(words: str, expected: list[str]) -> None:
    assert complete(words) == expected


def test_completion_of_files_after_at(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text("{}")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "photo.png").write_bytes(b"")
    (tmp_path / ".hidden").write_text("")
    assert complete("aiocurl POST x doc:=@d", cwd=tmp_path) == ["doc:=@data.json", "doc:=@dir/"]
    assert complete("aiocurl POST x f@dir/", cwd=tmp_path) == ["f@dir/photo.png"]
    assert complete("aiocurl POST x Token:@", cwd=tmp_path) == ["Token:@data.json", "Token:@dir/"]
    assert complete("aiocurl POST x @.h", cwd=tmp_path, shell="fish") == ["@.hidden"]


def make_sessions(root: Path) -> None:
    for host, name in [("api.example_443", "dev"), ("localhost_8080", "dev"), ("x_80", "prod")]:
        (root / "sessions" / host).mkdir(parents=True, exist_ok=True)
        (root / "sessions" / host / f"{name}.json").write_text("{}")
    (root / "sessions" / "x_80" / "notes.txt").write_text("")


def test_session_names(tmp_path: Path) -> None:
    make_sessions(tmp_path)
    env = {"AIOCURL_CONFIG_DIR": str(tmp_path)}
    assert session_names(env) == ["dev", "prod"]
    assert session_names(env, "p") == ["prod"]
    assert session_names({"AIOCURL_CONFIG_DIR": str(tmp_path / "none")}) == []


def test_completing_a_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_sessions(tmp_path)
    monkeypatch.setenv("AIOCURL_CONFIG_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    option = click.Option(["--session"])
    ctx = click.Context(command)
    assert [item.value for item in complete_session(ctx, option, "d")] == ["dev"]
    assert [item.value for item in complete_session(ctx, option, "./s")] == ["./sessions/"]

"""config.json's default_options: put before the command line's flags, which still win;
--no-config; a broken file is one line naming it; the config directory's rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from aiocurl.config_dir import config_dir


def write_config(directory: Path, content: object) -> Path:
    path = directory / "config.json"
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text)
    return path


def in_dir(directory: Path) -> dict[str, str]:
    return {"AIOCURL_CONFIG_DIR": str(directory)}


def test_default_options_apply(tmp_path: Path, echo_url: str) -> None:
    write_config(tmp_path, {"default_options": ["--check-status", "--print=h"]})
    result = run_cli(f"{echo_url}/status/404", env=in_dir(tmp_path))
    assert result.exit_status == 4  # --check-status came from the config
    assert result.stdout.startswith(b"HTTP/1.1 404") and b"{" not in result.stdout


def test_a_flag_on_the_command_line_wins(tmp_path: Path, echo_url: str) -> None:
    write_config(tmp_path, {"default_options": ["--print=h"]})
    result = run_cli("--print=b", f"{echo_url}/get", "a==1", env=in_dir(tmp_path))
    assert result.exit_status == 0
    assert json.loads(result.stdout)["args"] == {"a": "1"}


def test_no_config_ignores_the_file(tmp_path: Path, echo_url: str) -> None:
    write_config(tmp_path, {"default_options": ["--check-status"]})
    result = run_cli("--no-config", f"{echo_url}/status/404", env=in_dir(tmp_path))
    assert result.exit_status == 0


def test_an_empty_config_directory_means_no_defaults(tmp_path: Path, echo_url: str) -> None:
    result = run_cli("--print=b", f"{echo_url}/get", env=in_dir(tmp_path))
    assert result.exit_status == 0 and result.stderr == ""


def test_other_keys_are_left_alone(tmp_path: Path) -> None:
    write_config(tmp_path, {"__meta__": {"about": "HTTPie"}, "default_options": []})
    result = run_cli("--offline", "example.org", env=in_dir(tmp_path))
    assert result.exit_status == 0 and result.stdout.startswith(b"GET / HTTP/1.1")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "it is not valid JSON (Expecting property name"),
        ('["--follow"]', "expected a JSON object"),
        ({"default_options": "--follow"}, "default_options must be a list of strings"),
        ({"default_options": ["--follow", 3]}, "default_options[1] must be a string, got 3"),
        ({"default_options": ["--nope"]}, "default_options: unknown option --nope"),
        ({"default_options": ["--timeout"]}, "default_options: Option '--timeout' requires"),
        ({"default_options": ["--pretty=loud"]}, "default_options: --pretty:"),
        ({"default_options": ["GET"]}, "default_options: 'GET' is not an option"),
        ({"default_options": ["--help"]}, "--help cannot be a default option"),
    ],
)
def test_an_invalid_config_is_one_line_naming_the_file(
    tmp_path: Path, content: object, problem: str
) -> None:
    path = write_config(tmp_path, content)
    result = run_cli("--offline", "example.org", env=in_dir(tmp_path))
    assert result.exit_status == 1 and result.stdout == b""
    assert result.stderr.startswith(f"aiocurl: error: config file {str(path)!r}: {problem}")
    assert result.stderr.count("\n") == 1


def test_an_unreadable_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.json").mkdir()
    result = run_cli("--offline", "example.org", env=in_dir(tmp_path))
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: config file {str(tmp_path / 'config.json')!r}: "
        "cannot be read: is a directory\n"
    )


def test_help_and_completion_do_not_read_a_broken_config(tmp_path: Path) -> None:
    write_config(tmp_path, "{broken")
    env = {**os.environ, "AIOCURL_CONFIG_DIR": str(tmp_path)}
    executable = shutil.which("aiocurl")
    assert executable
    for argv in (["--help"], ["--version"], ["--follow", "--version"], ["--completion", "zsh"]):
        done = subprocess.run([executable, *argv], capture_output=True, env=env, timeout=60)
        assert (done.returncode, done.stderr) == (0, b""), argv


def test_reading_the_config_imports_neither_aiohttp_nor_rich(tmp_path: Path) -> None:
    write_config(tmp_path, {"default_options": ["--follow", "--style=monokai"]})
    code = (
        "import os, sys\n"
        f"os.environ['AIOCURL_CONFIG_DIR'] = {str(tmp_path)!r}\n"
        "from aiocurl.cli.main import main\n"
        "assert main(['--offline', 'example.org']) == 0\n"
        "print(sorted(m for m in ('aiohttp', 'rich', 'yarl') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AIOCURL_CONFIG_DIR": "/c", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/c"),
        ({"AIOCURL_CONFIG_DIR": "", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/aiocurl"),
        ({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/aiocurl"),
        ({"HOME": "/h"}, "/h/.config/aiocurl"),
    ],
)
def test_the_config_directory(env: dict[str, str], expected: str) -> None:
    assert config_dir(env) == Path(expected)

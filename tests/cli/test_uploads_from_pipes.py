"""Uploads from files whose size says nothing: /proc files, FIFOs, `<(command)`, empty files.

Each is sent whole, framed by what it really holds: virtual files are read first, pipes are
streamed chunked until their end, in a raw body and as a multipart part alike.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Result, run_cli

PAYLOAD = b"line one\nline two\n" * 5000  # 90 KB: more than one pipe buffer


def received(result: Result) -> dict[str, Any]:
    assert result.exit_status == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[str]:
    """A named pipe with a writer that sends PAYLOAD once the command opens it."""
    path = tmp_path / "fifo"
    os.mkfifo(path)

    def write() -> None:
        with open(path, "wb") as handle:
            handle.write(PAYLOAD)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    yield str(path)
    writer.join(timeout=10)


@pytest.fixture
def fd_path() -> Iterator[str]:
    """What `<(command)` gives: /dev/fd/N, the read end of a pipe."""
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb") as handle:
            handle.write(PAYLOAD)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    yield f"/dev/fd/{read_end}"
    writer.join(timeout=10)
    os.close(read_end)


def test_a_proc_file_is_sent_whole_with_its_real_length(echo_url: str) -> None:
    assert os.path.getsize("/proc/version") == 0  # what made it go out empty
    expected = Path("/proc/version").read_text()
    body = received(run_cli("-b", "PUT", f"{echo_url}/put", "@/proc/version"))
    assert body["data"] == expected
    assert body["headers"]["Content-Length"] == str(len(expected.encode()))


@pytest.mark.parametrize("source", ["fifo", "fd_path"])
def test_a_pipe_is_streamed_chunked_until_its_end(
    echo_url: str, source: str, request: pytest.FixtureRequest
) -> None:
    path = request.getfixturevalue(source)
    body = received(run_cli("-b", "PUT", f"{echo_url}/put", f"@{path}"))
    assert body["data"].encode() == PAYLOAD
    assert body["headers"].get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in body["headers"]


def test_a_pipe_as_a_multipart_part_keeps_the_framing(echo_url: str, fifo: str) -> None:
    body = received(run_cli("-b", "-f", "POST", f"{echo_url}/post", f"f@{fifo}", "after=1"))
    assert body["files"]["f"].encode() == PAYLOAD
    assert body["form"] == {"after": "1"}  # the field after the part was not swallowed


def test_verbose_does_not_read_the_pipe_before_sending(echo_url: str, fifo: str) -> None:
    result = run_cli("-v", "PUT", f"{echo_url}/put", f"@{fifo}")
    assert result.exit_status == 0, result.stderr
    assert f"[{fifo}, streamed]" in result.text
    response = result.text[result.text.index("HTTP/1.1 200") :]
    assert json.loads(response[response.index("{") :])["data"].encode() == PAYLOAD


def test_an_empty_regular_file_is_an_empty_body(echo_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    body = received(run_cli("-b", "PUT", f"{echo_url}/put", f"@{empty}"))
    assert body["data"] == "" and body["headers"]["Content-Length"] == "0"


def test_an_unreadable_pipe_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("--offline", "PUT", "h", f"@{tmp_path}/missing-fifo")
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: cannot read ") and "no such file" in (
        result.stderr
    )


@pytest.mark.parametrize("item", ["@{dir}", "f@{dir}"])
def test_a_directory_is_not_a_body(tmp_path: Path, item: str) -> None:
    result = run_cli("--offline", "-f", "PUT", "h", item.format(dir=tmp_path))
    assert result.exit_status == 1
    assert result.stderr == f"aiocurl: error: cannot read {str(tmp_path)!r}: is a directory\n"


def test_a_sys_file_that_overstates_its_size_is_streamed(echo_url: str) -> None:
    path = Path("/sys/devices/system/cpu/online")
    assert path.stat().st_size == 4096 and path.stat().st_blocks == 0  # what made it hang
    expected = path.read_text()
    body = received(run_cli("-b", "PUT", f"{echo_url}/put", f"@{path}"))
    assert body["data"] == expected and body["headers"]["Transfer-Encoding"] == "chunked"
    form = received(run_cli("-b", "-f", "POST", f"{echo_url}/post", f"f@{path}", "x=1"))
    assert form["files"]["f"] == expected and form["form"] == {"x": "1"}


def test_a_fifo_without_a_writer_still_obeys_max_time(echo_url: str, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "silent")
    result = run_cli("--max-time", "0.3", "PUT", f"{echo_url}/put", f"@{tmp_path}/silent")
    assert result.exit_status == 2, result.stderr
    assert result.stderr.startswith("aiocurl: error: ") and "(--max-time)" in result.stderr


def test_a_sparse_file_keeps_its_length(echo_url: str, tmp_path: Path) -> None:
    sparse = tmp_path / "sparse.bin"
    with open(sparse, "wb") as handle:
        handle.truncate(300_000)  # no blocks on disk, yet a real size
    body = received(run_cli("-b", "PUT", f"{echo_url}/put", f"@{sparse}"))
    assert body["headers"]["Content-Length"] == "300000"

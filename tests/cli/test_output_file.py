"""--output FILE: made when the response is complete, checked before anything is sent,
failing in aiocurl's own words, and never written over a partial download by --offline."""

from __future__ import annotations

import asyncio
import resource
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from helpers import arun_cli, hanging_port, run_cli


class Recorder:
    """A raw HTTP server that notes every request head it gets and answers 200 with JSON."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"
            b'Connection: close\r\n\r\n{"ok": true}'
        )
        await writer.drain()
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/post"


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    state = Recorder()
    listener = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield state


# An empty body is still a response: the file is made, and emptied.


@pytest.mark.parametrize("path", ["/status/204", "/bytes/0", "/status/404"])
def test_an_empty_body_empties_the_file(echo_url: str, tmp_path: Path, path: str) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"the previous response")
    result = run_cli("-o", str(target), f"{echo_url}{path}")
    assert result.exit_status == 0, result.stderr
    assert target.read_bytes() == b""


def test_an_empty_body_creates_the_file(echo_url: str, tmp_path: Path) -> None:
    target = tmp_path / "new.bin"
    checked = run_cli("--check-status", "-o", str(target), f"{echo_url}/status/404")
    assert checked.exit_status == 4  # a failing status is still a complete response
    assert target.exists() and target.read_bytes() == b""


def test_a_failed_request_leaves_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"keep me")
    with hanging_port() as port:
        timed_out = run_cli("--connect-timeout", "0.2", "-o", str(target), f"127.0.0.1:{port}/")
    assert timed_out.exit_status == 2, timed_out.stderr
    refused_port = port  # the listener is gone: connecting is refused now
    refused = run_cli("-o", str(target), f"127.0.0.1:{refused_port}/")
    assert refused.exit_status == 1 and "connection refused" in refused.stderr
    assert target.read_bytes() == b"keep me"


# A path that cannot be written is refused before the request goes out.


@pytest.mark.parametrize("download", [False, True])
async def test_a_missing_directory_is_refused_before_sending(
    recorder: Recorder, tmp_path: Path, download: bool
) -> None:
    target = tmp_path / "nonexistent" / "dir" / "out.json"
    flags = ["-d"] if download else []
    result = await arun_cli(*flags, "-o", str(target), "POST", recorder.url, "a=b")
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: cannot write {str(target)!r}: no such directory {str(target.parent)!r}\n"
    )
    assert recorder.heads == []


async def test_a_download_into_a_directory_without_room_is_refused_before_sending(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/proc/self")  # not writable, even for root
    result = await arun_cli("-d", recorder.url)
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: cannot save the download: no permission to create files in '.'\n"
    )
    assert recorder.heads == []


async def test_a_file_as_the_directory_is_refused_before_sending(
    recorder: Recorder, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a directory")
    target = tmp_path / "notes.txt" / "out.json"
    result = await arun_cli("-o", str(target), "POST", recorder.url, "a=b")
    assert result.stderr == (
        f"aiocurl: error: cannot write {str(target)!r}: {str(target.parent)!r} is not a directory\n"
    )
    assert result.exit_status == 1 and recorder.heads == []


@pytest.mark.parametrize("download", [False, True])
async def test_a_directory_as_the_path_is_refused_before_sending(
    recorder: Recorder, tmp_path: Path, download: bool
) -> None:
    flags = ["-d"] if download else []
    result = await arun_cli(*flags, "-o", str(tmp_path), "POST", recorder.url, "a=b")
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: ") and result.stderr.count("\n") == 1
    assert str(tmp_path) in result.stderr and "is a directory" in result.stderr
    assert recorder.heads == []


async def test_a_writable_path_still_gets_the_response(recorder: Recorder, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = await arun_cli("-o", str(target), "POST", recorder.url, "a=b")
    assert result.exit_status == 0, result.stderr
    assert target.read_bytes() == b'{"ok": true}'
    assert len(recorder.heads) == 1


# A disk that refuses bytes is named as such, not as a network failure.


def limit_file_size() -> None:
    """In the child: files stop growing at 100 kB; a write past it fails with EFBIG
    ("File too large") instead of killing the process with SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_a_refused_write_names_the_file(echo_url: str, tmp_path: Path) -> None:
    executable = shutil.which("aiocurl")
    assert executable
    done = subprocess.run(
        [executable, "-o", "out.bin", f"{echo_url}/bytes/300000"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        preexec_fn=limit_file_size,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.decode() == "aiocurl: error: cannot write 'out.bin': file too large\n"


# --offline writes the request to --output, but nothing to a download's file.


def partial_download(folder: Path) -> Path:
    target = folder / "part.bin"
    target.write_bytes(b"the first half of a download")
    (folder / "part.bin.aiocurl-resume").write_text('{"validator": "\\"v1\\""}')
    return target


@pytest.mark.parametrize("flags", [["-d"], ["-d", "-c"]])
def test_offline_download_writes_nothing(tmp_path: Path, flags: list[str]) -> None:
    target = partial_download(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("--offline", *flags, "-o", str(target), "example.org/file")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.startswith(b"GET /file HTTP/1.1\r\nHost: example.org\r\n")
    assert target.read_bytes() == b"the first half of a download"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_offline_download_without_output_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("--offline", "-d", "example.org/file")
    assert result.exit_status == 0 and result.stdout.startswith(b"GET /file HTTP/1.1\r\n")
    assert list(tmp_path.iterdir()) == []


def test_offline_output_gets_the_request(tmp_path: Path) -> None:
    target = tmp_path / "request.txt"
    result = run_cli("--offline", "-o", str(target), "example.org/post", "a=b")
    assert result.exit_status == 0 and result.stdout == b""
    assert target.read_bytes().startswith(b"POST /post HTTP/1.1\r\nHost: example.org\r\n")
    assert target.read_bytes().endswith(b'\r\n\r\n{"a": "b"}')


def test_offline_never_replaces_a_partial_download(tmp_path: Path) -> None:
    target = partial_download(tmp_path)
    result = run_cli("--offline", "-o", str(target), "example.org/file")
    assert result.exit_status == 1
    assert result.stderr == (
        f"aiocurl: error: {str(target)!r} is a partial download "
        f"({str(target) + '.aiocurl-resume'!r} is beside it): --offline will not replace it; "
        "choose another --output\n"
    )
    assert target.read_bytes() == b"the first half of a download"

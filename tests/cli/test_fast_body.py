"""The fast path for a plain body (transport/raw_body.py): once aiohttp has parsed the head,
the rest goes from the socket to the file or pipe with splice. The same files, the same
errors, hints, resumes, timeouts and signals as the general path; and the general path still
wherever the bytes saved are not the bytes sent, or the output is a terminal.

Which path a body took is read from `MOVED`, the fast path's own counts, in-process; a real
process shows it by holding both ends of one pipe (splice's) while the body moves."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import os
import random
import re
import resource
import shutil
import signal
import socket
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import trustme
from helpers import arun_cli, sha

from aiocurl.cli.main import main
from aiocurl.environment import Environment, GuardedOutput
from aiocurl.transport.raw_body import MOVED, Moved

# Files named by the URL are saved in the test's temporary folder.
pytestmark = pytest.mark.usefixtures("in_tmp")

SIZE = 8 * 1024 * 1024  # more than aiohttp reads ahead (2 MiB), so the body is taken over
HALF = 4 * 1024 * 1024
DATA = random.Random(1).randbytes(SIZE)


class FileServer:
    """One file over HTTP/1.1 from a raw asyncio server. The head and the first bytes of the
    body go out in one write, so aiohttp has read some of the body with the head; a response
    can then end short (`cuts`), hold until `release` (`hang_at`), or come close-delimited,
    chunked or gzip-encoded."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = '"v1"'
        self.length = True  # Content-Length; False: the body ends when the connection closes
        self.chunked = False
        self.encoding: str | None = None
        self.cuts: list[int] = []  # for the next responses in turn: close after this many bytes
        self.reset = False  # a cut response ends with RST instead of FIN
        self.hang_at: int | None = None  # hold after this many bytes, until `release`
        self.release = asyncio.Event()
        self.requests: list[dict[str, str]] = []
        self.url = ""
        self.answering: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.answering.add(task)
        try:
            await self._answer(reader, writer)
        except ConnectionError:  # a client that gave up
            writer.close()
        finally:
            self.answering.discard(task)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        text = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in text.split("\r\n")[1:] if line)
        }
        self.requests.append(headers)
        start, status = 0, 200
        wanted = headers.get("range")
        if wanted and headers.get("if-range") in (None, self.etag):
            start, status = int(wanted.split("=")[1].split("-")[0]), 206
        body = self.data[start:]
        lines = [
            f"HTTP/1.1 {status} {'Partial Content' if status == 206 else 'OK'}",
            "Content-Type: application/octet-stream",
            f"ETag: {self.etag}",
            "Accept-Ranges: bytes",
            "Connection: close",
        ]
        if status == 206:
            lines.append(f"Content-Range: bytes {start}-{len(self.data) - 1}/{len(self.data)}")
        if self.encoding:
            lines.append(f"Content-Encoding: {self.encoding}")
        if self.chunked:
            lines.append("Transfer-Encoding: chunked")
            body = chunked(body)
        elif self.length:
            lines.append(f"Content-Length: {len(body)}")
        cut = self.cuts.pop(0) if self.cuts else None
        stop = len(body) if cut is None else cut
        first = stop if self.hang_at is None else min(self.hang_at, stop)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body[:first])
        await writer.drain()
        if self.hang_at is not None:
            await self.release.wait()
        writer.write(body[first:stop])
        await writer.drain()
        if cut is not None and self.reset:  # a close with no linger sends RST, not FIN
            linger = struct.pack("ii", 1, 0)
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            writer.transport.abort()
            return
        writer.close()


def chunked(body: bytes) -> bytes:
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


@contextlib.asynccontextmanager
async def serving(
    data: bytes = DATA, tls: ssl.SSLContext | None = None
) -> AsyncIterator[FileServer]:
    state = FileServer(data)
    listener = await asyncio.start_server(state.handle, "127.0.0.1", 0, ssl=tls)
    port = listener.sockets[0].getsockname()[1]
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/files/data"
    async with listener:
        try:
            yield state
        finally:
            state.release.set()  # a response still held ends
            if state.answering:
                await asyncio.wait(state.answering, timeout=30)


@pytest.fixture
async def server() -> AsyncIterator[FileServer]:
    async with serving() as state:
        yield state


def counts() -> Moved:
    return replace(MOVED)


def taken(before: Moved) -> int:
    """Bodies the fast path took over since `before`."""
    return MOVED.bodies - before.bodies


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for a condition that the command's progress makes true (checked every 10 ms)."""
    deadline = asyncio.get_running_loop().time() + 30
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"never happened: {what}")
        await asyncio.sleep(0.01)


def size_of(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


# Bytes


@pytest.mark.parametrize("argv", [("-d", "-o", "f.bin"), ("-o", "f.bin")], ids=["download", "-o"])
async def test_a_content_length_body_goes_around_aiohttp(
    server: FileServer, in_tmp: Path, argv: tuple[str, ...]
) -> None:
    before = counts()
    result = await arun_cli(*argv, server.url)
    assert result.exit_status == 0, result.stderr
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA)
    assert taken(before) == 1 and MOVED.spliced == before.spliced + 1
    assert MOVED.handed > before.handed  # the bytes that came with the head, through aiohttp


async def test_a_close_delimited_body(server: FileServer, in_tmp: Path) -> None:
    server.length = False
    before = counts()
    result = await arun_cli("-d", "-o", "f.bin", server.url)
    assert result.exit_status == 0, result.stderr
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA)
    assert taken(before) == 1


def test_a_download_from_the_bundled_echo_server(echo_url: str, in_tmp: Path) -> None:
    from helpers import run_cli

    before = counts()
    result = run_cli("-d", "-o", "r.bin", f"{echo_url}/range/{SIZE}?seed=5")
    assert result.exit_status == 0, result.stderr
    assert sha((in_tmp / "r.bin").read_bytes()) == sha(random.Random(5).randbytes(SIZE))
    assert taken(before) == 1


def run_with_stdout(path: Path, *argv: str, tty: bool = False) -> tuple[int, str]:
    """The command in-process with its stdout a real file, as the process's own stdout is
    (GuardedOutput); `tty` says it is a terminal."""
    stderr = io.StringIO()
    with open(path, "wb") as raw:
        env = Environment(
            stdout=GuardedOutput(raw),  # type: ignore[arg-type]  # a binary stream
            stderr=stderr,
            stdout_isatty=tty,
            env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
        )
        status = main(list(argv), env)
    return status, stderr.getvalue()


async def test_headers_first_then_the_body_into_stdout(server: FileServer, in_tmp: Path) -> None:
    before = counts()
    out = in_tmp / "stdout"
    status, stderr = await asyncio.to_thread(run_with_stdout, out, "-p", "hb", server.url)
    assert status == 0, stderr
    head, _, body = out.read_bytes().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"ETag: " in head
    assert sha(body) == sha(DATA)
    assert taken(before) == 1


async def test_size_download_counts_the_bytes_moved(server: FileServer, in_tmp: Path) -> None:
    before = counts()
    result = await arun_cli("-o", "f.bin", "-w", "%{size_download}", server.url)
    assert result.exit_status == 0, result.stderr
    assert result.stdout == str(SIZE).encode()
    assert taken(before) == 1


async def test_progress_counts_the_bytes_moved(server: FileServer, in_tmp: Path) -> None:
    before = counts()
    result = await arun_cli("-d", "-o", "f.bin", server.url, stderr_tty=True)
    assert result.exit_status == 0, result.stderr
    assert "Saved 8.0 MiB to f.bin in " in result.stderr
    assert taken(before) == 1


# A body cut short, resumed


async def test_a_cut_body_fails_with_the_resume_hint_and_resumes(
    server: FileServer, in_tmp: Path
) -> None:
    server.cuts = [5_000_000]
    before = counts()
    first = await arun_cli("-d", "-o", "f.bin", server.url)
    assert first.exit_status == 1
    assert first.stderr.splitlines()[-3:] == [
        f"aiocurl: error: {server.url}: the response body broke off after 5000000 of "
        f"{SIZE} bytes (Content-Length)",
        "  5000000 bytes of 8.0 MiB saved in f.bin; resume with:",
        f"  aiocurl -d {server.url} --continue --output f.bin",
    ]
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA[:5_000_000])
    assert taken(before) == 1
    done = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert server.requests[1]["range"] == "bytes=5000000-"
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA)
    assert not (in_tmp / "f.bin.aiocurl-resume").exists()
    # The rest went around aiohttp too; splice refuses a file opened to append, so through
    # the buffer.
    assert taken(before) == 2 and MOVED.copied == before.copied + 1


async def test_a_reset_connection_is_a_cut_body_too(server: FileServer, in_tmp: Path) -> None:
    server.cuts, server.reset = [5_000_000], True
    before = counts()
    first = await arun_cli("-o", "f.bin", server.url)
    assert first.exit_status == 1
    line = first.stderr.splitlines()[-1]
    got = re.fullmatch(
        rf"aiocurl: error: {re.escape(server.url)}: the response body broke off after "
        rf"(\d+) of {SIZE} bytes \(Content-Length\)",
        line,
    )
    assert got is not None, line
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA[: int(got[1])])  # what arrived is kept
    assert taken(before) == 1


async def test_a_reset_ends_a_close_delimited_body_with_an_error(
    server: FileServer, in_tmp: Path
) -> None:
    """Without a length only the connection's close ends the body, and a reset is not a
    close: the file is incomplete, and said to be (as curl says; aiohttp's own reading
    takes a reset for the end, and saves a cut file as if it were whole)."""
    server.length = False
    server.cuts, server.reset = [5_000_000], True
    before = counts()
    result = await arun_cli("-d", "-o", "f.bin", server.url)
    assert result.exit_status == 1
    lines = result.stderr.splitlines()
    got = re.fullmatch(
        rf"aiocurl: error: {re.escape(server.url)}: the connection failed after (\d+) body "
        "bytes: connection reset by peer",
        lines[-3],
    )
    assert got is not None, lines[-3]
    assert lines[-2] == f"  {got[1]} bytes saved in f.bin; resume with:"
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA[: int(got[1])])
    assert taken(before) == 1


async def test_retry_resumes_through_the_fast_path(server: FileServer, in_tmp: Path) -> None:
    server.cuts = [5_000_000]
    before = counts()
    result = await arun_cli(
        "--retry", "2", "--retry-delay", "0.01", "-d", "-o", "f.bin", server.url
    )
    assert result.exit_status == 0, result.stderr
    assert "retry: resuming f.bin at byte 5000000 after: " in result.stderr
    assert server.requests[1]["range"] == "bytes=5000000-"
    assert server.requests[1]["if-range"] == '"v1"'
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA)
    assert taken(before) == 2


# Timers


async def test_the_read_timeout_fires_while_the_body_is_moved(
    server: FileServer, in_tmp: Path
) -> None:
    server.hang_at = HALF
    before = counts()
    result = await arun_cli("-d", "-o", "f.bin", "--timeout", "0.5", server.url)
    assert result.exit_status == 2
    assert result.stderr.splitlines()[-3:-1] == [
        f"aiocurl: error: read timeout: nothing received from {server.url} for 0.5 s (--timeout)",
        f"  {HALF} bytes of 8.0 MiB saved in f.bin; resume with:",
    ]
    assert taken(before) == 1


async def test_max_time_fires_while_the_body_is_moved(server: FileServer, in_tmp: Path) -> None:
    server.hang_at = HALF
    before = counts()
    result = await arun_cli("-o", "f.bin", "--max-time", "1", server.url)
    assert result.exit_status == 2
    assert result.stderr == (
        f"aiocurl: error: request to {server.url} took longer than 1 s (--max-time)\n"
    )
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(DATA[:HALF])
    assert taken(before) == 1


# Real processes: signals, pipes


def holds_a_pipe_of_its_own(pid: int) -> bool:
    """Whether the process has both ends of one pipe open: the fast path's splice pipe (its
    stdin, stdout and stderr are one end each of this test's pipes, or files)."""
    ends = []
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed while listed
            ends.append(os.readlink(entry))
    pipes = [end for end in ends if end.startswith("pipe:")]
    return len(pipes) > len(set(pipes))


@contextlib.asynccontextmanager
async def running(*argv: str, **options: Any) -> AsyncIterator[asyncio.subprocess.Process]:
    """The installed command as a real process; killed at the end if it is still running
    (a failed test)."""
    executable = shutil.which("aiocurl")
    assert executable
    process = await asyncio.create_subprocess_exec(
        executable,
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        **options,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


async def test_ctrl_c_keeps_the_partial_file(server: FileServer, in_tmp: Path) -> None:
    server.hang_at = HALF
    target = in_tmp / "part.bin"
    async with running("-d", "-o", "part.bin", server.url) as process:

        def half_moved() -> bool:
            return size_of(target) == HALF and holds_a_pipe_of_its_own(process.pid)

        await until(half_moved, "the first half on disk, moved by splice")
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert stderr.decode().endswith(
        "aiocurl: download interrupted\n"
        f"  {HALF} bytes of 8.0 MiB saved in part.bin; resume with:\n"
        f"  aiocurl -d {server.url} --continue --output part.bin\n"
        "\naiocurl: interrupted\n"
    )
    assert sha(target.read_bytes()) == sha(DATA[:HALF])
    server.hang_at = None
    before = counts()
    done = await arun_cli("-d", "-c", "-o", "part.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert sha(target.read_bytes()) == sha(DATA)
    assert taken(before) == 1


def limit_file_size() -> None:
    """In the child: files stop growing at 5 MB; a write past it fails with EFBIG ("File
    too large", as a full disk fails with ENOSPC) instead of raising SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (5_000_000, 5_000_000))


async def test_a_full_disk_leaves_a_resumable_file(server: FileServer, in_tmp: Path) -> None:
    server.hang_at = HALF
    target = in_tmp / "f.bin"
    async with running("-d", "-o", "f.bin", server.url, preexec_fn=limit_file_size) as process:

        def half_moved() -> bool:
            return size_of(target) == HALF and holds_a_pipe_of_its_own(process.pid)

        await until(half_moved, "the first half on disk, moved by splice")
        server.release.set()  # the rest meets the limit
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert stderr.decode().splitlines()[-3:] == [
        "aiocurl: error: cannot write 'f.bin': file too large",
        "  5000000 bytes of 8.0 MiB saved in f.bin; resume with:",
        f"  aiocurl -d {server.url} --continue --output f.bin",
    ]
    assert sha(target.read_bytes()) == sha(DATA[:5_000_000])
    server.hang_at = None
    done = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert server.requests[-1]["range"] == "bytes=5000000-"
    assert sha(target.read_bytes()) == sha(DATA)


class PipeReader(threading.Thread):
    """Reads the read end of a pipe to its end, or stops and closes it when told."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.got = bytearray()
        self.stop_at: int | None = None  # close the pipe once this many bytes arrived

    def run(self) -> None:
        try:
            while data := os.read(self.fd, 1 << 20):
                self.got += data
                if self.stop_at is not None and len(self.got) >= self.stop_at:
                    break
        finally:
            os.close(self.fd)


@contextlib.asynccontextmanager
async def into_pipe(
    *argv: str, stop_at: int | None = None
) -> AsyncIterator[tuple[asyncio.subprocess.Process, PipeReader]]:
    """The command with its stdout a pipe, and a reader at the other end (which closes it
    after `stop_at` bytes, if given)."""
    read_end, write_end = os.pipe()
    try:
        async with running(*argv, stdout=write_end) as process:
            os.close(write_end)  # the child has its own
            write_end = -1
            reader = PipeReader(read_end)
            reader.stop_at = stop_at
            reader.start()
            yield process, reader
    finally:
        if write_end >= 0:
            os.close(write_end)


async def test_a_body_into_a_pipe(server: FileServer) -> None:
    server.hang_at = HALF
    async with into_pipe(server.url) as (process, reader):

        def half_moved() -> bool:
            return len(reader.got) == HALF and holds_a_pipe_of_its_own(process.pid)

        await until(half_moved, "the first half through the pipe, moved by splice")
        server.release.set()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        reader.join(timeout=30)
    assert process.returncode == 0, stderr
    assert stderr == b""
    assert sha(bytes(reader.got)) == sha(DATA)


async def test_a_reader_that_leaves_ends_the_run_quietly(server: FileServer) -> None:
    server.hang_at = HALF
    async with into_pipe(server.url, stop_at=HALF) as (process, reader):  # `| head -c 4M`

        def spliced() -> bool:
            return holds_a_pipe_of_its_own(process.pid)

        def reader_gone() -> bool:
            return not reader.is_alive()

        await until(spliced, "the body moved by splice")
        await until(reader_gone, "the reader gone")
        server.release.set()  # the rest meets a closed pipe
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert stderr == b""


# Where the general path stays


@pytest.fixture
def tls_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.mark.parametrize(
    ("case", "fast"),
    [
        ("identity", True),  # the control: the same answer, plain
        ("gzip", False),  # decoded: the bytes saved are not the bytes sent
        ("chunked", False),  # chunked framing, which aiohttp's parser removes
        ("https", False),
        ("terminal", False),  # stdout a terminal
        ("max-filesize", False),  # counted piece by piece
        ("stream", False),  # --stream: shown line by line as it comes
    ],
)
async def test_which_path_a_body_takes(
    case: str, fast: bool, in_tmp: Path, tls_context: ssl.SSLContext, ca_file: str
) -> None:
    data = DATA
    expected = DATA
    if case == "gzip":
        data = gzip.compress(DATA, compresslevel=1)  # noise: about as large as it was
    async with serving(data, tls=tls_context if case == "https" else None) as server:
        server.encoding = "gzip" if case == "gzip" else None
        server.chunked = case == "chunked"
        argv = {
            "https": ("--verify", ca_file),
            "max-filesize": ("--max-filesize", str(2 * SIZE)),
            "stream": ("--stream",),
        }.get(case, ())
        out = in_tmp / "stdout"
        before = counts()
        status, stderr = await asyncio.to_thread(
            run_with_stdout, out, *argv, server.url, tty=case == "terminal"
        )
    assert status == 0, stderr
    if case == "terminal":  # binary data is not shown there
        assert out.read_bytes().endswith(
            b"[binary data, 8388608 bytes, not shown on a terminal: use -o FILE or a pipe]\n"
        )
    else:
        assert sha(out.read_bytes()) == sha(expected)
    assert taken(before) == (1 if fast else 0)

"""--download against a server under the test's control: names, resume, changes, cuts."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import resource
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Result, arun_cli, sha

# Files named by the URL are saved in the test's temporary folder.
pytestmark = pytest.mark.usefixtures("in_tmp")


class RangeServer:
    """An HTTP/1.1 file server in a few lines, so each test can bend it: change the file,
    ignore ranges, or drop the connection after N bytes of the next response."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = '"v1"'
        self.cut: int | None = None
        self.ignore_range = False
        self.disposition: str | None = None
        self.encoding: str | None = None  # a Content-Encoding sent whatever was asked
        self.ignore_if_range = False  # sends the rest of a changed file (a broken server)
        self.status = 200
        self.requests: list[dict[str, str]] = []
        self.sent_first_part = asyncio.Event()
        self.hold_after_cut = False
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in head.split("\r\n")[1:] if line)
        )
        self.requests.append(headers)
        start, status = 0, self.status
        wanted, if_range = headers.get("range"), headers.get("if-range")
        same = if_range in (None, self.etag) or self.ignore_if_range
        if status == 200 and wanted and not self.ignore_range and same:
            start = int(wanted.split("=")[1].split("-")[0])
            if start >= len(self.data):
                writer.write(
                    b"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n"
                    + f"Content-Range: bytes */{len(self.data)}\r\n\r\n".encode()
                )
                await writer.drain()
                writer.close()
                return
            status = 206
        body = self.data[start:] if status < 300 else b""
        lines = [
            f"HTTP/1.1 {status} {'Partial Content' if status == 206 else 'Whatever'}",
            f"Content-Length: {len(body)}",
            "Content-Type: application/octet-stream",
            f"ETag: {self.etag}",
            "Connection: close",
        ]
        if not self.ignore_range:
            lines.append("Accept-Ranges: bytes")
        if status == 206:
            lines.append(f"Content-Range: bytes {start}-{len(self.data) - 1}/{len(self.data)}")
        if self.disposition:
            lines.append(f"Content-Disposition: {self.disposition}")
        if self.encoding:
            lines.append(f"Content-Encoding: {self.encoding}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        cut, self.cut = self.cut, None
        if cut is not None:
            writer.write(body[:cut])
            await writer.drain()
            self.sent_first_part.set()
            if self.hold_after_cut:
                await asyncio.sleep(3600)  # held open until the client gives up (Ctrl-C)
            writer.transport.abort()
            return
        writer.write(body)
        await writer.drain()
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files/data"


@pytest.fixture
async def server() -> AsyncIterator[RangeServer]:
    state = RangeServer(random.Random(1).randbytes(300_000))
    listener = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield state
        listener.close()


async def test_download_saves_under_the_url_name(server: RangeServer, in_tmp: Path) -> None:
    result = await arun_cli("-d", server.url)
    assert result.exit_status == 0, result.stderr
    assert (in_tmp / "data").read_bytes() == server.data
    assert result.stdout == b""
    assert "HTTP/1.1 200" in result.stderr  # headers go to stderr
    assert server.requests[0]["accept-encoding"] == "identity"


async def test_never_overwrites(server: RangeServer, in_tmp: Path) -> None:
    for _ in range(3):
        assert (await arun_cli("-d", server.url)).exit_status == 0
    assert sorted(p.name for p in in_tmp.iterdir()) == ["data", "data-1", "data-2"]


@pytest.mark.parametrize(
    ("disposition", "saved"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ('attachment; filename="../../../etc/passwd"', "passwd"),
        ('attachment; filename="/tmp/abs.txt"', "abs.txt"),
        ('attachment; filename=".bashrc"', "bashrc"),
        ('attachment; filename="a\\\\..\\\\b.txt"', "b.txt"),
        ("attachment; filename*=UTF-8''na%C3%AFve%20name.txt", "naïve name.txt"),
        ('attachment; filename=".."', "data"),
        ('attachment; filename=""', "data"),
    ],
)
async def test_content_disposition_is_sanitised(
    server: RangeServer, in_tmp: Path, disposition: str, saved: str
) -> None:
    server.disposition = disposition
    result = await arun_cli("-d", server.url)
    assert result.exit_status == 0, result.stderr
    assert [p.name for p in in_tmp.iterdir()] == [saved]


async def test_non_2xx_saves_nothing(server: RangeServer, in_tmp: Path) -> None:
    server.status = 404
    result = await arun_cli("-d", server.url)
    assert result.exit_status == 4
    assert "nothing saved" in result.stderr
    assert list(in_tmp.iterdir()) == []


async def test_existing_output_needs_continue(server: RangeServer, in_tmp: Path) -> None:
    (in_tmp / "f").write_bytes(b"keep me")
    result = await arun_cli("-d", "-o", "f", server.url)
    assert result.exit_status == 1 and "pass --continue" in result.stderr
    assert (in_tmp / "f").read_bytes() == b"keep me"
    assert server.requests == []


async def interrupted(server: RangeServer, at: int, *argv: str) -> Result:
    server.cut = at
    result = await arun_cli(*argv)
    assert result.exit_status == 1, result.stderr
    return result


async def test_interruptions_then_continue_until_complete(
    server: RangeServer, in_tmp: Path
) -> None:
    offsets = random.Random(7).sample(range(1, 60_000), 4)
    first = await interrupted(server, offsets[0], "-d", "-o", "f.bin", server.url)
    lines = first.stderr.splitlines()
    assert lines[-3].startswith("aiocurl: error: ")
    assert f"the response body broke off after {offsets[0]} of " in lines[-3]
    assert lines[-2] == f"  {offsets[0]} bytes of 293.0 KiB saved in f.bin; resume with:"
    assert lines[-1] == f"  aiocurl -d {server.url} --continue --output f.bin"
    for cut in offsets[1:]:
        await interrupted(server, cut, "-d", "-c", "-o", "f.bin", server.url)
    done = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(server.data)
    assert not (in_tmp / "f.bin.aiocurl-resume").exists()
    resumed = server.requests[1:]
    assert all(r["if-range"] == '"v1"' and r["range"].startswith("bytes=") for r in resumed)
    assert resumed[0]["range"] == f"bytes={offsets[0]}-"


async def test_the_resume_hint_masks_credentials(server: RangeServer, in_tmp: Path) -> None:
    host = server.url.split("//", 1)[1]
    argv = (
        "-d",
        "-o",
        "f.bin",
        "-a",
        "ada:S3CRETPW",
        f"http://u:URLPASS1@{host}",
        "My-Token:TOK3N1",
    )
    first = await interrupted(server, 1000, *argv)
    for secret in ("S3CRETPW", "URLPASS1", "TOK3N1"):
        assert secret not in first.stderr
    lines = first.stderr.splitlines()
    assert lines[-2] == f"  aiocurl -d -a 'ada:***' 'http://u:***@{host}' 'My-Token:***' " + (
        "--continue --output f.bin"
    )
    assert lines[-1] == "  (put your credentials back in place of ***)"


async def test_a_changed_file_restarts_instead_of_splicing(
    server: RangeServer, in_tmp: Path
) -> None:
    await interrupted(server, 50_000, "-d", "-o", "f.bin", server.url)
    server.data, server.etag = random.Random(2).randbytes(250_000), '"v2"'
    result = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert result.exit_status == 0, result.stderr
    assert "changed on the server: downloading it again from the start" in result.stderr
    assert sha((in_tmp / "f.bin").read_bytes()) == sha(server.data)


async def test_a_server_ignoring_ranges_restarts_cleanly(server: RangeServer, in_tmp: Path) -> None:
    server.ignore_range = True
    await interrupted(server, 10_000, "-d", "-o", "f.bin", server.url)
    result = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert result.exit_status == 0, result.stderr
    assert "sent the whole file instead of the rest" in result.stderr
    assert (in_tmp / "f.bin").read_bytes() == server.data


async def test_416_for_a_complete_file(server: RangeServer, in_tmp: Path) -> None:
    assert (await arun_cli("-d", "-o", "f.bin", server.url)).exit_status == 0
    result = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert result.exit_status == 0
    assert "f.bin is already complete (293.0 KiB)" in result.stderr
    assert (in_tmp / "f.bin").read_bytes() == server.data


async def test_progress_and_summary_on_a_terminal(server: RangeServer) -> None:
    shown = await arun_cli("-d", server.url, stderr_tty=True)
    assert "Saved 293.0 KiB to data in " in shown.stderr
    quiet = await arun_cli("-d", "-q", server.url, stderr_tty=True)
    assert quiet.stderr == ""


async def test_output_without_download_writes_as_it_arrives(
    server: RangeServer, in_tmp: Path
) -> None:
    result = await arun_cli("-o", "plain.bin", server.url)
    assert result.exit_status == 0 and (in_tmp / "plain.bin").read_bytes() == server.data


async def start(*argv: str, **options: Any) -> asyncio.subprocess.Process:
    """The real command in its own process, for what only a process has: signals, limits."""
    executable = shutil.which("aiocurl")
    assert executable
    return await asyncio.create_subprocess_exec(
        executable,
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        **options,
    )


async def first_part_on_disk(server: RangeServer, target: Path) -> None:
    """Wait until the server sent its first part and the command wrote all of it."""
    await asyncio.wait_for(server.sent_first_part.wait(), 30)
    deadline = asyncio.get_running_loop().time() + 30
    while not (target.exists() and target.stat().st_size == 100_000):  # a condition, not a pause
        assert asyncio.get_running_loop().time() < deadline, "the first bytes never reached disk"
        await asyncio.sleep(0.01)


def resume_state(target: Path) -> object:
    return json.loads(target.with_name(target.name + ".aiocurl-resume").read_text())


async def test_ctrl_c_keeps_the_partial_file(server: RangeServer, in_tmp: Path) -> None:
    server.cut, server.hold_after_cut = 100_000, True
    process = await start("-d", "-o", "part.bin", server.url)
    target = in_tmp / "part.bin"
    await first_part_on_disk(server, target)
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert b"100000 bytes of 293.0 KiB saved in part.bin; resume with:" in stderr
    assert target.read_bytes() == server.data[:100_000]
    server.hold_after_cut = False
    done = await arun_cli("-d", "-c", "-o", "part.bin", server.url)
    assert done.exit_status == 0 and target.read_bytes() == server.data


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
async def test_a_signal_keeps_a_file_that_resumes_only_the_same_version(
    server: RangeServer, in_tmp: Path, signum: signal.Signals, status: int
) -> None:
    server.cut, server.hold_after_cut = 100_000, True
    process = await start("-d", "-o", "part.bin", server.url)
    target = in_tmp / "part.bin"
    await first_part_on_disk(server, target)
    process.send_signal(signum)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == status
    assert stderr.decode().splitlines()[-3:] == [
        f"aiocurl: error: terminated ({signum.name})",
        "  100000 bytes of 293.0 KiB saved in part.bin; resume with:",
        f"  aiocurl -d {server.url} --continue --output part.bin",
    ]
    assert target.read_bytes() == server.data[:100_000]
    assert resume_state(target) == {"validator": '"v1"'}
    server.hold_after_cut = False
    server.data, server.etag = random.Random(3).randbytes(200_000), '"v2"'
    done = await arun_cli("-d", "-c", "-o", "part.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert "part.bin changed on the server: downloading it again from the start" in done.stderr
    assert sha(target.read_bytes()) == sha(server.data)


async def test_a_killed_download_resumes_only_the_same_version(
    server: RangeServer, in_tmp: Path
) -> None:
    server.cut, server.hold_after_cut = 100_000, True
    process = await start("-d", "-o", "part.bin", server.url)
    target = in_tmp / "part.bin"
    await first_part_on_disk(server, target)
    process.kill()  # no handler runs: only what was on disk before counts
    await asyncio.wait_for(process.wait(), 30)
    assert resume_state(target) == {"validator": '"v1"'}
    server.hold_after_cut = False
    server.data, server.etag = random.Random(3).randbytes(200_000), '"v2"'
    done = await arun_cli("-d", "-c", "-o", "part.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert server.requests[-1]["if-range"] == '"v1"'
    assert sha(target.read_bytes()) == sha(server.data)


async def test_sigterm_ends_any_command(server: RangeServer, in_tmp: Path) -> None:
    server.cut, server.hold_after_cut = 100_000, True
    process = await start("-o", "plain.bin", server.url)
    target = in_tmp / "plain.bin"
    await first_part_on_disk(server, target)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 143
    assert stderr.decode() == "aiocurl: error: terminated (SIGTERM)\n"
    assert target.read_bytes() == server.data[:100_000]


async def test_the_rest_of_a_changed_file_is_never_appended(
    server: RangeServer, in_tmp: Path
) -> None:
    await interrupted(server, 50_000, "-d", "-o", "f.bin", server.url)
    old = server.data
    server.data, server.etag = random.Random(2).randbytes(300_000), '"v2"'
    server.ignore_if_range = True  # answers Range with the rest of the new version
    result = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert result.exit_status == 1
    assert result.stderr.splitlines()[-1] == (
        'aiocurl: error: f.bin changed on the server ("v2", the partial file is "v1") '
        "but the server sent only the rest: nothing appended; "
        "remove the partial file and download again"
    )
    assert (in_tmp / "f.bin").read_bytes() == old[:50_000]


def limit_file_size() -> None:
    """In the child: files stop growing at 100 kB; a write past it fails with EFBIG
    ("File too large", as a full disk fails with ENOSPC) instead of raising SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


async def test_a_full_disk_leaves_a_resumable_file(server: RangeServer, in_tmp: Path) -> None:
    process = await start("-d", "-o", "f.bin", server.url, preexec_fn=limit_file_size)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert stderr.decode().splitlines()[-3:] == [
        "aiocurl: error: cannot write 'f.bin': file too large",
        "  100000 bytes of 293.0 KiB saved in f.bin; resume with:",
        f"  aiocurl -d {server.url} --continue --output f.bin",
    ]
    target = in_tmp / "f.bin"
    assert target.read_bytes() == server.data[:100_000]
    assert resume_state(target) == {"validator": '"v1"'}
    done = await arun_cli("-d", "-c", "-o", "f.bin", server.url)
    assert done.exit_status == 0, done.stderr
    assert server.requests[-1]["range"] == "bytes=100000-"
    assert sha(target.read_bytes()) == sha(server.data)


async def test_a_forced_encoding_is_saved_and_resumed_as_sent(
    server: RangeServer, in_tmp: Path
) -> None:
    server.data = gzip.compress(random.Random(4).randbytes(300_000))  # gzip of noise: no smaller
    server.encoding = "gzip"  # whatever Accept-Encoding says
    first = await interrupted(server, 120_000, "-d", "-o", "f.gz", server.url)
    assert "aiocurl: saving f.gz as sent (Content-Encoding: gzip)" in first.stderr.splitlines()
    assert (in_tmp / "f.gz").read_bytes() == server.data[:120_000]
    done = await arun_cli("-d", "-c", "-o", "f.gz", server.url)
    assert done.exit_status == 0, done.stderr
    assert server.requests[1]["range"] == "bytes=120000-"
    assert sha((in_tmp / "f.gz").read_bytes()) == sha(server.data)
    silent = await arun_cli("-qq", "-d", "-o", "g.gz", server.url)
    assert silent.exit_status == 0 and silent.stderr == ""
    assert (in_tmp / "g.gz").read_bytes() == server.data


def test_resume_against_the_bundled_echo_server(echo_url: str, in_tmp: Path) -> None:
    from helpers import run_cli

    url = f"{echo_url}/range/200000?seed=5"
    expected = random.Random(5).randbytes(200_000)
    first = run_cli("-d", "-o", "r.bin", f"{url}&cut=70000")
    assert first.exit_status == 1 and "resume with:" in first.stderr
    assert 0 < (in_tmp / "r.bin").stat().st_size <= 70_000
    second = run_cli("-d", "-c", "-o", "r.bin", f"{url}&cut=50000")
    assert second.exit_status == 1
    done = run_cli("-d", "-c", "-o", "r.bin", url)
    assert done.exit_status == 0, done.stderr
    assert sha((in_tmp / "r.bin").read_bytes()) == sha(expected)


def test_sse_from_the_bundled_echo_server(echo_url: str) -> None:
    from helpers import run_cli

    piped = run_cli(f"{echo_url}/sse?count=2&interval=0")
    events = [e for e in piped.text.split("\n\n") if e]
    assert [e.splitlines()[0] for e in events] == ["id: 0", "id: 1"]
    shown = run_cli("-b", f"{echo_url}/sse?count=2&interval=0", tty=True, env={"NO_COLOR": "1"})
    assert shown.text.startswith('id: 0\n{\n    "id": 0,\n    "message": "event 0",')


async def test_retry_resumes_a_broken_download(server: RangeServer, in_tmp: Path) -> None:
    server.cut = 120_000
    result = await arun_cli(
        "--retry", "2", "--retry-delay", "0.01", "-d", "-o", "f.bin", server.url
    )
    assert result.exit_status == 0, result.stderr
    assert (in_tmp / "f.bin").read_bytes() == server.data
    second = server.requests[1]
    offset = int(second["range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < offset <= 120_000 and second["if-range"] == '"v1"'  # resumed, not restarted
    assert f"retry: resuming f.bin at byte {offset} after:" in result.stderr

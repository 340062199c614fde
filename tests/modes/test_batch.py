"""--batch: many requests from one process through one pooled session, against servers the
tests run: what arrives, how many connections, how many in flight, and what is reported."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from helpers import Result, arun_cli, hanging_port, serving


class Recorder:
    """Answers every request with 200 and its path; notes what arrived and on which
    connection, and how many requests were in flight at once."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.connections: set[int] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self.hold_until: int | None = None  # hold each request until this many are in
        self.enough = asyncio.Event()
        self.arrived = asyncio.Event()  # set as each request is noted in `seen`

    async def handle(self, request: web.Request) -> web.Response:
        self.connections.add(id(request.transport))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            body = await request.read()
            self.seen.append(
                {
                    "method": request.method,
                    "path": request.path_qs,
                    "body": body,
                    "trace": request.headers.get("X-Trace"),
                    "authorization": request.headers.get("Authorization"),
                    "type": request.headers.get("Content-Type"),
                }
            )
            self.arrived.set()
            if self.hold_until is not None and request.path.startswith("/held"):
                if self.in_flight >= self.hold_until:
                    self.enough.set()
                await asyncio.wait_for(self.enough.wait(), 20)
                if self.in_flight == 1:
                    self.enough.clear()
            status = int(request.query.get("status", "200"))
            return web.Response(status=status, text=request.path)
        finally:
            self.in_flight -= 1


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, Recorder]]:
    state = Recorder()
    async with serving(state.handle) as server:
        yield str(server.make_url("")).rstrip("/"), state


def records(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def batch_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "batch.txt"
    path.write_text(text)
    return str(path)


async def test_every_line_arrives_as_written(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, state = recorder
    (tmp_path / "up.txt").write_text("file body")
    lines = f"""# comments and blank lines are skipped

{base}/plain
POST {base}/json name=ada age:=36
PUT {base}/file @{tmp_path}/up.txt
DELETE '{base}/quoted path' q==x
"""
    result = await arun_cli("--batch", batch_file(tmp_path, lines), "X-Trace:batch")
    assert result.exit_status == 0, result.stderr
    seen = {entry["path"]: entry for entry in state.seen}
    assert seen["/plain"]["method"] == "GET" and seen["/plain"]["body"] == b""
    assert seen["/json"]["method"] == "POST"
    assert json.loads(seen["/json"]["body"]) == {"name": "ada", "age": 36}
    assert seen["/file"]["method"] == "PUT" and seen["/file"]["body"] == b"file body"
    assert seen["/quoted%20path?q=x"]["method"] == "DELETE"
    assert {entry["trace"] for entry in state.seen} == {"batch"}  # the command line's item
    got = {record["line"]: record for record in records(result)}
    assert sorted(got) == [3, 4, 5, 6]
    assert got[4] | {"elapsed_ms": None, "timing": None} == {
        "line": 4,
        "method": "POST",
        "url": f"{base}/json",
        "status": 200,
        "reason": "OK",
        "elapsed_ms": None,
        "bytes": len("/json"),
        "error": None,
        "kind": None,
        "retries": 0,
        "timing": None,  # its phases: tests/modes/test_run_phases.py
    }
    assert result.stderr.startswith("aiocurl: 4 requests, 4 answered, in ")
    assert result.stderr.endswith(" s\n") and result.stderr.count("\n") == 1


async def test_connections_are_reused(recorder: tuple[str, Recorder], tmp_path: Path) -> None:
    base, state = recorder
    lines = "".join(f"{base}/item/{i}\n" for i in range(60))
    result = await arun_cli("--batch", batch_file(tmp_path, lines), "--concurrency", "4")
    assert result.exit_status == 0, result.stderr
    assert len(records(result)) == 60 and len(state.seen) == 60
    assert len(state.connections) <= 4  # keep-alive: far fewer than 60


async def test_concurrency_is_real_and_bounded(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, state = recorder
    state.hold_until = 5  # nothing is answered until five requests are in flight
    lines = "".join(f"{base}/held/{i}\n" for i in range(15))
    result = await arun_cli("--batch", batch_file(tmp_path, lines), "--concurrency", "5")
    assert result.exit_status == 0, result.stderr
    assert state.most_in_flight == 5


async def test_failures_land_in_their_records(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, _ = recorder
    with hanging_port() as port:
        lines = f"""{base}/ok
{base}/missing?status=404
http://127.0.0.1:{port}/slow
GET {base}/x --flag
GET 'unclosed
ws://127.0.0.1:1/ws
"""
        result = await arun_cli("--batch", batch_file(tmp_path, lines), "--connect-timeout", "0.3")
    got = {record["line"]: record for record in records(result)}
    assert got[1]["status"] == 200 and got[1]["error"] is None
    assert got[2]["status"] == 404 and got[2]["error"] is None  # a response, not a failure
    assert got[3]["kind"] == "timeout" and "connect timeout" in got[3]["error"]
    assert got[4]["kind"] == "usage" and "flags go on the command line" in got[4]["error"]
    assert got[5]["kind"] == "usage" and "a quote is not closed" in got[5]["error"]
    assert got[6]["kind"] == "usage" and "WebSocket" in got[6]["error"]
    assert result.exit_status == 2  # the worst of the single-request codes: the timeout
    assert result.stderr.startswith("aiocurl: 6 requests, 2 answered, 4 failed (3 usage, 1 ")


async def test_check_status_and_order(recorder: tuple[str, Recorder], tmp_path: Path) -> None:
    base, _ = recorder
    lines = "".join(f"{base}/n/{i}?status={200 if i % 3 else 503}\n" for i in range(9))
    path = batch_file(tmp_path, lines)
    result = await arun_cli("--batch", path, "--check-status", "--ordered", "--concurrency", "9")
    assert result.exit_status == 5
    assert [record["line"] for record in records(result)] == list(range(1, 10))


async def test_stdin_as_the_batch_and_bodies_in_records(recorder: tuple[str, Recorder]) -> None:
    base, _ = recorder
    result = await arun_cli("--batch", "-", "--batch-body", stdin=f"{base}/a\n{base}/b\n".encode())
    assert result.exit_status == 0, result.stderr
    bodies = sorted((r["body"], r["body_encoding"]) for r in records(result))
    assert bodies == [("/a", "text"), ("/b", "text")]


async def test_offline_shows_every_request_and_sends_none(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, state = recorder
    path = batch_file(tmp_path, f"{base}/one\nPOST {base}/two a=b\n")
    result = await arun_cli("--offline", "--batch", path)
    assert result.exit_status == 0, result.stderr
    assert b"GET /one HTTP/1.1" in result.stdout and b"POST /two HTTP/1.1" in result.stdout
    assert state.seen == []


async def test_a_terminal_gets_a_line_per_request(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, _ = recorder
    result = await arun_cli("--batch", batch_file(tmp_path, f"{base}/t\n"), tty=True)
    assert result.exit_status == 0, result.stderr
    line = result.text.strip()
    assert line.startswith("200 OK  ") and line.endswith(f"2 B  GET {base}/t")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--download"], "--download cannot be used with --batch"),
        (["--stream"], "--stream cannot be used with --batch"),
        (["-o", "x"], "--output cannot be used with --batch"),
        (["--concurrency", "0"], "--concurrency: 0 is not in the range"),
    ],
)
async def test_what_a_batch_cannot_do(
    recorder: tuple[str, Recorder], tmp_path: Path, argv: list[str], message: str
) -> None:
    base, state = recorder
    result = await arun_cli("--batch", batch_file(tmp_path, f"{base}/x\n"), *argv)
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: ") and message in result.stderr
    assert state.seen == []


async def test_an_unreadable_batch_file(tmp_path: Path) -> None:
    result = await arun_cli("--batch", str(tmp_path / "missing.txt"))
    assert result.exit_status == 1
    missing = str(tmp_path / "missing.txt")
    assert result.stderr == f"aiocurl: error: cannot read {missing!r}: no such file or directory\n"


async def test_a_batch_can_print_a_summary_instead(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, _ = recorder
    lines = f"{base}/a\n{base}/b?status=404\nhttp://127.0.0.1:9/refused\n"
    result = await arun_cli("--batch", batch_file(tmp_path, lines), "--summary", "json")
    assert result.exit_status == 1
    got = json.loads(result.stdout)  # one object: no records
    assert (got["requests"], got["answered"], got["failed"]) == (3, 2, 1)
    assert got["status"] == {"200": 1, "404": 1} and got["errors"] == {"connect": 1}


async def test_a_bar_on_stderr_while_records_go_to_a_pipe(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    base, _ = recorder
    lines = "".join(f"{base}/p/{i}\n" for i in range(30))
    result = await arun_cli("--batch", batch_file(tmp_path, lines), stderr_tty=True)
    assert result.exit_status == 0, result.stderr
    assert len(records(result)) == 30 and "30/30" in result.stderr


async def test_bodies_saved_to_a_directory(recorder: tuple[str, Recorder], tmp_path: Path) -> None:
    base, _ = recorder
    out = tmp_path / "out"
    out.mkdir()
    lines = f"{base}/same.txt\n{base}/same.txt\n{base}/other?status=404\n"
    result = await arun_cli("--batch", batch_file(tmp_path, lines), "--output-dir", str(out))
    assert result.exit_status == 0, result.stderr
    got = {record["line"]: record for record in records(result)}
    assert got[3]["file"] is None  # not a 2xx: nothing saved, as with --download
    saved = sorted(Path(got[line]["file"]).name for line in (1, 2))
    assert saved == ["same-1.txt", "same.txt"]  # never the same file twice
    assert sorted(path.name for path in out.iterdir()) == saved
    assert (out / "same.txt").read_text() == "/same.txt"
    missing = await arun_cli(
        "--batch", batch_file(tmp_path, lines), "--output-dir", str(tmp_path / "no")
    )
    assert missing.exit_status == 1 and "is not a directory" in missing.stderr


async def test_ctrl_c_keeps_the_records_so_far_and_counts_them(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    import os
    import shutil
    import signal

    base, state = recorder
    state.hold_until = 10**6  # the held requests never finish on their own
    lines = f"{base}/quick?status=200\n" + "".join(f"{base}/held/{i}\n" for i in range(3))
    executable = shutil.which("aiocurl")
    assert executable is not None
    path = batch_file(tmp_path, lines)
    process = await asyncio.create_subprocess_exec(
        executable,
        "--batch",
        path,
        "--concurrency",
        "4",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ},
    )
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), 30)  # the quick one's record
    while len(state.seen) < 4:  # and all four arrived: three are held
        state.arrived.clear()
        await asyncio.wait_for(state.arrived.wait(), 30)
    process.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert json.loads(first)["line"] == 1 and stdout == b""
    assert stderr.decode().startswith("aiocurl: 1 requests, 1 answered, in ")
    assert stderr.decode().endswith(" s\n\naiocurl: interrupted\n")


async def test_a_missing_password_is_asked_once_for_the_whole_batch(
    recorder: tuple[str, Recorder], tmp_path: Path
) -> None:
    import base64
    import io

    from aiocurl.cli.main import main
    from aiocurl.environment import Environment

    base, state = recorder
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "s3cret"

    stdout, stderr = io.BytesIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, stdin_isatty=True, prompt_password=prompt)
    path = batch_file(tmp_path, "".join(f"{base}/auth/{i}\n" for i in range(3)))
    status = await asyncio.to_thread(main, ["--batch", path, "-a", "ada"], env)
    assert status == 0, stderr.getvalue()
    assert asked == ["aiocurl: password for ada: "]
    token = "Basic " + base64.b64encode(b"ada:s3cret").decode()
    assert [entry["authorization"] for entry in state.seen] == [token] * 3


class Gate:
    """Holds every request until the test lets some through; counts what arrived."""

    def __init__(self) -> None:
        self.arrived = 0
        self.in_flight = asyncio.Event()
        self._through = asyncio.Semaphore(0)

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived += 1
        self.in_flight.set()
        await self._through.acquire()
        return web.Response(text="ok")

    def let_through(self, count: int) -> None:
        for _ in range(count):
            self._through.release()


async def test_ctrl_c_in_a_terminal_prints_the_summary_and_exits_130(tmp_path: Path) -> None:
    from pseudo_terminal import pty_command

    gate = Gate()
    async with serving(gate.handle) as server:
        base = str(server.make_url("")).rstrip("/")
        path = batch_file(tmp_path, "".join(f"{base}/held/{i}\n" for i in range(300)))
        argv = ("--batch", path, "--summary", "text", "--concurrency", "10")
        async with pty_command(*argv) as terminal:
            await asyncio.wait_for(gate.in_flight.wait(), 30)
            gate.let_through(20)
            await terminal.wait_for(b"20/300")  # the progress display counted them
            terminal.press_ctrl_c()
            assert await terminal.exit_status() == 130
        gate.let_through(gate.arrived)  # the server can close
    output = bytes(terminal.output)
    assert b"Traceback" not in output
    shown = terminal.screen()
    start = shown.index("Summary:")  # at the start of a line: the progress line is gone
    assert shown[start + 1] == "  Requests:      20 (20 answered, 0 failed)"
    assert "  [200] 20" in shown[start:]
    assert shown[-2:] == ["", "aiocurl: interrupted"]
    assert all("━" not in line and "/300" not in line for line in shown)  # nothing left of it
    assert output.rindex(b"\x1b[?25h") > output.rindex(b"\x1b[?25l")  # the cursor is back
    assert gate.arrived < 300  # stopped midway


async def test_a_batch_summary_in_colour_on_a_terminal(
    recorder: tuple[str, Recorder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")  # rich tells a terminal's colours by its kind
    base, _ = recorder
    path = batch_file(tmp_path, f"{base}/a\n{base}/b?status=404\nhttp://127.0.0.1:9/refused\n")
    coloured = await arun_cli("--batch", path, "--summary", "text", tty=True, stderr_tty=False)
    assert coloured.exit_status == 1
    text = coloured.text
    assert text.startswith("\x1b[1mSummary:\x1b[0m\n")
    assert "[\x1b[1;32m200\x1b[0m] 1\n  [\x1b[1;31m404\x1b[0m] 1\n" in text
    assert "  [\x1b[31mconnect\x1b[0m] 1\n" in text and "█" in text
    piped = await arun_cli("--batch", path, "--summary", "text")
    assert "\x1b" not in piped.text and "\n  [200] 1\n  [404] 1\n" in piped.text
    assert piped.text.endswith("\nErrors:\n  [connect] 1\n") and "#" in piped.text

"""Load runs (--repeat, --duration, --rate) against servers the tests run: how many requests
arrive, how many at once, how they are spaced, and what the summary says."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from helpers import Result, arun_cli, serving
from pseudo_terminal import pty_command


class Counting:
    """Notes each request's arrival time and body; can hold requests until N are in."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.bodies: list[bytes] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.hold_until: int | None = None
        self.never_answer = False
        self.enough = asyncio.Event()
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.arrivals.append(time.monotonic())
        self.bodies.append(await request.read())
        self.arrived.set()
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.never_answer:
                await asyncio.Event().wait()
            if self.hold_until is not None:
                if self.in_flight >= self.hold_until:
                    self.enough.set()
                await asyncio.wait_for(self.enough.wait(), 20)
            return web.Response(status=int(request.query.get("status", "200")), text="ok")
        finally:
            self.in_flight -= 1


@pytest.fixture
async def counting() -> AsyncIterator[tuple[str, Counting]]:
    state = Counting()
    async with serving(state.handle) as server:
        yield str(server.make_url("/load")), state


def summary(result: Result) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


async def test_repeat_sends_exactly_n_and_sums_them_up(counting: tuple[str, Counting]) -> None:
    url, state = counting
    result = await arun_cli("--repeat", "120", "--concurrency", "8", "--summary", "json", url)
    assert result.exit_status == 0, result.stderr
    assert len(state.arrivals) == 120
    got = summary(result)
    assert (got["requests"], got["answered"], got["failed"]) == (120, 120, 0)
    assert got["status"] == {"200": 120} and got["bytes"] == 240
    assert sum(got["histogram"]["counts"].values()) == 120
    latency = got["latency_ms"]
    assert latency["min"] <= latency["p50"] <= latency["p99"] <= latency["max"]


async def test_the_text_summary(counting: tuple[str, Counting]) -> None:
    url, _ = counting
    result = await arun_cli("--repeat", "20", url)
    assert result.exit_status == 0, result.stderr
    text = result.text
    assert text.startswith("Summary:\n  Requests:      20 (20 answered, 0 failed)\n")
    for heading in ("Latency:", "  p99 ", "Histogram:", "Status codes:\n  [200] 20"):
        assert heading in text


async def test_concurrency_is_real_and_bounded(counting: tuple[str, Counting]) -> None:
    url, state = counting
    state.hold_until = 6  # nothing is answered until six are in flight
    result = await arun_cli("--repeat", "18", "--concurrency", "6", url)
    assert result.exit_status == 0, result.stderr
    assert state.most_in_flight == 6


async def test_rate_spaces_the_requests_evenly(counting: tuple[str, Counting]) -> None:
    url, state = counting
    result = await arun_cli("--repeat", "11", "--rate", "20", "--concurrency", "5", url)
    assert result.exit_status == 0, result.stderr
    span = state.arrivals[-1] - state.arrivals[0]
    assert span >= 0.4  # ten gaps of 50 ms, with room for a busy machine


async def test_duration_counts_requests_in_flight_as_unfinished(
    counting: tuple[str, Counting],
) -> None:
    url, state = counting
    state.never_answer = True
    result = await arun_cli("--duration", "0.3", "--concurrency", "3", "--summary", "json", url)
    assert result.exit_status == 0, result.stderr
    got = summary(result)
    assert (got["requests"], got["unfinished"], got["errors"]) == (0, 3, {})


async def test_the_body_is_sent_again_each_time(counting: tuple[str, Counting]) -> None:
    url, state = counting
    result = await arun_cli("--repeat", "3", "POST", url, "name=ada", "age:=36")
    assert result.exit_status == 0, result.stderr
    assert [json.loads(body) for body in state.bodies] == [{"name": "ada", "age": 36}] * 3


async def test_failures_by_kind_and_the_exit_code(counting: tuple[str, Counting]) -> None:
    url, _ = counting
    refused = await arun_cli("--repeat", "5", "--summary", "json", "http://127.0.0.1:9/x")
    assert refused.exit_status == 1
    assert summary(refused)["errors"] == {"connect": 5}
    checked = await arun_cli("--repeat", "4", "--check-status", f"{url}?status=503")
    assert checked.exit_status == 5
    unchecked = await arun_cli("--repeat", "4", f"{url}?status=503")
    assert unchecked.exit_status == 0


async def test_summaries_add_up(counting: tuple[str, Counting], tmp_path: Path) -> None:
    url, _ = counting
    paths = []
    for name, count in (("a", "30"), ("b", "12")):
        result = await arun_cli("--repeat", count, "--summary", "json", url)
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_bytes(result.stdout)
    merged = await arun_cli("--merge-summaries", "--summary", "json", *map(str, paths))
    assert merged.exit_status == 0, merged.stderr
    got = summary(merged)
    assert got["requests"] == 42 and got["status"] == {"200": 42}
    assert sum(got["histogram"]["counts"].values()) == 42
    (tmp_path / "bad.json").write_text('{"requests": 1}')
    bad = await arun_cli("--merge-summaries", str(tmp_path / "bad.json"))
    assert bad.exit_status == 1 and bad.stderr.startswith("aiocurl: error: --merge-summaries: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--download"], "--download cannot be used with --repeat or --duration"),
        (["--offline"], "--offline cannot be used with --repeat or --duration"),
        (["--batch", "x.txt"], "--batch and --repeat/--duration cannot be combined"),
        (["--rate", "-1"], "--rate: expected a number of requests a second > 0"),
        (["--concurrency", "0"], "--concurrency: 0 is not in the range"),
    ],
)
async def test_what_a_load_run_cannot_do(
    counting: tuple[str, Counting], argv: list[str], message: str
) -> None:
    url, state = counting
    result = await arun_cli("--repeat", "3", *argv, url)
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: ") and message in result.stderr
    assert state.arrivals == []


async def test_ctrl_c_prints_the_summary_of_what_completed(
    counting: tuple[str, Counting],
) -> None:
    url, state = counting
    executable = shutil.which("aiocurl")
    assert executable is not None
    process = await asyncio.create_subprocess_exec(
        executable,
        "--duration",
        "60",
        "--rate",
        "50",
        url,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ},
    )
    await asyncio.wait_for(state.arrived.wait(), 30)
    process.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert stdout.startswith(b"Summary:\n  Requests:")
    assert stderr == b"\naiocurl: interrupted\n"


async def test_a_terminal_shows_progress_on_stderr(counting: tuple[str, Counting]) -> None:
    url, _ = counting
    result = await arun_cli("--repeat", "40", "--rate", "100", url, stderr_tty=True)
    assert result.exit_status == 0, result.stderr
    assert "requests" in result.stderr and "0 failed" in result.stderr
    quiet = await arun_cli("--repeat", "5", url)  # stderr not a terminal: nothing there
    assert quiet.stderr == ""


async def test_retries_count_once_and_are_summed(counting: tuple[str, Counting]) -> None:
    url, _ = counting
    result = await arun_cli(
        "--repeat",
        "3",
        "--retry",
        "2",
        "--retry-delay",
        "0.01",
        "--summary",
        "json",
        f"{url}?status=503",
    )
    got = summary(result)
    assert (got["requests"], got["retries"], got["status"]) == (3, 6, {"503": 3})
    assert result.stderr == ""  # a load run does not announce each retry


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rate", "5"], "--rate goes with --repeat or --duration"),
        (["--summary", "json"], "--summary goes with --batch, --repeat or --duration"),
        (["--ordered"], "--ordered goes with --batch"),
        (["--output-dir", "."], "--output-dir goes with --batch"),
    ],
)
async def test_flags_of_many_requests_on_a_single_one(
    counting: tuple[str, Counting], argv: list[str], message: str
) -> None:
    url, state = counting
    result = await arun_cli(*argv, url)
    assert result.exit_status == 1 and message in result.stderr
    assert state.arrivals == []


async def test_a_failure_keeps_its_own_exit_code(echo_url: str) -> None:
    result = await arun_cli(
        "--repeat", "3", "-F", "--max-redirects", "1", "--summary", "json", f"{echo_url}/redirect/5"
    )
    assert result.exit_status == 6  # too many redirects, as for one request
    assert summary(result)["errors"] == {"too_many_redirects": 3}


async def test_ctrl_c_in_a_terminal_prints_the_summary_and_exits_130(
    counting: tuple[str, Counting],
) -> None:
    url, state = counting
    async with pty_command("--duration", "60", "--rate", "50", url) as terminal:
        await asyncio.wait_for(state.arrived.wait(), 30)
        await terminal.wait_for(b" failed")  # the progress display is up
        terminal.press_ctrl_c()
        assert await terminal.exit_status() == 130
    output = bytes(terminal.output)
    assert b"Traceback" not in output
    shown = terminal.screen()
    start = shown.index("Summary:")  # at the start of a line: the progress line is gone
    answered = int(shown[start + 1].split()[1])
    assert shown[start + 1].startswith("  Requests:") and 0 < answered <= len(state.arrivals)
    assert shown[-2:] == ["", "aiocurl: interrupted"]
    assert all("━" not in line and "/s " not in line for line in shown)  # nothing left of it
    assert output.rindex(b"\x1b[?25h") > output.rindex(b"\x1b[?25l")  # the cursor is back
    assert b"\x1b[1mSummary:\x1b[0m" in output  # and a terminal gets colour


ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
PLAIN_ROW = re.compile(r" +\d+\.\d{3} ms \[\d+\] (#+|■+)")


def histogram_rows(text: str) -> list[str]:
    return text.split("Histogram:\n")[1].split("\n\n")[0].splitlines()


def assert_plain_summary(text: str, mark: str) -> None:
    """The plain layout, as a pipe has always had it: no escape codes, `mark` bars."""
    assert "\x1b" not in text
    assert text.startswith("Summary:\n  Requests:      20 (20 answered, 0 failed)\n")
    assert text.endswith("\nStatus codes:\n  [200] 20\n")
    rows = histogram_rows(text)
    assert rows and all(PLAIN_ROW.fullmatch(row) and mark in row for row in rows)


@pytest.fixture
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")  # rich tells a terminal's colours by its kind


async def test_a_terminal_gets_the_summary_drawn_in_colour(
    counting: tuple[str, Counting], colour_terminal: None
) -> None:
    url, _ = counting
    result = await arun_cli("--repeat", "20", url, tty=True, stderr_tty=False)
    assert result.exit_status == 0, result.stderr
    text = result.text
    assert text.startswith("\x1b[1mSummary:\x1b[0m\n  Requests:      20 (20 answered, 0 failed)")
    assert "\n\x1b[1mStatus codes:\x1b[0m\n  [\x1b[1;32m200\x1b[0m] 20\n" in text
    rows = histogram_rows(ESCAPE.sub("", text))
    assert rows and all("█" in row for row in rows) and "■" not in text and "#" not in text
    assert len({row.index("█") for row in rows}) == 1  # the bars start in one column
    assert "\x1b[32m█" in text  # and are drawn in colour


@pytest.mark.parametrize(
    ("argv", "env"),
    [([], {}), (["--pretty", "all"], {}), ([], {"FORCE_COLOR": "1"})],
    ids=["plain", "pretty-all", "force-color"],
)
async def test_a_pipe_gets_the_plain_summary_whatever_the_colour_switches(
    counting: tuple[str, Counting], colour_terminal: None, argv: list[str], env: dict[str, str]
) -> None:
    url, _ = counting
    result = await arun_cli("--repeat", "20", *argv, url, env=env)
    assert result.exit_status == 0, result.stderr
    assert_plain_summary(result.text, "#")


@pytest.mark.parametrize(
    ("argv", "env"),
    [([], {"NO_COLOR": "1"}), (["--pretty", "none"], {}), (["--pretty", "format"], {})],
    ids=["no-color", "pretty-none", "pretty-format"],
)
async def test_a_terminal_with_colours_off_gets_the_plain_summary(
    counting: tuple[str, Counting], colour_terminal: None, argv: list[str], env: dict[str, str]
) -> None:
    url, _ = counting
    result = await arun_cli("--repeat", "20", *argv, url, tty=True, stderr_tty=False, env=env)
    assert result.exit_status == 0, result.stderr
    assert_plain_summary(result.text, "■")


async def test_merged_summaries_in_colour_on_a_terminal(
    counting: tuple[str, Counting], colour_terminal: None, tmp_path: Path
) -> None:
    url, _ = counting
    saved = tmp_path / "run.json"
    saved.write_bytes((await arun_cli("--repeat", "20", "--summary", "json", url)).stdout)
    coloured = await arun_cli("--merge-summaries", str(saved), tty=True)
    assert coloured.exit_status == 0, coloured.stderr
    assert coloured.text.startswith("\x1b[1mSummary:\x1b[0m\n") and "█" in coloured.text
    plain = await arun_cli("--merge-summaries", "--pretty", "none", str(saved), tty=True)
    assert_plain_summary(plain.text, "■")


def test_a_load_run_in_a_pipe_does_not_import_rich(echo_url: str) -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from aiocurl.cli.main import main\n"
        f"status = main(['--repeat', '5', {echo_url + '/get'!r}])\n"
        "print('STATUS', status, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.stdout.startswith("Summary:\n") and "#" in done.stdout
    assert done.stderr.splitlines()[-1] == "STATUS 0 False"


@pytest.mark.parametrize("run", [["--repeat", "1000"], ["--duration", "60"]])
async def test_ctrl_c_sends_nothing_more_and_lets_those_in_flight_finish(
    counting: tuple[str, Counting], run: list[str]
) -> None:
    url, state = counting
    state.hold_until = 1000  # never reached: the requests wait until the test lets them go
    async with pty_command(*run, "--concurrency", "3", url) as terminal:
        while len(state.arrivals) < 3:
            state.arrived.clear()
            await asyncio.wait_for(state.arrived.wait(), 30)
        await terminal.wait_for(b" failed")  # the progress display is up
        terminal.press_ctrl_c()
        await terminal.wait_for(b"\x1b[?25h")  # the display is gone: the grace has begun
        state.enough.set()  # those in flight are answered within their grace second
        assert await terminal.exit_status() == 130
    shown = terminal.screen()
    assert "  Requests:      3 (3 answered, 0 failed)" in shown
    assert len(state.arrivals) == 3  # and nothing was sent after Ctrl-C


async def test_a_second_ctrl_c_in_the_grace_period_still_leaves_a_clean_terminal(
    counting: tuple[str, Counting],
) -> None:
    url, state = counting
    state.never_answer = True  # the requests stay in flight: the whole grace second
    async with pty_command("--repeat", "100", "--concurrency", "3", url) as terminal:
        await asyncio.wait_for(state.arrived.wait(), 30)
        await terminal.wait_for(b" failed")  # the progress display is up
        shown_before = len(terminal.output)
        terminal.press_ctrl_c()
        await terminal.wait_for(b"\x1b[?25h")  # the display is gone: the grace has begun
        assert terminal.output.rindex(b"\x1b[?25h") >= shown_before
        terminal.press_ctrl_c()
        assert await terminal.exit_status() == 130
    output = bytes(terminal.output)
    assert b"Traceback" not in output
    shown = terminal.screen()
    assert "Summary:" in shown  # on a line of its own, after the echoed ^C
    assert all("━" not in line for line in shown)
    assert output.rindex(b"\x1b[?25h") > output.rindex(b"\x1b[?25l")

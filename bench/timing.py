#!/usr/bin/env python3
"""What the phase timing costs: this aiocurl against one without it, alternating in one run.

Run by hand (never by the test suite), from the repository:

    apt-get install nginx-light          # the server
    python bench/timing.py [--rounds 31] [--load-rounds 7] [--baseline-ref REF]

The baseline is `git archive REF aiocurl` (by default where this branch left main: `git
merge-base HEAD main`) unpacked in a temporary directory; both
builds run as `python -m aiocurl` with their own directory first on PYTHONPATH, on the same
interpreter, against nginx (one worker) serving a 1 KiB file on 127.0.0.1. Two parts:

1. One GET, each command a whole process timed from start to exit: this build, the
   baseline, and this build with `--timing` and with `-w '%{time_total}'` (what the
   tracing costs when it is asked for). Prints the median of each and the ratio to the
   baseline: without a timing flag the wiring must cost nothing measurable.
2. A load run, `--repeat N --concurrency 50 --summary json`, through the same
   `_send_hop`: requests per second as the run reports it (its own clock), this build
   against the baseline.

The commands alternate round by round, so that drift hits all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import free_port, start_nginx

REPO = Path(__file__).resolve().parent.parent


def git(*argv: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *argv], check=True, capture_output=True)
    return done.stdout.decode().strip()


def export(ref: str, into: str) -> str:
    """The package as it is at `ref`, unpacked under `into`."""
    os.makedirs(into)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "aiocurl"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def command(source: str, *argv: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, PYTHONPATH=source)
    return [sys.executable, "-m", "aiocurl", *argv], env


def time_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}")
    return elapsed


def load_rate(argv: list[str], env: dict[str, str]) -> float:
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {done.stderr.decode()}")
    return float(json.loads(done.stdout)["rps"])


def single_requests(url: str, this: str, baseline: str, rounds: int) -> None:
    commands = {
        "baseline": command(baseline, url),
        "this build": command(this, url),
        "--timing": command(this, "--timing", url),
        "-w time_total": command(this, "-w", "%{time_total}", url),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(2):  # warm the file cache; not counted
        for argv, env in commands.values():
            time_once(argv, env)
    for _ in range(rounds):
        for name, (argv, env) in commands.items():
            samples[name].append(time_once(argv, env))
    print(f"\nGET, whole process (median of {rounds}, ms)")
    base = statistics.median(samples["baseline"])
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:<16} {median * 1000:8.1f}   /baseline = {median / base:.3f}")


def load_runs(url: str, this: str, baseline: str, rounds: int, count: int) -> None:
    flags = ("--repeat", str(count), "--concurrency", "50", "--summary", "json", url)
    commands = {"baseline": command(baseline, *flags), "this build": command(this, *flags)}
    rates: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (argv, env) in commands.items():
            rates[name].append(load_rate(argv, env))
    print(f"\nLoad run, {count} GETs over 50 connections (median of {rounds}, requests/s)")
    base = statistics.median(rates["baseline"])
    for name, values in rates.items():
        median = statistics.median(values)
        spread = f"{min(values):.0f}..{max(values):.0f}"
        print(f"  {name:<16} {median:8.0f}   ({spread})   /baseline = {median / base:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--load-rounds", type=int, default=7)
    parser.add_argument("--load-count", type=int, default=20000)
    parser.add_argument("--baseline-ref", help="default: git merge-base HEAD main")
    args = parser.parse_args()
    ref = args.baseline_ref or git("merge-base", "HEAD", "main")
    print(f"baseline: {ref}")
    with tempfile.TemporaryDirectory(prefix="aiocurl-timing-bench-") as work:
        baseline = export(ref, os.path.join(work, "baseline"))
        prefix = os.path.join(work, "nginx")
        os.makedirs(f"{prefix}/www")
        Path(f"{prefix}/www/file.bin").write_bytes(b"x" * 1024)
        port = free_port()
        server = start_nginx(prefix, port)
        try:
            url = f"http://127.0.0.1:{port}/file.bin"
            this = str(REPO)
            single_requests(url, this, baseline, args.rounds)
            load_runs(url, this, baseline, args.load_rounds, args.load_count)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

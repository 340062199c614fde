#!/usr/bin/env python3
"""Download a large file from nginx on 127.0.0.1: aiocurl vs curl vs HTTPie, one run.

Run by hand (never by the test suite):

    apt-get install nginx-light   # the peer server (any nginx works)
    pip install httpie            # the peer client; curl comes from Debian
    python bench/download.py [--size-mib 1024] [--rounds 5]

nginx runs from a temporary prefix and serves one file of random bytes. Each command runs
in turn, round after round, its body saved with -o, into a file through stdout (`> file`)
or into a pipe (`| sha256sum`), and every result is checked against the file. A small
launcher forks each command and takes from wait4() its wall time, its user CPU and its
peak resident memory (not the script's own, which Linux would carry across the exec).

It prints, per command, the median and the fastest time, throughput, user CPU per GiB and
peak RSS; aiocurl's throughput as a ratio of curl's (medians, and fastest runs); and the
goals: at least 1.0x curl, at most 0.15 s of user CPU per GiB, under 80 MB. The user CPU of
aiocurl fetching an empty file (start-up: Python, imports) is measured too, and the CPU
above it shown per GiB: what the transfer itself costs. Wall times are noisy on a shared
machine; user CPU is steady.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from common import free_port, start_nginx, write_random_file

# As common.LAUNCHER, with the CPU times: wall, peak RSS, user and system seconds.
LAUNCHER = r"""
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as handle:
    handle.write(f"{elapsed} {usage.ru_maxrss * 1024} {usage.ru_utime} {usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""

GOAL_RATIO = 1.0  # of curl -o's throughput, median and fastest
GOAL_USER_PER_GIB = 0.15  # seconds
GOAL_RSS = 80e6  # bytes


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss: int
    user: float
    system: float


@dataclass(frozen=True)
class Command:
    argv: list[str]
    into: str  # "file": the command writes the target; "stdout": `> target`; "pipe": `| sha256sum`


def commands(url: str, target: str, aiocurl: str = "aiocurl") -> dict[str, Command]:
    return {
        "aiocurl -d -o": Command([aiocurl, "-q", "-d", "-o", target, url], "file"),
        "aiocurl -o": Command([aiocurl, "-q", "-o", target, url], "file"),
        "aiocurl > file": Command([aiocurl, url], "stdout"),
        "aiocurl | sha256sum": Command([aiocurl, url], "pipe"),
        "curl -o": Command(["curl", "-sS", "-o", target, url], "file"),
        "curl > file": Command(["curl", "-sS", url], "stdout"),
        "curl | sha256sum": Command(["curl", "-sS", url], "pipe"),
        "httpie -d -o": Command(["http", "-q", "--ignore-stdin", "-d", "-o", target, url], "file"),
    }


def launch(argv: list[str], stdout: int) -> Sample:
    with tempfile.NamedTemporaryFile("r", suffix=".measure") as report:
        launcher = [sys.executable, "-S", "-I", "-c", LAUNCHER, report.name, *argv]
        done = subprocess.run(
            launcher, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, check=False
        )
        written = report.read().split()
    if done.returncode != 0 or len(written) != 4:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stderr.decode()}")
    return Sample(float(written[0]), int(written[1]), float(written[2]), float(written[3]))


def run(command: Command, target: str, digest: str) -> Sample:
    """One run, its result checked against the served file, then removed."""
    if command.into == "pipe":
        read_end, write_end = os.pipe()
        checker = subprocess.Popen(["sha256sum"], stdin=read_end, stdout=subprocess.PIPE)
        os.close(read_end)
        try:
            sample = launch(command.argv, write_end)
        finally:
            os.close(write_end)
        got = checker.communicate()[0].split()[0].decode()
    elif command.into == "stdout":
        with open(target, "wb") as stdout:
            sample = launch(command.argv, stdout.fileno())
        got = file_digest(target)
        os.remove(target)
    else:
        sample = launch(command.argv, subprocess.DEVNULL)
        got = file_digest(target)
        os.remove(target)
    if got != digest:
        raise SystemExit(f"{' '.join(command.argv)}: the bytes differ from the served file")
    return sample


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def serve_file(prefix: str, size_mib: int) -> str:
    """The served file (random bytes) and an empty one; the big one's SHA-256."""
    os.makedirs(f"{prefix}/www")
    path = write_random_file(f"{prefix}/www/payload.bin", size_mib)
    open(f"{prefix}/www/empty.bin", "wb").close()
    return file_digest(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    gib = size / 1024**3
    with tempfile.TemporaryDirectory() as prefix:
        os.chmod(prefix, 0o755)  # nginx's workers drop root and must still read the file
        digest = serve_file(prefix, args.size_mib)
        port = free_port()
        server = start_nginx(prefix, port)
        try:
            url = f"http://127.0.0.1:{port}/payload.bin"
            target = f"{prefix}/saved.bin"
            tools = {n: c for n, c in commands(url, target).items() if shutil.which(c.argv[0])}
            samples: dict[str, list[Sample]] = {name: [] for name in tools}
            empty = Command(
                ["aiocurl", "-q", "-o", target, f"http://127.0.0.1:{port}/empty.bin"], "file"
            )
            start_up: list[Sample] = []
            for _ in range(args.rounds):
                for name, command in tools.items():
                    samples[name].append(run(command, target, digest))
                if "aiocurl -o" in tools:
                    start_up.append(run(empty, target, hashlib.sha256().hexdigest()))
        finally:
            server.terminate()
            server.wait(timeout=10)
    report(samples, start_up, size, gib, args)


def report(
    samples: dict[str, list[Sample]],
    start_up: list[Sample],
    size: int,
    gib: float,
    args: argparse.Namespace,
) -> None:
    base = statistics.median(s.user for s in start_up) if start_up else 0.0
    print(f"\ndownload of {args.size_mib} MiB from nginx, {args.rounds} rounds")
    print(
        f"  {'command':<20} {'median s':>8} {'min s':>6} {'MB/s':>6} "
        f"{'user s/GiB':>10} {'above start-up':>14} {'peak RSS MB':>11}"
    )
    medians, fastest = {}, {}
    for name, runs in samples.items():
        medians[name] = statistics.median(s.seconds for s in runs)
        fastest[name] = min(s.seconds for s in runs)
        user = statistics.median(s.user for s in runs) / gib
        above = f"{user - base / gib:14.3f}" if name.startswith("aiocurl") else f"{'':14}"
        print(
            f"  {name:<20} {medians[name]:8.2f} {fastest[name]:6.2f} "
            f"{size / medians[name] / 1e6:6.0f} {user:10.3f} {above} "
            f"{max(s.rss for s in runs) / 1e6:11.1f}"
        )
    if start_up:
        print(f"  aiocurl start-up (an empty file): {base:.3f} s of user CPU")
    print()
    for ours, theirs in (
        ("aiocurl -d -o", "curl -o"),
        ("aiocurl -o", "curl -o"),
        ("aiocurl > file", "curl > file"),
        ("aiocurl | sha256sum", "curl | sha256sum"),
    ):
        if ours not in samples or theirs not in samples:
            continue
        median = medians[theirs] / medians[ours]
        best = fastest[theirs] / fastest[ours]
        user = statistics.median(s.user for s in samples[ours]) / gib
        rss = max(s.rss for s in samples[ours])
        met = median >= GOAL_RATIO and best >= GOAL_RATIO
        met = met and user <= GOAL_USER_PER_GIB and rss < GOAL_RSS
        print(
            f"  {ours:<20} {median:.2f}x {theirs} (fastest runs {best:.2f}x), "
            f"user {user:.3f} s/GiB, {rss / 1e6:.0f} MB: "
            f"{'meets' if met else 'misses'} the goal (>= {GOAL_RATIO}x, "
            f"<= {GOAL_USER_PER_GIB} s/GiB, < {GOAL_RSS / 1e6:.0f} MB)"
        )


if __name__ == "__main__":
    main()

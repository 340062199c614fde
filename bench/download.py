#!/usr/bin/env python3
"""Download a large file from nginx on 127.0.0.1: aiocurl vs curl vs HTTPie, one run.

Run by hand (never by the test suite):

    apt-get install nginx-light   # the peer server (any nginx works)
    pip install httpie            # the peer client; curl comes from Debian
    python bench/download.py [--size-mib 1024] [--rounds 5]

nginx runs from a temporary prefix and serves one file of random bytes. Each command
runs in turn, round after round, writing to a fresh file. For each run the script
records its wall time and its peak resident memory, taken from wait4(). It prints
medians, throughput, and aiocurl's throughput as a ratio of curl's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from common import free_port, start_nginx, write_random_file


def run(argv: list[str], target: str) -> tuple[float, int]:
    """Wall time and peak RSS of one command; checks and removes what it saved."""
    started = time.perf_counter()
    with open(target + ".stdout", "wb") as stdout:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"failed: {' '.join(argv)}\n{process.stderr.read().decode()}")
    for path in (target, target + ".stdout"):
        if os.path.exists(path):
            os.remove(path)
    return elapsed, usage.ru_maxrss * 1024


def commands(url: str, target: str, aiocurl: str = "aiocurl") -> dict[str, list[str]]:
    return {
        "aiocurl -d -o": [aiocurl, "-q", "-d", "-o", target, url],
        "aiocurl -o": [aiocurl, "-q", "-o", target, url],
        "aiocurl > pipe": [aiocurl, url],
        "curl -o": ["curl", "-sS", "-o", target, url],
        "httpie -d -o": ["http", "-q", "--ignore-stdin", "-d", "-o", target, url],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    with tempfile.TemporaryDirectory() as prefix:
        os.chmod(prefix, 0o755)  # nginx's workers drop root and must still read the file
        os.makedirs(f"{prefix}/www")
        write_random_file(f"{prefix}/www/payload.bin", args.size_mib)
        port = free_port()
        server = start_nginx(prefix, port)
        try:
            url = f"http://127.0.0.1:{port}/payload.bin"
            target = f"{prefix}/saved.bin"
            tools = {n: a for n, a in commands(url, target).items() if shutil.which(a[0])}
            samples: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
            for _ in range(args.rounds):
                for name, argv in tools.items():
                    samples[name].append(run(argv, target))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\ndownload of {args.size_mib} MiB from nginx, median of {args.rounds} rounds")
    print(f"  {'command':<16} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    rates = {}
    for name, runs in samples.items():
        seconds = statistics.median(t for t, _ in runs)
        rates[name] = size / seconds / 1e6
        print(
            f"  {name:<16} {seconds:8.2f} {rates[name]:8.0f} {max(r for _, r in runs) / 1e6:12.1f}"
        )
    for ours in ("aiocurl -d -o", "aiocurl -o", "aiocurl > pipe"):
        if ours in rates and "curl -o" in rates:
            print(f"  {ours} / curl -o throughput = {rates[ours] / rates['curl -o']:.2f}")


if __name__ == "__main__":
    main()

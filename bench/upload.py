#!/usr/bin/env python3
"""Upload a large file to a local server: aiocurl vs curl (-T, -F) vs HTTPie, one run.

Run by hand (never by the test suite):

    pip install httpie            # the peer; curl comes from Debian
    python bench/upload.py [--size-mib 1024] [--rounds 3]

A separate process serves a discarding endpoint on 127.0.0.1. Each command runs in
turn, round after round. For each run the script records its wall time and its peak
resident memory, taken from wait4(). It prints medians, throughput, and aiocurl's
throughput as a ratio of curl's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from common import free_port, wait_listening, write_random_file

SERVER = r"""
import sys
from aiohttp import web

async def discard(request):
    size = 0
    async for block in request.content.iter_chunked(1 << 20):
        size += len(block)
    return web.json_response({"received": size})

app = web.Application()
app.router.add_route("*", "/upload", discard)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def run(argv: list[str]) -> tuple[float, int]:
    """Wall time in seconds and peak RSS in bytes of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"failed: {' '.join(argv)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024


def start_sink(python: str, port: int) -> subprocess.Popen[bytes]:
    """The discarding endpoint at http://127.0.0.1:PORT/upload, in a process of its own."""
    server = subprocess.Popen([python, "-c", SERVER, str(port)], stdout=subprocess.DEVNULL)
    try:
        wait_listening(port, "the upload sink")
    except BaseException:
        server.kill()
        raise
    return server


def commands(url: str, path: str, aiocurl: str = "aiocurl") -> dict[str, list[str]]:
    return {
        "aiocurl @file (PUT)": [aiocurl, "-q", "PUT", url, f"@{path}"],
        "curl -T": ["curl", "-sS", "-o", "/dev/null", "-T", path, url],
        "aiocurl --form f@file": [aiocurl, "-q", "--form", url, f"f@{path}"],
        "curl -F": ["curl", "-sS", "-o", "/dev/null", "-F", f"f=@{path}", url],
        "httpie @file (PUT)": ["http", "-q", "--ignore-stdin", "PUT", url, f"@{path}"],
        "httpie --form f@file": ["http", "-q", "--ignore-stdin", "--form", url, f"f@{path}"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-httpie", action="store_true", help="HTTPie is slow at 1 GiB")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    port = free_port()
    server = start_sink(sys.executable, port)
    with tempfile.TemporaryDirectory() as folder:
        path = write_random_file(os.path.join(folder, "payload.bin"), args.size_mib)
        try:
            tools = commands(f"http://127.0.0.1:{port}/upload", path)
            tools = {
                name: argv
                for name, argv in tools.items()
                if shutil.which(argv[0]) and not (args.skip_httpie and argv[0] == "http")
            }
            samples: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
            for _ in range(args.rounds):
                for name, argv in tools.items():
                    samples[name].append(run(argv))
        finally:
            server.terminate()
            server.wait(timeout=10)
    report(samples, size, args.rounds)


def report(samples: dict[str, list[tuple[float, int]]], size: int, rounds: int) -> None:
    print(f"\nupload of {size / 2**20:.0f} MiB, median of {rounds} rounds")
    print(f"  {'command':<24} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    rates: dict[str, float] = {}
    for name, runs in samples.items():
        seconds = statistics.median(t for t, _ in runs)
        peak = max(r for _, r in runs) / 1e6
        rates[name] = size / seconds / 1e6
        print(f"  {name:<24} {seconds:8.2f} {rates[name]:8.0f} {peak:12.1f}")
    for ours, theirs in (("aiocurl @file (PUT)", "curl -T"), ("aiocurl --form f@file", "curl -F")):
        if ours in rates and theirs in rates:
            print(f"  {ours} / {theirs} throughput = {rates[ours] / rates[theirs]:.2f}")


if __name__ == "__main__":
    main()

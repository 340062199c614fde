#!/usr/bin/env python3
"""Upload a large file to a local server: aiocurl vs curl (-T, -F) vs HTTPie, one run.

Run by hand (never by the test suite):

    pip install httpie            # the peer; curl comes from Debian
    python bench/upload.py [--size-mib 1024] [--rounds 3]

A separate process serves a discarding endpoint on 127.0.0.1 (SERVER says why it is not
aiohttp's). Each command runs in turn, round after round. For each run the script records
its wall time and its peak resident memory, taken from wait4(). It prints medians,
throughput, and aiocurl's throughput as a ratio of curl's.
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

# The sink reads each body into one reused buffer and answers with its size. aiohttp's own
# server reads slower than curl or aiocurl sends on this machine (it copies each block into
# its stream reader and pauses reading when that fills), so with it the comparison measured
# how each client's writes met the server's pauses. A body needs a Content-Length (the
# commands here all send one); `Expect: 100-continue` (curl's, for large bodies) is answered.
SERVER = r"""
import asyncio, sys

BUFFER = bytearray(1 << 20)


class Sink(asyncio.BufferedProtocol):
    def connection_made(self, transport):
        self.transport, self.head, self.left, self.received = transport, b"", None, 0

    def get_buffer(self, hint):
        return BUFFER

    def buffer_updated(self, count):
        if self.left is None:  # still in the head
            self.head += BUFFER[:count]
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            fields = {}
            for line in self.head[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                fields[name.strip().lower()] = value.strip()
            if b"content-length" not in fields:
                self.answer(b"411 Length Required", b"{}")
                return
            if fields.get(b"expect", b"").lower() == b"100-continue":
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = len(self.head) - end - 4
            self.left, self.received = int(fields[b"content-length"]) - body, body
        else:
            self.left -= count
            self.received += count
        if self.left <= 0:
            self.answer(b"200 OK", b'{"received": %d}' % self.received)

    def answer(self, status, body):
        self.transport.write(
            b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, len(body), body)
        )
        self.head, self.left, self.received = b"", None, 0


async def main():
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()


asyncio.run(main())
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

#!/usr/bin/env python3
"""10,000 small WebSocket messages echoed by a local server: aiocurl vs a bare aiohttp client.

Run by hand (never by the test suite):

    python bench/websocket.py [--messages 10000] [--rounds 5]

A separate process runs an aiohttp echo endpoint on 127.0.0.1. Two clients run in turn,
as whole processes, so both pay their start-up:
- `aiocurl --ws-count N ws://.../ws`, with the messages piped to its stdin;
- a minimal aiohttp script that sends the same lines and reads as many echoes.
The script prints median wall time, messages per second, and aiocurl's rate as a ratio
of the bare client's.
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

from common import free_port, wait_listening

SERVER = r"""
import sys
from aiohttp import web

async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for message in ws:
        await ws.send_str(message.data)
    return ws

app = web.Application()
app.router.add_get("/ws", echo)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""

BARE_CLIENT = r"""
import asyncio, sys
import aiohttp

async def main(url, path):
    with open(path, "rb") as handle:
        lines = handle.read().decode().splitlines()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        async def send():
            for line in lines:
                await ws.send_str(line)
        sender = asyncio.ensure_future(send())
        out = sys.stdout
        for _ in lines:
            message = await ws.receive()
            out.write(message.data + "\n")
        out.flush()
        await sender

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def start_echo(python: str, port: int) -> subprocess.Popen[bytes]:
    """The echo endpoint at ws://127.0.0.1:PORT/ws, in a process of its own."""
    server = subprocess.Popen([python, "-c", SERVER, str(port)])
    try:
        wait_listening(port, "the WebSocket echo server")
    except BaseException:
        server.kill()
        raise
    return server


def write_messages(folder: str, count: int) -> tuple[str, str]:
    """The lines to send (one JSON message each) and the bare client's script."""
    lines_path = os.path.join(folder, "lines.txt")
    with open(lines_path, "w") as handle:
        handle.writelines(f'{{"n": {i}, "text": "message {i}"}}\n' for i in range(count))
    client_path = os.path.join(folder, "bare_client.py")
    with open(client_path, "w") as handle:
        handle.write(BARE_CLIENT)
    return lines_path, client_path


def commands(
    url: str, count: int, lines_path: str, client_path: str, aiocurl: str, python: str
) -> dict[str, list[str]]:
    return {
        "aiocurl (piped)": [aiocurl, "--ws-count", str(count), url],
        "bare aiohttp": [python, client_path, url, lines_path],
    }


def timed(argv: list[str], stdin_path: str, expected_lines: int) -> float:
    with open(stdin_path, "rb") as stdin:
        started = time.perf_counter()
        done = subprocess.run(argv, stdin=stdin, capture_output=True, timeout=300)
        elapsed = time.perf_counter() - started
    lines = done.stdout.count(b"\n")
    if done.returncode != 0 or lines != expected_lines:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}, {lines} lines): {done.stderr!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = free_port()
    server = start_echo(sys.executable, port)
    with tempfile.TemporaryDirectory() as folder:
        lines_path, client_path = write_messages(folder, args.messages)
        try:
            url = f"ws://127.0.0.1:{port}/ws"
            aiocurl = shutil.which("aiocurl") or "aiocurl"
            tools = commands(url, args.messages, lines_path, client_path, aiocurl, sys.executable)
            samples: dict[str, list[float]] = {name: [] for name in tools}
            for _ in range(args.rounds):
                for name, argv in tools.items():
                    samples[name].append(timed(argv, lines_path, args.messages))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\n{args.messages} messages echoed, median of {args.rounds} rounds (whole processes)")
    rates = {}
    for name, times in samples.items():
        seconds = statistics.median(times)
        rates[name] = args.messages / seconds
        print(f"  {name:<16} {seconds:6.2f} s  {rates[name]:9.0f} messages/s")
    ratio = rates["aiocurl (piped)"] / rates["bare aiohttp"]
    print(f"  aiocurl / bare aiohttp = {ratio:.2f}")


if __name__ == "__main__":
    main()

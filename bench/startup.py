#!/usr/bin/env python3
"""Start-up and request latency: aiocurl vs HTTPie, curl and a bare aiohttp GET, alternating.

Run by hand (never by the test suite):

    pip install httpie            # the peer; curl comes from Debian
    python bench/startup.py [--rounds 21] [--baseline PATH/TO/OTHER/aiocurl]

Starts the bundled echo server on a free port, then times each command as a whole
process, rotating through the tools every round so that drift hits all of them alike.
Prints the median of each, and aiocurl's time as a ratio of each peer's. `--baseline`
adds another aiocurl build (say, the previous release in its own venv) as one more peer,
so that a change is measured against what it changes, in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

from common import free_port

# The least any aiohttp client can take for one GET: import aiohttp, one request, the body
# printed. Run on the interpreter that runs aiocurl, with the same aiohttp.
FLOOR = r"""
import asyncio, sys
import aiohttp

async def main(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            sys.stdout.buffer.write(await response.read())

asyncio.run(main(sys.argv[1]))
"""


def start_echo(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiocurl.echo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdout is not None
    server.stdout.readline()  # "aiocurl-echo listening on ..." once it accepts connections
    return server


def scenarios(base: str, baseline: str | None) -> dict[str, dict[str, list[str]]]:
    python = sys.executable
    table = {
        "interpreter only": {"python -c pass": [python, "-c", "pass"]},
        "--version": {
            "aiocurl": ["aiocurl", "--version"],
            "httpie": ["http", "--version"],
            "curl": ["curl", "--version"],
        },
        "GET": {
            "aiocurl": ["aiocurl", f"{base}/get"],
            "aiohttp floor": [python, "-c", FLOOR, f"{base}/get"],
            "httpie": ["http", "--ignore-stdin", f"{base}/get"],
            "curl": ["curl", "-s", f"{base}/get"],
        },
        "JSON POST": {
            "aiocurl": ["aiocurl", f"{base}/post", "name=ada", "age:=36"],
            "httpie": ["http", "--ignore-stdin", f"{base}/post", "name=ada", "age:=36"],
            "curl": ["curl", "-s", "--json", '{"name": "ada", "age": 36}', f"{base}/post"],
        },
    }
    if baseline is not None:
        for tools in table.values():
            if "aiocurl" in tools:
                tools["baseline"] = [baseline, *tools["aiocurl"][1:]]
    return table


def time_once(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--baseline", help="another aiocurl executable to compare with")
    args = parser.parse_args()
    rounds = args.rounds
    port = free_port()
    server = start_echo(port)
    try:
        base = f"http://127.0.0.1:{port}"
        for name, tools in scenarios(base, args.baseline).items():
            available = {t: argv for t, argv in tools.items() if shutil.which(argv[0])}
            missing = sorted(set(tools) - set(available))
            samples: dict[str, list[float]] = {t: [] for t in available}
            for _ in range(2):  # warm the file cache; not counted
                for argv in available.values():
                    time_once(argv)
            for _ in range(rounds):
                for tool, argv in available.items():
                    samples[tool].append(time_once(argv))
            print(f"\n{name} (median of {rounds}, ms)")
            medians = {t: statistics.median(s) * 1000 for t, s in samples.items()}
            for tool, median in medians.items():
                ratio = ""
                if tool != "aiocurl" and "aiocurl" in medians:
                    ratio = f"   aiocurl/{tool} = {medians['aiocurl'] / median:.2f}"
                print(f"  {tool:<16} {median:8.1f}{ratio}")
            for tool in missing:
                print(f"  {tool:<16} (not installed)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

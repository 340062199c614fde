"""Where the time went in runs of many requests: the phases of load runs (summary, text and
JSON, merged) and of batch records, against servers that count their connections, delay
their answers by known amounts, or speak TLS."""

from __future__ import annotations

import asyncio
import gc
import json
import re
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, hanging_port

HEAD_DELAY = 0.05
BODY_DELAY = 0.03


class Server:
    """Counts the connections its requests came on (by the client's port) and notes what
    the clients' sessions trace; /slow holds its head, then half its body."""

    def __init__(self) -> None:
        self.peers: set[tuple[str, int]] = set()
        self.requests = 0
        self.client_traces: list[int] = []

    @property
    def connections(self) -> int:
        return len(self.peers)

    async def fast(self, request: web.Request) -> web.Response:
        self.note(request)
        return web.Response(text="ok")

    async def slow(self, request: web.Request) -> web.StreamResponse:
        self.note(request)
        await asyncio.sleep(HEAD_DELAY)  # the server's own delay, not synchronisation
        response = web.StreamResponse()
        response.content_length = 10
        await response.prepare(request)
        await response.write(b"x" * 5)
        await asyncio.sleep(BODY_DELAY)
        await response.write(b"y" * 5)
        await response.write_eof()
        return response

    async def sessions(self, request: web.Request) -> web.Response:
        """The trace configs of every open aiohttp client session in this process (the
        command runs in-process): a load run's must have none."""
        self.note(request)
        self.client_traces += [
            len(item.trace_configs)
            for item in gc.get_objects()
            if isinstance(item, aiohttp.ClientSession) and not item.closed
        ]
        return web.Response(text="ok")

    def note(self, request: web.Request) -> None:
        self.requests += 1
        transport = request.transport
        peer = transport.get_extra_info("peername") if transport else None
        if peer:
            self.peers.add((peer[0], peer[1]))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/fast", self.fast)
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/sessions", self.sessions)
        return app


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Server]]:
    state = Server()
    async with TestServer(state.app(), host="127.0.0.1") as running:
        yield f"http://127.0.0.1:{running.port}", state


@pytest.fixture
async def tls_server(ca: trustme.CA) -> AsyncIterator[tuple[str, Server]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    state = Server()
    running = TestServer(state.app(), host="127.0.0.1", scheme="https")
    await running.start_server(ssl=context)
    yield f"https://127.0.0.1:{running.port}", state
    await running.close()


async def load_summary(*argv: str) -> dict[str, Any]:
    result = await arun_cli("--summary", "json", *argv)
    assert result.exit_status == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def counts(summary: dict[str, Any]) -> dict[str, int]:
    return {name: phase["count"] for name, phase in summary["phases"].items()}


async def test_a_load_run_times_each_new_connection_and_every_response(
    server: tuple[str, Server],
) -> None:
    base, state = server
    summary = await load_summary("--repeat", "60", "--concurrency", "4", f"{base}/fast")
    assert state.requests == 60
    assert 1 <= state.connections <= 4  # keep-alive: most requests reuse a connection
    # An IP address needs no DNS lookup, plain http no TLS: no samples, not zeros.
    assert counts(summary) == {
        "dns": 0,
        "connect": state.connections,
        "tls": 0,
        "server": 60,
        "transfer": 60,
    }
    connect = summary["phases"]["connect"]
    assert 0 < connect["mean"] <= connect["p99"] <= connect["max"]
    assert sum(connect["counts"].values()) == state.connections
    assert summary["phases"]["dns"]["mean"] is None
    assert sum(summary["phases"]["server"]["counts"].values()) == 60


async def test_a_name_is_looked_up_once_per_new_connection_at_most(
    server: tuple[str, Server],
) -> None:
    base, state = server
    url = base.replace("127.0.0.1", "localhost") + "/fast"
    summary = await load_summary("--repeat", "20", "--concurrency", "2", url)
    assert 1 <= counts(summary)["dns"] <= state.connections  # aiohttp caches the answer
    assert summary["phases"]["dns"]["mean"] > 0


async def test_the_server_and_transfer_phases_measure_what_the_server_held_back(
    server: tuple[str, Server],
) -> None:
    base, _ = server
    summary = await load_summary("--repeat", "6", "--concurrency", "3", f"{base}/slow")
    phases = summary["phases"]
    assert phases["server"]["count"] == phases["transfer"]["count"] == 6
    assert phases["server"]["mean"] >= HEAD_DELAY * 1000
    assert phases["server"]["p50"] >= HEAD_DELAY * 1000 * 0.95  # a bucket is 4.4 % wide
    # (The head may be noted late, with the body, on a busy machine: the transfer phase
    # alone has no floor, the two together have both delays.)
    assert phases["server"]["mean"] + phases["transfer"]["mean"] >= (HEAD_DELAY + BODY_DELAY) * 1000
    # Server and transfer split each request's time, never both counting the held head:
    # the clocks nest, so their means add up to at most the requests' own (to rounding).
    total = summary["latency_ms"]["mean"]
    assert phases["server"]["mean"] + phases["transfer"]["mean"] <= total + 0.002


async def test_tls_is_a_phase_of_its_own_on_each_new_connection(
    tls_server: tuple[str, Server], ca_file: str
) -> None:
    base, state = tls_server
    summary = await load_summary(
        "--verify", ca_file, "--repeat", "30", "--concurrency", "3", f"{base}/fast"
    )
    assert state.connections >= 1
    assert counts(summary) == {
        "dns": 0,
        "connect": state.connections,
        "tls": state.connections,
        "server": 30,
        "transfer": 30,
    }
    assert summary["phases"]["tls"]["mean"] > 0


async def test_the_text_summary_has_a_phases_block(server: tuple[str, Server]) -> None:
    base, state = server
    result = await arun_cli("--repeat", "30", "--concurrency", "3", f"{base}/fast")
    assert result.exit_status == 0, result.stderr
    text = result.text
    block = text[text.index("Phases:\n") : text.index("\n\nHistogram:")].splitlines()[1:]
    pattern = r"  {name:<18} +[\d.]+ ms  p99 +[\d.]+ ms  \({count} of 30\)"
    assert re.fullmatch(pattern.format(name="TCP connect", count=state.connections), block[0])
    assert re.fullmatch(pattern.format(name="Server processing", count=30), block[1])
    assert re.fullmatch(pattern.format(name="Content transfer", count=30), block[2])
    assert len(block) == 3  # no DNS lookup for an address, no TLS for http


async def test_the_coloured_summary_has_the_phases_too(server: tuple[str, Server]) -> None:
    base, _ = server
    result = await arun_cli(
        "--repeat", "10", f"{base}/fast", tty=True, env={"TERM": "xterm-256color"}
    )
    assert result.exit_status == 0, result.stderr
    assert "\x1b[" in result.text  # drawn with colours
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.text)
    assert re.search(r"\n  Server processing +[\d.]+ ms  p99 +[\d.]+ ms  \(10 of 10\)\n", plain)


async def test_merged_summaries_add_the_phases(server: tuple[str, Server], tmp_path: Path) -> None:
    base, state = server
    first = await load_summary("--repeat", "12", "--concurrency", "2", f"{base}/fast")
    second = await load_summary("--repeat", "8", "--concurrency", "3", f"{base}/fast")
    older = dict(first)
    del older["phases"]  # a summary printed before phases were counted
    paths = []
    for name, document in (("a", first), ("b", second), ("old", older)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        paths.append(str(path))
    merged = await load_summary("--merge-summaries", *paths)
    for name in ("connect", "server", "transfer"):
        phase = merged["phases"][name]
        mine, theirs = first["phases"][name], second["phases"][name]
        assert phase["count"] == mine["count"] + theirs["count"]
        assert phase["sum_us"] == pytest.approx(mine["sum_us"] + theirs["sum_us"])
        buckets = {
            k: mine["counts"].get(k, 0) + theirs["counts"].get(k, 0) for k in phase["counts"]
        }
        assert phase["counts"] == buckets
    assert merged["phases"]["server"]["count"] == 20
    assert merged["phases"]["connect"]["count"] == state.connections


async def test_a_load_runs_session_traces_nothing(server: tuple[str, Server]) -> None:
    base, state = server
    summary = await load_summary("--repeat", "3", "--concurrency", "1", f"{base}/sessions")
    assert summary["phases"]["server"]["count"] == 3
    assert state.client_traces and set(state.client_traces) == {0}  # aiohttp's tracing off


async def test_batch_records_carry_their_phases(server: tuple[str, Server], tmp_path: Path) -> None:
    base, state = server
    batch = tmp_path / "batch.txt"
    batch.write_text(f"{base}/slow\n" + f"{base}/fast\n" * 15)
    result = await arun_cli("--batch", str(batch), "--concurrency", "2")
    assert result.exit_status == 0, result.stderr
    records = [json.loads(line) for line in result.text.splitlines()]
    assert len(records) == 16
    timings = [record["timing"] for record in records]
    assert all(set(timing) == {"dns", "connect", "tls", "server", "transfer"} for timing in timings)
    assert sum(timing["connect"] is not None for timing in timings) == state.connections
    assert all(timing["dns"] is None and timing["tls"] is None for timing in timings)
    assert all(timing["server"] >= 0 and timing["transfer"] >= 0 for timing in timings)
    slow = next(record["timing"] for record in records if record["line"] == 1)
    # The head can only be noted late (a busy loop reads it with the body), never early:
    # so the server phase has a floor, and the two together hold both delays.
    assert slow["server"] >= HEAD_DELAY * 1000
    assert slow["server"] + slow["transfer"] >= (HEAD_DELAY + BODY_DELAY) * 1000
    for record in records:  # the phases fit in the request's time
        spent = sum(span for span in record["timing"].values() if span is not None)
        assert spent <= record["elapsed_ms"] + 0.01


async def test_a_failed_batch_record_carries_the_phase_it_failed_in(tmp_path: Path) -> None:
    with hanging_port() as port:  # a listener that never accepts: the connect times out
        batch = tmp_path / "batch.txt"
        batch.write_text(f"http://127.0.0.1:{port}/\n")
        result = await arun_cli("--batch", str(batch), "--connect-timeout", "0.2")
    assert result.exit_status == 2, result.stderr
    (record,) = [json.loads(line) for line in result.text.splitlines()]
    assert record["kind"] == "timeout"
    timing = record["timing"]
    assert timing["connect"] >= 200 * 0.9
    assert timing["server"] is None and timing["transfer"] is None and timing["dns"] is None

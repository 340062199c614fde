"""--timing, and the phases in --meta and -vv, against servers that take known times: a head
delayed by HEAD_DELAY, a body held back BODY_DELAY halfway; TLS with a trustme CA; a
redirect to the same host, whose second request reuses the connection.

Times are checked against lower bounds from the known delays, never for exact values."""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import arun_cli, run_cli

HEAD_DELAY = 0.2
BODY_DELAY = 0.2
BODY = b"x" * 5000 + b"y" * 5000


async def slow(request: web.Request) -> web.StreamResponse:
    """The head after HEAD_DELAY, then half the body, BODY_DELAY, the other half."""
    await asyncio.sleep(HEAD_DELAY)
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.content_length = len(BODY)
    await response.prepare(request)
    await response.write(BODY[:5000])
    await asyncio.sleep(BODY_DELAY)
    await response.write(BODY[5000:])
    await response.write_eof()
    return response


async def hop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/end")


async def end(request: web.Request) -> web.Response:
    return web.Response(text="end")


def timing_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/hop", hop)
    app.router.add_get("/end", end)
    return app


@pytest.fixture
async def base() -> AsyncIterator[str]:
    async with TestServer(timing_app(), host="127.0.0.1") as server:
        yield f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def tls_base(ca: trustme.CA) -> AsyncIterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = TestServer(timing_app(), host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    yield f"https://127.0.0.1:{server.port}"
    await server.close()


PHASES = (
    "DNS lookup",
    "TCP connect",
    "TLS handshake",
    "Request sent",
    "Server processing",
    "Content transfer",
)


def waterfall(text: str) -> dict[str, str]:
    """The waterfall's rows: label → what follows it (a duration and a bar, or a reason)."""
    rows = {}
    for line in text.splitlines():
        for label in (*PHASES, "Total"):
            if line.startswith(label + " "):
                rows[label] = line[len(label) :].strip()
    return rows


def seconds(value: str) -> float:
    """`12.34 ms` or `1.234 s` at the start of a row's value."""
    match = re.match(r"([\d.]+) (ms|s)\b", value)
    assert match, value
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def meta_phases(text: str) -> dict[str, str]:
    """--meta's phase lines: name → value."""
    return {
        name: value
        for name, _, value in (line.partition(": ") for line in text.splitlines())
        if name in PHASES
    }


async def test_the_waterfall_in_a_pipe_goes_to_stderr_with_each_phase(base: str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/slow"  # a name: a DNS lookup happens
    result = await arun_cli("--timing", url)
    assert result.exit_status == 0, result.stderr
    assert result.stdout == BODY  # the body stays clean
    rows = waterfall(result.stderr)
    assert list(rows) == [*PHASES, "Total"], result.stderr
    assert rows["TLS handshake"] == "skipped (plain http)"
    durations = {label: seconds(rows[label]) for label in PHASES if label != "TLS handshake"}
    assert durations["DNS lookup"] > 0 and durations["TCP connect"] > 0
    # The server's delays bound what the client can see: the head comes HEAD_DELAY after
    # the request was sent, the end BODY_DELAY after that. Noting the head's arrival may
    # itself come late (another thread holds the interpreter), which only moves time from
    # the transfer to the server: so the transfer is bounded together with it.
    assert durations["Server processing"] >= HEAD_DELAY
    assert durations["Server processing"] + durations["Content transfer"] >= HEAD_DELAY + BODY_DELAY
    total = seconds(rows["Total"])
    assert total >= HEAD_DELAY + BODY_DELAY
    assert abs(sum(durations.values()) - total) <= 0.005 + 0.05 * total, result.stderr
    # Each bar starts where the phase before it ended, so the bars run left to right.
    starts = [len(rows[label]) - len(rows[label].split()[-1]) for label in durations]
    assert starts == sorted(starts), result.stderr


async def test_an_ip_address_has_no_dns_lookup_and_meta_shows_the_phases(base: str) -> None:
    result = await arun_cli("-m", f"{base}/slow")
    assert result.exit_status == 0, result.stderr
    phases = meta_phases(result.text)
    assert list(phases) == list(PHASES), result.text
    assert phases["DNS lookup"] == "skipped (IP address)"
    assert phases["TLS handshake"] == "skipped (plain http)"
    assert re.fullmatch(r"\d+\.\d{6}s", phases["TCP connect"])
    server, transfer = (float(phases[name][:-1]) for name in PHASES[-2:])
    assert server >= HEAD_DELAY and server + transfer >= HEAD_DELAY + BODY_DELAY
    assert transfer >= BODY_DELAY / 2
    assert "Elapsed time: " in result.text


async def test_tls_is_timed_apart_from_tcp(tls_base: str, ca_file: str) -> None:
    """The TLS phase comes from the SSL context's objects (transport/timing.py): it must be
    there, and lie between the end of TCP and the end of connection creation."""
    times = "%{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer}"
    result = await arun_cli("--verify", ca_file, "-m", "--timing", "-w", times, f"{tls_base}/slow")
    assert result.exit_status == 0, result.stderr
    phases = meta_phases(result.text)
    assert re.fullmatch(r"\d+\.\d{6}s", phases["TLS handshake"]), result.text
    assert float(phases["TLS handshake"][:-1]) > 0
    connect, appconnect, pretransfer, starttransfer = map(float, result.text.split()[-4:])
    assert 0 < connect < appconnect <= pretransfer < starttransfer, result.text
    rows = waterfall(result.stderr)
    assert seconds(rows["TLS handshake"]) > 0 and seconds(rows["TCP connect"]) > 0


async def test_a_reused_connection_has_no_connect_phase(base: str) -> None:
    """With --follow to the same host, the second request goes over the first one's
    connection: its TCP (and DNS) are shown as skipped, not as 0 ms."""
    result = await arun_cli("--follow", "--timing", f"{base}/hop")
    assert result.exit_status == 0, result.stderr
    assert result.stdout == b"end"
    first, second, total = result.stderr.splitlines()
    assert first.startswith(f"1. 302 GET {base}/hop ")
    assert re.search(r"TCP \d+\.\d\d ", first) and "DNS IP " in first
    assert second.startswith(f"2. 200 GET {base}/end ")
    assert "DNS IP  TCP reused  TLS none" in second
    hop_times = [seconds(line.split("  ")[1].strip()) for line in (first, second)]
    assert total.startswith("Total (2 requests)")
    assert seconds(total.split(")", 1)[1].strip()) == pytest.approx(sum(hop_times), abs=1e-3)


async def test_vv_shows_each_hops_phases(base: str) -> None:
    result = await arun_cli("-vv", "--follow", f"{base}/hop")
    assert result.exit_status == 0, result.stderr
    blocks = result.text.split("Elapsed time: ")[1:]
    assert len(blocks) == 2, result.text
    assert re.search(r"TCP connect: \d+\.\d{6}s", blocks[0])
    assert "TCP connect: skipped (reused connection)" in blocks[1]
    assert "DNS lookup: skipped (IP address)" in blocks[1]


async def test_on_a_terminal_the_waterfall_follows_the_response_in_colour(base: str) -> None:
    result = await arun_cli("--timing", f"{base}/slow", tty=True)
    assert result.exit_status == 0, result.stderr
    assert result.stderr == ""
    text = result.text
    assert text.index("yyy") < text.index("Server processing") < text.index("Total")
    assert "\x1b[" in text.split("Server processing")[1]  # the bars are coloured
    plain = await arun_cli("--timing", "--pretty", "none", f"{base}/slow", tty=True)
    assert "\x1b[" not in plain.text and "Content transfer" in plain.text


async def test_a_failure_shows_how_far_the_request_got() -> None:
    from helpers import raw_server

    release = asyncio.Event()
    server = await raw_server(b"", stall=release)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await arun_cli("--timeout", "0.3", "--timing", f"127.0.0.1:{port}/x")
    release.set()
    assert result.exit_status == 2
    rows = waterfall(result.stderr)
    assert seconds(rows["TCP connect"]) > 0
    assert "(failed)" in rows["Server processing"]
    assert seconds(rows["Server processing"]) >= 0.3
    assert rows["Content transfer"] == "not reached"
    assert rows["Total"].endswith("(failed)")
    assert result.stderr.splitlines()[-1].startswith("aiocurl: error: ")


def test_timing_does_not_go_with_download() -> None:
    result = run_cli("--timing", "--download", "127.0.0.1:9/x")
    assert result.exit_status == 1
    assert result.stderr == (
        "aiocurl: error: --timing does not go with --download; save the body with --output FILE\n"
    )

"""Broken servers, hard limits and credentials on redirects, against servers the test runs."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import Result, arun_cli, raw_exchange, raw_server


@pytest.fixture
async def two_origins() -> AsyncIterator[tuple[str, str, list[dict[str, str]]]]:
    """A first origin that redirects to a second one, which records what it received."""
    seen: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True})

    second_app = web.Application()
    second_app.router.add_get("/landing", record)
    async with TestServer(second_app, host="127.0.0.1") as second:
        target = str(second.make_url("/landing"))

        async def bounce(request: web.Request) -> web.Response:
            raise web.HTTPFound(target)

        first_app = web.Application()
        first_app.router.add_get("/start", bounce)
        async with TestServer(first_app, host="127.0.0.1") as first:
            yield str(first.make_url("/start")), target, seen


SECRETS = ("X-Api-Key:k1", "Api-Key:k2", "My-Token:t", "Client-Secret:s", "Deploy-Key:d")


async def test_secret_looking_headers_stay_behind(
    two_origins: tuple[str, str, list[dict[str, str]]],
) -> None:
    start, _, seen = two_origins
    result = await arun_cli(
        "-F", start, *SECRETS, "X-Custom:c", "X-Keep:1", "-a", "u:p", "--secret-header", "x-custom"
    )
    assert result.exit_status == 0, result.stderr
    sent = {name.lower() for name in seen[0]}
    assert not sent & {
        "x-api-key",
        "api-key",
        "my-token",
        "client-secret",
        "deploy-key",
        "authorization",
        "x-custom",
    }
    assert seen[0]["X-Keep"] == "1"


async def test_verbose_says_what_was_left_behind(
    two_origins: tuple[str, str, list[dict[str, str]]],
) -> None:
    start, target, _ = two_origins
    result = await arun_cli("-F", "-v", start, "-a", "u:p", "My-Token:t")
    assert f"aiocurl: not sending My-Token, Authorization to {target} (another origin)" in (
        result.stderr
    )


async def test_location_trusted_keeps_credentials(
    two_origins: tuple[str, str, list[dict[str, str]]],
) -> None:
    start, _, seen = two_origins
    result = await arun_cli("-F", "--location-trusted", start, "-a", "u:p", "My-Token:t")
    assert result.exit_status == 0
    assert seen[0]["My-Token"] == "t" and seen[0]["Authorization"].startswith("Basic ")


async def serve(handler: Any) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/x"))


def one_error_line(result: Result, status: int, *texts: str) -> None:
    assert result.exit_status == status, result.stderr
    assert result.stderr.startswith("aiocurl: error: ") and result.stderr.count("\n") == 1
    for text in texts:
        assert text in result.stderr, result.stderr


async def test_max_filesize_counts_decoded_bytes() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # about 5 KB on the wire

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    async for url in serve(handler):
        result = await arun_cli("--max-filesize", "100000", url)
        one_error_line(result, 1, "larger than --max-filesize 100000 bytes")
        assert len(result.stdout) <= 100_000
        ok = await arun_cli("--max-filesize", "5000000", url)
        assert ok.exit_status == 0 and len(ok.stdout) == 5_000_000


async def test_a_download_counts_max_filesize_as_sent(tmp_path: Any) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    async for url in serve(handler):
        target = tmp_path / "f.gz"
        result = await arun_cli("-d", "-o", str(target), "--max-filesize", "1000", url)
        assert result.exit_status == 1
        assert "larger than --max-filesize 1000 bytes (counted as sent)" in result.stderr
        ok = await arun_cli("-d", "-c", "-o", str(target), "--max-filesize", "100000", url)
        assert ok.exit_status == 0, ok.stderr
        assert target.read_bytes() == bomb


async def test_max_headers() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="x", headers={f"X-H{i}": str(i) for i in range(40)})

    async for url in serve(handler):
        result = await arun_cli("--max-headers", "10", url)
        one_error_line(
            result,
            1,
            f"{url}: invalid HTTP response: more than 10 headers in the response "
            "(raise the limit with --max-headers)",
        )
        assert (await arun_cli(url)).exit_status == 0


OK_HEAD = b"HTTP/1.1 200 OK\r\n"
MANY_HEADERS = b"".join(b"X-H%d: %d\r\n" % (i, i) for i in range(200))


@pytest.mark.parametrize(
    ("head", "shown"),
    [
        (MANY_HEADERS, b"X-H199: 199"),
        (b"X-Long: " + b"a" * 70_000 + b"\r\n", b"X-Long: " + b"a" * 70_000),
    ],
    ids=["200 headers", "a 70 KB header line"],
)
async def test_large_heads_are_accepted_by_default(head: bytes, shown: bytes) -> None:
    result, _ = await raw_exchange(OK_HEAD + head + b"Content-Length: 2\r\n\r\nok", "-h")
    assert (result.exit_status, result.stderr) == (0, "")
    assert shown in result.stdout


async def test_header_line_limit_names_its_flag() -> None:
    reply = OK_HEAD + b"X-Long: " + b"a" * 140_000 + b"\r\nContent-Length: 2\r\n\r\nok"
    result, url = await raw_exchange(reply)
    one_error_line(
        result,
        1,
        f"{url}: a response header line is longer than 131072 bytes "
        "(raise the limit with --max-header-size)",
    )
    raised, _ = await raw_exchange(reply, "--max-header-size", "200000")
    assert (raised.exit_status, raised.stdout) == (0, b"ok")
    lowered, _ = await raw_exchange(
        OK_HEAD + b"X-A: " + b"b" * 2000 + b"\r\n\r\n", "--max-header-size", "1000"
    )
    one_error_line(lowered, 1, "longer than 1000 bytes (raise the limit with --max-header-size)")


async def test_header_count_limit_names_its_flag() -> None:
    many = b"".join(b"X-H%d: %d\r\n" % (i, i) for i in range(10_001))
    result, url = await raw_exchange(OK_HEAD + many + b"Content-Length: 0\r\n\r\n")
    one_error_line(
        result,
        1,
        f"{url}: invalid HTTP response: more than 10000 headers in the response "
        "(raise the limit with --max-headers)",
    )


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        (
            OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n",
            "invalid HTTP response: malformed chunked encoding",
        ),
        (
            OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n10\r\nhello",
            "the response body broke off after 5 bytes (malformed or unfinished chunked encoding)",
        ),
        (
            OK_HEAD + b"Content-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnotgzip!!!",
            "the gzip-encoded body could not be decoded "
            "(keep the bytes as sent with --no-decompress)",
        ),
        (
            OK_HEAD
            + b"Content-Encoding: deflate\r\nContent-Length: 6\r\n\r\n"
            + zlib.compress(b"hello, world" * 10)[:6],
            "the deflate-encoded body was cut short: its coding did not end after 3 decoded bytes",
        ),
        (
            OK_HEAD + b"Content-Length: 100\r\n\r\nshort",
            "the response body broke off after 5 of 100 bytes (Content-Length)",
        ),
        (
            OK_HEAD + b"Bad Header Line\r\n\r\n",
            "invalid HTTP response: malformed header line",
        ),
        (
            OK_HEAD + b"Content-Length: abc\r\n\r\n",
            "invalid HTTP response: invalid Content-Length",
        ),
        (
            b"SSH-2.0-OpenSSH_9.6\r\n",
            "the server did not answer with HTTP (status line 'SSH-2.0-OpenSSH_9.6')",
        ),
        (
            b"HTTP/1.1 2000 OK\r\n\r\n",
            "invalid HTTP response: malformed status line 'HTTP/1.1 2000 OK'",
        ),
        (
            OK_HEAD + b"X-Long: " + b"a" * 140_000 + b"\r\n\r\n",
            "a response header line is longer than 131072 bytes",
        ),
    ],
    ids=[
        "bad chunk size",
        "unfinished chunks",
        "not gzip",
        "deflate cut short",
        "short body",
        "header without colon",
        "bad length",
        "not HTTP",
        "bad status",
        "long line",
    ],
)
async def test_broken_responses(reply: bytes, text: str) -> None:
    result, url = await raw_exchange(reply)
    assert result.exit_status == 1, result.stderr
    assert result.stderr.startswith(f"aiocurl: error: {url}: {text}"), result.stderr
    assert result.stderr.count("\n") == 1


async def test_stall_before_headers_and_mid_body_time_out() -> None:
    release = asyncio.Event()
    for reply, limit in (
        (b"", "read timeout"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", "read timeout"),
    ):
        server = await raw_server(reply, stall=release)
        port = server.sockets[0].getsockname()[1]
        async with server:
            result = await arun_cli("--timeout", "0.3", f"127.0.0.1:{port}/x")
        one_error_line(result, 2, limit, "--timeout")
    release.set()


async def test_passwords_never_appear_in_messages(echo_url: str) -> None:
    import socket

    port = echo_url.rsplit(":", 1)[1]
    shown = await arun_cli("-v", f"http://ada:hunter2@127.0.0.1:{port}/headers")
    assert shown.exit_status == 0 and '"Authorization"' in shown.text
    assert "Authorization: Basic " in shown.text  # shown, since the user asked, but encoded
    assert "hunter2" not in shown.text and "hunter2" not in shown.stderr

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await arun_cli("-v", f"http://ada:hunter2@127.0.0.1:{port}/x")
    assert result.exit_status == 1
    assert "hunter2" not in result.stderr and "hunter2" not in result.text


async def test_a_body_that_turns_malformed_midway_ends_the_command() -> None:
    """The head and a first chunk arrive, then a chunk size that is not hex: aiohttp's parser
    fails after it handed over the head, and the command must end rather than wait forever."""
    printed = asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n6\r\nhello\n\r\n")
        await writer.drain()
        await printed.wait()
        writer.write(b"ZZ\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    executable = shutil.which("aiocurl")
    assert executable is not None
    async with server:
        process = await asyncio.create_subprocess_exec(
            executable,
            "--stream",
            url,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        first = await asyncio.wait_for(process.stdout.readline(), 10)
        printed.set()
        try:
            status = await asyncio.wait_for(process.wait(), 10)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        stderr = (await process.stderr.read()).decode()
    assert (first, status) == (b"hello\n", 1)
    assert stderr == (
        f"aiocurl: error: {url}: invalid HTTP response: malformed chunked encoding "
        "(at 'ZZ') after 6 body bytes\n"
    )


async def test_a_reason_phrase_cannot_drive_the_terminal() -> None:
    reply = b"HTTP/1.1 500 Bad\x1b[31mRED\x07\r\nContent-Length: 0\r\n\r\n"
    result, _ = await raw_exchange(reply, "--check-status")
    assert result.exit_status == 5
    assert result.stderr == "aiocurl: warning: HTTP 500 Bad\\x1b[31mRED\\x07\n"

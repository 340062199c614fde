"""Content-Encoding as aiocurl decodes it: every coding must reach its end, members and
frames one after another are one body, and a coding this installation cannot decode names
the package to install and the flag that keeps the bytes as sent.

For the last, the command runs as a real process whose PYTHONPATH puts modules that refuse
to import in front of the decoders, so the test means the same wherever it runs.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from helpers import arun_cli, raw_exchange

REFUSE = 'raise ModuleNotFoundError("not in this installation")\n'
# An empty regular package `backports` hides the namespace package, so backports.zstd is
# simply missing; brotli and brotlicffi are modules that refuse to import.
HIDDEN = {
    "br": {"brotli.py": REFUSE, "brotlicffi.py": REFUSE},
    "zstd": {"backports/__init__.py": ""},
}
PACKAGE = {"br": "Brotli", "zstd": "backports.zstd"}
BODY = b"\x1b\x03\x00\xf8\xa5\x94\x12"  # bytes as they arrived: only --no-decompress sees them


def without_decoder(coding: str, root: Path) -> dict[str, str]:
    """The environment of a process that cannot import the decoder for `coding`."""
    for name, text in HIDDEN[coding].items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    return env


async def run(env: dict[str, str], *argv: str) -> tuple[int, bytes, bytes]:
    executable = shutil.which("aiocurl")
    assert executable is not None
    process = await asyncio.create_subprocess_exec(
        executable,
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, stdout, stderr


@pytest.mark.parametrize("coding", ["br", "zstd"])
async def test_a_coding_without_a_decoder_names_the_package(coding: str, tmp_path: Path) -> None:
    if coding == "zstd" and sys.version_info >= (3, 14):
        pytest.skip("Python 3.14 decodes zstd itself (compression.zstd)")
    reply = b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (
        coding.encode(),
        len(BODY),
        BODY,
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    env = without_decoder(coding, tmp_path)
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    async with server:
        refused = await run(env, url)
        kept = await run(env, "--no-decompress", url)
    assert refused == (
        1,
        b"",
        (
            f"aiocurl: error: {url}: the body is {coding}-encoded and this installation "
            f"cannot decode it (install {PACKAGE[coding]}, or keep the bytes as sent with "
            "--no-decompress)\n"
        ).encode(),
    )
    assert kept == (0, BODY, b"")


def encoders() -> dict[str, Any]:
    import brotli  # type: ignore[import-untyped]

    if sys.version_info >= (3, 14):
        from compression import zstd  # type: ignore[import-not-found]
    else:
        from backports import zstd
    return {
        "gzip": gzip.compress,
        "deflate": zlib.compress,
        "br": brotli.compress,
        "zstd": zstd.compress,
    }


DOCUMENT = b'{"items": [' + b",".join(b'{"n": %d}' % i for i in range(20000)) + b"]}"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
async def test_a_coded_body_cut_short_is_an_error(coding: str) -> None:
    """The connection ends the body (no Content-Length) halfway through the coding."""
    encoded = encoders()[coding](DOCUMENT)
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nConnection: close\r\n\r\n"
    result, url = await raw_exchange(head.encode() + encoded[: len(encoded) // 2])
    assert result.exit_status == 1, result.stderr
    assert result.stderr.startswith(f"aiocurl: error: {url}: the {coding}-encoded body was cut ")
    assert result.stderr.count("\n") == 1
    assert DOCUMENT.startswith(result.stdout)  # what arrived is kept, and is the start


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
async def test_members_one_after_another_are_one_body(coding: str) -> None:
    compress = encoders()[coding]
    encoded = compress(DOCUMENT[:1000]) + compress(DOCUMENT[1000:])
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(encoded)}"
    result, _ = await raw_exchange(head.encode() + b"\r\n\r\n" + encoded)
    assert (result.exit_status, result.stdout) == (0, DOCUMENT), result.stderr


async def test_a_head_response_with_a_coding_has_nothing_to_decode() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1234\r\n\r\n"
    result, _ = await raw_exchange(head, "HEAD")
    assert result.exit_status == 0, result.stderr


def decode_in(chunks: list[bytes], coding: str) -> bytes:
    from aiocurl.transport.decoding import decoder_for

    decoder = decoder_for(coding)
    assert decoder is not None
    out = b"".join(piece for chunk in chunks for piece in decoder.decode(chunk))
    decoder.finish()
    return out


def test_raw_deflate_is_told_by_its_first_byte() -> None:
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = squeeze.compress(DOCUMENT) + squeeze.flush()
    assert decode_in([raw[:1], raw[1:]], "deflate") == DOCUMENT
    wrapped = zlib.compress(DOCUMENT)
    assert decode_in([wrapped[:1], wrapped[1:]], "deflate") == DOCUMENT


@pytest.mark.parametrize("cut", [-1, 0, 1, 2])
def test_a_second_gzip_member_split_anywhere(cut: int) -> None:
    first, second = gzip.compress(DOCUMENT[:500]), gzip.compress(DOCUMENT[500:])
    blob = first + second
    at = len(first) + cut
    assert decode_in([blob[:at], blob[at:]], "gzip") == DOCUMENT


def test_padding_after_gzip_is_ignored() -> None:
    assert decode_in([gzip.compress(b"hello\n") + b"\0\0\0\0"], "gzip") == b"hello\n"


async def test_a_coded_body_that_broke_before_any_byte_is_retried() -> None:
    good = gzip.compress(DOCUMENT)
    replies = [
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" + good[:10],
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(good)
        + good,
    ]
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(replies[len(seen) - 1])
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
        result = await arun_cli("--retry", "1", "--retry-delay", "0.01", url)
    assert (result.exit_status, result.stdout) == (0, DOCUMENT), result.stderr
    assert len(seen) == 2 and "retry 1/1" in result.stderr


async def test_headers_only_does_not_decode_a_body_it_never_shows() -> None:
    encoded = gzip.compress(DOCUMENT)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n"
    result, _ = await raw_exchange(head + encoded[: len(encoded) // 2], "-h")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.startswith(b"HTTP/1.1 200 OK")

"""Request bodies as the server parsed them: multipart, raw, stdin, chunked, deflated."""

from __future__ import annotations

import io
import json
import os
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from helpers import Result, arun_cli, run_cli, sha

from aiocurl.cli.main import main
from aiocurl.environment import Environment


async def inspect(request: web.Request) -> web.Response:
    """Describe the body exactly: framing headers, multipart parts, raw bytes."""
    info: dict[str, Any] = {
        "method": request.method,
        "content_type": request.headers.get("Content-Type"),
        "content_length": request.headers.get("Content-Length"),
        "transfer_encoding": request.headers.get("Transfer-Encoding"),
        "content_encoding": request.headers.get("Content-Encoding"),
    }
    if request.content_type.startswith("multipart/"):
        parts = []
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()  # type: ignore[union-attr]
            parts.append(
                {
                    "name": part.name,
                    "filename": part.filename,
                    "type": part.headers.get("Content-Type"),
                    "size": len(data),
                    "sha256": sha(data),
                    "text": data.decode("utf-8", "replace") if len(data) < 200 else None,
                }
            )
        info["parts"] = parts
    else:
        body = await request.read()
        info["size"] = len(body)
        info["sha256"] = sha(body)
        info["raw"] = body.decode("latin-1") if len(body) < 2000 else None
    return web.json_response(info)


async def redirect_307(request: web.Request) -> web.Response:
    await request.read()
    raise web.HTTPTemporaryRedirect("/inspect")


@pytest.fixture
async def server() -> Any:
    app = web.Application(client_max_size=1024**3)
    app.router.add_route("*", "/inspect", inspect)
    app.router.add_route("*", "/307", redirect_307)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield f"http://127.0.0.1:{test_server.port}"


def parsed(result: Result) -> dict[str, Any]:
    assert result.exit_status == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "photo.png"
    binary.write_bytes(os.urandom(300_000))
    text = tmp_path / "notes.txt"
    text.write_text("first line\nsecond line\n")
    data = tmp_path / "body.json"
    data.write_text('{"from": "file"}')
    return {"png": binary, "txt": text, "json": data}


async def test_form_with_a_file_becomes_multipart(server: str, files: dict[str, Path]) -> None:
    result = await arun_cli(
        "--form",
        f"{server}/inspect",
        "name=ada",
        f"photo@{files['png']}",
        "name=bob",
        f"notes@{files['txt']};type=text/x-notes",
        "n:=5",
    )
    info = parsed(result)
    assert info["content_type"].startswith("multipart/form-data; boundary=")
    assert info["content_length"] == str(info_length(info, files))
    parts = info["parts"]
    assert [p["name"] for p in parts] == ["name", "photo", "name", "notes", "n"]
    assert [p["text"] for p in parts if p["filename"] is None] == ["ada", "bob", "5"]
    photo, notes = parts[1], parts[3]
    assert (photo["filename"], photo["type"]) == ("photo.png", "image/png")
    assert photo["sha256"] == sha(files["png"].read_bytes())
    assert (notes["filename"], notes["type"], notes["text"]) == (
        "notes.txt",
        "text/x-notes",
        "first line\nsecond line\n",
    )


def info_length(info: dict[str, Any], files: dict[str, Path]) -> int:
    """Content-Length was declared up front; the server read the body by it."""
    return int(info["content_length"])


async def test_multipart_flag_without_files_and_a_fixed_boundary(server: str) -> None:
    info = parsed(await arun_cli("--multipart", "--boundary", "XyZ", f"{server}/inspect", "a=1"))
    assert info["content_type"] == "multipart/form-data; boundary=XyZ"
    assert [(p["name"], p["text"]) for p in info["parts"]] == [("a", "1")]


async def test_user_content_type_gets_the_boundary(server: str) -> None:
    info = parsed(
        await arun_cli("--multipart", f"{server}/inspect", "a=1", "Content-Type:multipart/mixed")
    )
    assert info["content_type"].startswith("multipart/mixed; boundary=")
    assert info["parts"][0]["text"] == "1"


async def test_offline_multipart_is_the_bytes_sent(server: str, files: dict[str, Path]) -> None:
    args = ("--boundary", "b0undary", "-f", f"{server}/inspect", "a=1", f"f@{files['png']}")
    offline = await arun_cli("--offline", *args)
    _, _, body = offline.stdout.partition(b"\r\n\r\n")
    assert body.startswith(b'--b0undary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n')
    assert body.endswith(b"\r\n--b0undary--\r\n")
    info = parsed(await arun_cli(*args))
    assert int(info["content_length"]) == len(body)
    assert info["parts"][1]["sha256"] == sha(files["png"].read_bytes())


def test_verbose_on_a_terminal_elides_binary_file_contents(files: dict[str, Path]) -> None:
    result = run_cli(
        "--offline",
        "-f",
        "h/x",
        "a=1",
        f"f@{files['png']}",
        f"t@{files['txt']}",
        tty=True,
        env={"NO_COLOR": "1"},
    )
    text = result.text
    assert 'Content-Disposition: form-data; name="f"; filename="photo.png"' in text
    assert f"[300000 bytes of {files['png']} not shown]" in text
    assert "first line\nsecond line\n" in text


async def test_raw_text_body(server: str) -> None:
    info = parsed(await arun_cli(f"{server}/inspect", "--raw", "hello, raw"))
    assert (info["method"], info["raw"], info["content_type"]) == (
        "POST",
        "hello, raw",
        "application/json",
    )


async def test_file_as_the_whole_body(server: str, files: dict[str, Path]) -> None:
    info = parsed(await arun_cli(f"{server}/inspect", f"@{files['json']}"))
    assert (info["method"], info["raw"], info["content_type"]) == (
        "POST",
        '{"from": "file"}',
        "application/json",
    )
    png = parsed(await arun_cli("PUT", f"{server}/inspect", f"@{files['png']}"))
    assert (png["content_type"], png["sha256"]) == ("image/png", sha(files["png"].read_bytes()))


async def test_piped_stdin_is_the_body(server: str) -> None:
    info = parsed(await arun_cli(f"{server}/inspect", stdin=b'{"piped": true}'))
    assert (info["method"], info["raw"], info["content_type"]) == (
        "POST",
        '{"piped": true}',
        "application/json",
    )
    form = parsed(await arun_cli("-f", f"{server}/inspect", stdin=b"a=1&b=2"))
    assert form["content_type"] == "application/x-www-form-urlencoded; charset=utf-8"


async def test_ignore_stdin(server: str) -> None:
    info = parsed(await arun_cli("-I", f"{server}/inspect", stdin=b"ignored"))
    assert (info["method"], info["size"]) == ("GET", 0)


async def test_empty_stdin_is_no_body(server: str) -> None:
    info = parsed(await arun_cli("POST", f"{server}/inspect", "a=b", stdin=b""))
    assert info["raw"] == '{"a": "b"}'


async def test_stdin_from_a_real_file_and_dev_null(server: str, files: dict[str, Path]) -> None:
    import asyncio
    import shutil
    import subprocess

    executable = shutil.which("aiocurl")
    assert executable

    def run(stdin: Any, *argv: str) -> dict[str, Any]:
        done = subprocess.run([executable, *argv], stdin=stdin, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    with open(files["json"], "rb") as handle:
        from_file = await asyncio.to_thread(run, handle, f"{server}/inspect")
    assert from_file["raw"] == '{"from": "file"}'
    null = await asyncio.to_thread(run, subprocess.DEVNULL, "POST", f"{server}/inspect", "a=b")
    assert null["raw"] == '{"a": "b"}'


async def test_large_stdin_streams_chunked(server: str) -> None:
    data = os.urandom(6 * 1024 * 1024)
    info = parsed(await arun_cli("PUT", f"{server}/inspect", stdin=data))
    assert (info["transfer_encoding"], info["size"], info["sha256"]) == (
        "chunked",
        len(data),
        sha(data),
    )


async def test_307_resends_files_and_buffered_stdin(server: str, files: dict[str, Path]) -> None:
    info = parsed(await arun_cli("-F", f"{server}/307", f"@{files['png']}"))
    assert (info["method"], info["sha256"]) == ("POST", sha(files["png"].read_bytes()))
    piped = parsed(await arun_cli("-F", f"{server}/307", stdin=b"small body"))
    assert piped["raw"] == "small body"


async def test_307_with_streamed_stdin_says_why_it_cannot(server: str) -> None:
    result = await arun_cli("-F", f"{server}/307", stdin=os.urandom(5 * 1024 * 1024))
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: 307 redirect to ")
    assert "stdin was streamed" in result.stderr and result.stderr.count("\n") == 1


async def test_chunked(server: str) -> None:
    info = parsed(await arun_cli("--chunked", f"{server}/inspect", "a=b"))
    assert (info["transfer_encoding"], info["content_length"], info["raw"]) == (
        "chunked",
        None,
        '{"a": "b"}',
    )


async def test_compress_deflates_when_it_shrinks(server: str) -> None:
    info = parsed(await arun_cli("-x", f"{server}/inspect", "text=" + "abc" * 500))
    assert info["content_encoding"] == "deflate"
    small = parsed(await arun_cli("-x", f"{server}/inspect", "a=b"))
    assert (small["content_encoding"], small["raw"]) == (None, '{"a": "b"}')
    forced = parsed(await arun_cli("-xx", f"{server}/inspect", "a=b"))
    assert forced["content_encoding"] == "deflate"


def test_compressed_body_round_trips() -> None:
    result = run_cli("--offline", "-xx", "h/x", "a=b")
    _, _, body = result.stdout.partition(b"\r\n\r\n")
    assert zlib.decompress(body) == b'{"a": "b"}'
    assert b"Content-Encoding: deflate\r\n" in result.stdout


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["h", "f@x.png"], b"", "a file upload needs a multipart body (perhaps you meant --form?)"),
        (["-f", "h", "a:=[1]"], b"", "a form field cannot hold a JSON array or object"),
        (["--multipart", "h", "a:={}"], b"", "a form field cannot hold a JSON array or object"),
        (["-f", "h", "f@/nonexistent.png"], b"", "cannot read '/nonexistent.png'"),
        (["-x", "--chunked", "h", "a=b"], b"", "--compress and --chunked cannot be combined"),
        (["-x", "--multipart", "h", "a=b"], b"", "--compress cannot be used with a multipart body"),
        (["--json", "--multipart", "h"], b"", "--json and --multipart cannot be combined"),
        (["h", "a=b", "--raw", "x"], b"", "one source only, got data items and --raw"),
        (["h", "a=b"], b"piped", "got data items and stdin (pass -I/--ignore-stdin"),
        (["h", "@/etc/hostname", "@/etc/hostname"], b"", "got @/etc/hostname and @/etc/hostname"),
    ],
)
def test_body_errors(argv: list[str], stdin: bytes, message: str) -> None:
    result = run_cli("--offline", *argv, stdin=stdin)
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


class SignallingStderr(io.StringIO):
    """stderr that lets a test wait for a message instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def write(self, text: str) -> int:
        count = super().write(text)
        self.written.set()
        return count


def test_silent_stdin_gets_a_hint_then_its_body_is_used() -> None:
    read_end, write_end = os.pipe()
    stderr, stdout = SignallingStderr(), io.BytesIO()
    env = Environment(
        stdin=os.fdopen(read_end, "rb"),
        stdout=stdout,
        stderr=stderr,
        env={},
        stdin_hint_after=0.01,
    )
    outcome: list[int] = []
    runner = threading.Thread(target=lambda: outcome.append(main(["--offline", "h/x"], env)))
    runner.start()
    assert stderr.written.wait(timeout=30)
    assert "pass -I/--ignore-stdin" in stderr.getvalue()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(b'{"late": 1}')
    runner.join(timeout=30)
    assert outcome == [0]
    assert stdout.getvalue().startswith(b"POST /x HTTP/1.1\r\n")
    assert stdout.getvalue().endswith(b'\r\n\r\n{"late": 1}')


async def test_upload_progress_on_a_terminal(server: str, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(8 * 1024 * 1024))
    shown = await arun_cli("PUT", f"{server}/inspect", f"@{big}", stderr_tty=True)
    assert shown.exit_status == 0 and "upload" in shown.stderr
    piped = await arun_cli("PUT", f"{server}/inspect", f"@{big}")
    assert piped.stderr == ""

"""--curl: the printed command, run by real curl in a POSIX shell, makes the echo server
receive what aiocurl itself sends: method, target, every header and the body bytes."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli
from recording_echo import CURL, RecordingEcho, comparable, run_shell

from aiocurl import __version__

needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)))
    (tmp_path / "body.json").write_text('{"from": "a file", "n": 1}\n')
    (tmp_path / "it's here.txt").write_bytes(b"quotes in the name\r\n")
    return tmp_path


# aiocurl's arguments, `{url}` for the echo server and `{dir}` for the files above.
ROUND_TRIPS = {
    "GET with a query": ["{url}/anything/items", "q==a b&c", "lang==é", "page==2"],
    "JSON POST": ["POST", "{url}/anything", "name=ada", "age:=36", 'tags:=["x", "y"]'],
    "form": ["--form", "POST", "{url}/anything", "name=Ada Lovelace", "note=1&2=3 %"],
    "multipart with files": [
        "--form",
        "POST",
        "{url}/anything/upload",
        "name=ada",
        "notes@{dir}/notes.txt",
        "blob@{dir}/blob.bin;type=application/x-thing",
        "quoted@{dir}/it's here.txt",
    ],
    "raw body from a file": ["POST", "{url}/anything", "@{dir}/body.json"],
    "multipart typed whole": [
        "--raw",
        '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n1\r\n'
        "--XyZ--\r\n",
        "{url}/anything",
        "Content-Type:multipart/form-data; boundary=XyZ",
    ],
    "binary body from a file": ["PUT", "{url}/anything", "@{dir}/blob.bin"],
    "custom, empty and unset headers": [
        "{url}/anything",
        'X-Custom:it\'s "quoted"',
        "X-Name:José",
        "X-Empty;",
        "Accept:",
        "Accept-Encoding:",
        "User-Agent:",
    ],
    "basic auth": ["-a", "ada:s3cr3t pass", "{url}/basic-auth/ada/s3cr3t pass"],
    "bearer auth": ["-A", "bearer", "-a", "tok.en", "{url}/bearer"],
    "HEAD": ["HEAD", "{url}/anything"],
    "PUT with JSON": ["PUT", "{url}/anything/1", "done:=true"],
    "DELETE": ["DELETE", "{url}/anything/1"],
    "OPTIONS": ["OPTIONS", "{url}/anything"],
    "PATCH with text": ["--raw", "line one\nline 'two'\t%s $HOME `x`", "PATCH", "{url}/anything"],
    "bytes a shell word cannot hold": ["--raw", "\x1b[31m caf\udce9 '%\\ \x7f", "{url}/anything"],
    "binary starting with a dash": ["--raw", "-n \x01 %s", "{url}/anything"],
    "deflated body": ["-xx", "POST", "{url}/anything", "text=" + "abc" * 50],
    "chunked": ["--chunked", "POST", "{url}/anything", "a=1"],
    "redirects followed, 307 keeps the body": [
        "--follow",
        "POST",
        "{url}/redirect-to?url=/anything/there&status_code=307",
        "a=1",
    ],
    "dot segments kept": ["--path-as-is", "{url}/anything/a/../b/./c"],
    "JSON accepted, no body": ["--json", "{url}/anything"],
}


def expand(args: list[str], echo: RecordingEcho, files: Path) -> list[str]:
    return [arg.replace("{url}", echo.url).replace("{dir}", str(files)) for arg in args]


@needs_curl
@pytest.mark.parametrize("args", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_curl_sends_what_aiocurl_sends(args: list[str], echo: RecordingEcho, files: Path) -> None:
    argv = expand(args, echo, files)
    printed = run_cli("--curl", *argv)
    assert printed.exit_status == 0, printed.stderr
    assert printed.stderr == ""
    echo.take()
    assert run_cli(*argv).exit_status == 0
    by_aiocurl = echo.take()
    done = run_shell(printed.stdout.decode("utf-8", "surrogateescape"), cwd=str(files))
    assert done.returncode == 0, done.stderr
    by_curl = echo.take()
    assert by_aiocurl, "aiocurl sent nothing"
    assert [comparable(r) for r in by_curl] == [comparable(r) for r in by_aiocurl]


def curl_text(*argv: str) -> str:
    result = run_cli("--curl", *argv)
    assert result.exit_status == 0, result.stderr
    return result.stdout.decode()


def curl_words(*argv: str) -> list[str]:
    return shlex.split(curl_text(*argv).replace("\\\n", ""))


def test_defaults_are_spelled_out_and_https_stays_on_http_1_1() -> None:
    words = curl_words("https://example.org/x")
    assert words[:3] == ["curl", "--http1.1", "https://example.org/x"]
    assert ["-H", f"User-Agent: aiocurl/{__version__}"] == words[3:5]
    assert "Accept: */*" in words and "--compressed" in words


def test_head_is_dash_capital_i_and_an_empty_post_sends_an_empty_body() -> None:
    assert curl_words("HEAD", "example.org")[:2] == ["curl", "-I"]
    words = curl_words("PUT", "example.org")
    assert words[1:3] == ["-X", "PUT"]
    assert words[-3:] == ["--data-raw", "", "--compressed"]
    assert "Content-Type:" in words  # curl would label it a form


def test_short_commands_fit_one_line_and_long_ones_break_per_option() -> None:
    text = curl_text("h", "User-Agent:", "Accept:", "Accept-Encoding:")
    assert text == "curl http://h/ -H Accept: -H Accept-Encoding: -H User-Agent: --compressed\n"
    lines = curl_text("POST", "example.org/x", "a=1").splitlines()
    assert lines[0] == "curl http://example.org/x \\"
    assert all(line.startswith("  -") for line in lines[1:])


def test_transport_flags(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("not checked until sent")
    text = curl_text(
        "--follow",
        "--max-redirects",
        "4",
        "--location-trusted",
        "--verify",
        str(tmp_path),
        "--cert",
        str(cert),
        "--cert-key",
        str(cert),
        "--cert-key-pass",
        "pw",
        "--ssl",
        "tls1.2",
        "--ciphers",
        "ECDHE+AESGCM",
        "--proxy",
        "http://pu:pp@proxy:3128",
        "--max-time",
        "2.5",
        "--connect-timeout",
        "4",
        "--timeout",
        "1.2",
        "--retry",
        "3",
        "--retry-max-time",
        "9.5",
        "--max-filesize",
        "1000",
        "https://example.org",
    )
    for part in (
        "-L --max-redirs 4",
        "--location-trusted",
        f"--capath {tmp_path}",
        f"--cert {cert}",
        f"--key {cert}",
        "--pass pw",
        "--tlsv1.2 --tls-max 1.2",
        "--ciphers ECDHE+AESGCM",
        "--proxy http://proxy:3128 --proxy-user pu:pp",
        "--max-time 2.5",
        "--connect-timeout 4",
        "--speed-limit 1 --speed-time 2",
        "--retry 3",
        "--retry-max-time 10",
        "--max-filesize 1000",
    ):
        assert f"  {part} \\\n" in text.rstrip("\n") + " \\\n", part
    assert "-k" not in curl_words("--verify", str(cert), "https://example.org")
    assert "--cacert" in curl_words("--verify", str(cert), "https://example.org")
    assert "-k" in curl_words("--verify", "no", "https://example.org")


def test_digest_credentials_and_downloads() -> None:
    words = curl_words("-A", "digest", "-a", "ada:pw", "example.org")
    assert words[words.index("--digest") + 1 : words.index("--digest") + 3] == ["-u", "ada:pw"]
    assert not any(w.startswith("Authorization") for w in words)
    download = curl_words("--download", "example.org/file.iso")
    assert "Accept-Encoding: identity" in download
    assert "-O" in download and "-J" in download and "--compressed" not in download


def test_download_to_a_file_resumed(tmp_path: Path) -> None:
    target = tmp_path / "out.iso"
    words = curl_words("--download", "--continue", "--output", str(target), "example.org/f")
    assert words[-4:] == ["-o", str(target), "-C", "-"]


def test_what_curl_cannot_say_is_a_warning() -> None:
    result = run_cli("--curl", "--retry", "2", "--retry-on", "503", "--secret-header", "X-T", "h")
    assert result.exit_status == 0
    assert result.stderr.splitlines() == [
        "aiocurl: warning: --curl: curl retries on 408, 429, 500, 502, 503 and 504: "
        "--retry-on left out",
        "aiocurl: warning: --curl: curl has no --secret-header: it drops only Authorization "
        "and Cookie on redirects",
    ]
    assert run_cli("--curl", "-qq", "--retry", "2", "--retry-on", "503", "h").stderr == ""


def test_a_streamed_stdin_body_is_read_by_curl_from_its_stdin() -> None:
    big = b"x" * (5 * 1024 * 1024)
    result = run_cli("--curl", "POST", "example.org", stdin=big)
    assert result.exit_status == 0
    assert "--data-binary @- " in result.text.replace("\\\n", "")
    assert "pipe the same input into curl" in result.stderr


def test_a_small_stdin_body_is_printed() -> None:
    words = curl_words("POST", "example.org")
    assert "--data-raw" in words
    result = run_cli("--curl", "POST", "example.org", stdin=b'{"piped": true}')
    assert "--data-raw '{\"piped\": true}'" in result.text


def test_printf_feeds_bytes_that_are_not_text() -> None:
    text = curl_text("--raw", "a\x00b\udcff'%\\", "example.org")
    assert text.startswith("printf 'a\\000b\\377\\047%%\\\\' | curl ")
    assert "--data-binary @-" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ws://example.org/ws"], "--curl: a WebSocket session has no curl equivalent"),
        (["--repeat", "3", "example.org"], "--curl prints one request"),
        (["--rate", "3", "example.org"], "--rate goes with --repeat or --duration"),
        (["--multipart", "POST", "h", "a=b=c"], None),
        (["--multipart", "POST", "h", "a\\=b=c"], "--curl: curl cannot send a form field named"),
    ],
)
def test_refused(args: list[str], message: str | None) -> None:
    result = run_cli("--curl", *args)
    if message is None:
        assert result.exit_status == 0, result.stderr
        return
    assert result.exit_status == 1
    assert result.stderr.startswith("aiocurl: error: " + message)
    assert result.stderr.count("\n") == 1 and result.stdout == b""


def test_deflated_body_is_fed_exactly(echo: RecordingEcho) -> None:
    text = curl_text("-xx", "POST", f"{echo.url}/anything", "a=b")
    assert text.startswith("printf ")
    echo.take()
    assert run_shell(text).returncode == 0
    (received,) = echo.take()
    assert received.header("Content-Encoding") == "deflate"
    assert received.body == b'{"a": "b"}'  # aiohttp's server inflates it: valid deflate


def test_curl_imports_neither_aiohttp_nor_rich() -> None:
    probe = (
        "import sys\nfrom aiocurl.cli.main import main\n"
        "main(['--curl', 'POST', 'example.org/x', 'a=b', 'X:1'])\n"
        "heavy = sorted(m for m in ('aiohttp', 'rich', 'yarl') if m in sys.modules)\n"
        "print('IMPORTED:' + ','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "IMPORTED:\n" in done.stderr
    assert done.stdout.startswith("curl http://example.org/x")


@needs_curl
def test_routing_flags_reach_the_same_server_through_curl(echo: RecordingEcho) -> None:
    """--resolve, --connect-to, -4 and --interface as curl spells them: curl, like aiocurl,
    reaches the echo server under names that resolve nowhere."""
    port = echo.url.rsplit(":", 1)[1]
    argv = [
        "--resolve",
        f"api.test:{port}:127.0.0.1",
        "--connect-to",
        f"other.test:80:127.0.0.1:{port}",
        "-4",
        "--interface",
        "127.0.0.1",
        f"http://api.test:{port}/anything/routed",
    ]
    words = curl_words(*argv)
    assert words[words.index("--resolve") + 1] == f"api.test:{port}:127.0.0.1"
    assert words[words.index("--connect-to") + 1] == f"other.test:80:127.0.0.1:{port}"
    assert "-4" in words and words[words.index("--interface") + 1] == "127.0.0.1"
    echo.take()
    assert run_cli(*argv).exit_status == 0
    by_aiocurl = echo.take()
    done = run_shell(curl_text(*argv))
    assert done.returncode == 0, done.stderr
    by_curl = echo.take()
    assert [r.header("Host") for r in by_curl] == [f"api.test:{port}"]
    assert [comparable(r) for r in by_curl] == [comparable(r) for r in by_aiocurl]


def test_a_resolve_rule_for_any_port_takes_the_urls_port_and_proxies_their_scheme() -> None:
    words = curl_words(
        "--resolve",
        "api.test:[::1]",
        "--proxy",
        "https:socks5h://user:pw@127.0.0.1:1080",
        "--proxy",
        "http:http://127.0.0.1:3128",
        "https://api.test/x",
    )
    assert words[words.index("--resolve") + 1] == "api.test:443:[::1]"
    assert words[words.index("--proxy") + 1] == "socks5h://127.0.0.1:1080"
    assert words[words.index("--proxy-user") + 1] == "user:pw"
    assert words.count("--proxy") == 1


def test_a_unix_socket_and_ipv6(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        words = curl_words("--unix-socket", str(path), ":/v1/info")
    assert words[words.index("--unix-socket") + 1] == str(path)
    assert "-6" in curl_words("-6", "http://h.test/")

"""--from-curl: real-world curl commands (browser "Copy as cURL", API docs) run as aiocurl
make the echo server receive what real curl sends for the same command."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest
from helpers import run_cli
from recording_echo import CURL, Received, RecordingEcho, comparable, run_shell

from aiocurl.cli import curl_args, from_curl
from aiocurl.cli.shell_words import decode_ansi_c, split_words
from aiocurl.errors import UsageError

needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")
TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "lines.txt").write_bytes(b"name=ada\r\n&lang=en\n")
    (tmp_path / "payload.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "report.txt").write_text("all good\n")
    (tmp_path / "start.json").write_text('{"start": 1\n')
    (tmp_path / "comment.txt").write_text("100% sure & done\n")
    (tmp_path / "dramacat.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff\x00,")
    return tmp_path


def lines(*parts: str) -> str:
    """A command over several lines, with backslash-newline continuations."""
    return " \\\n  ".join(parts)


CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
SEC_CH_UA = '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'
GRAPHQL = (
    r"""$'{"query":"mutation { say(text: \\"it\'s done\u0021\\") }","""
    r""""variables":{"tab":"a\\tb","e":"caf\u00e9"}}'"""
)
WEBKIT_FORM = (
    r"""$'------WebKitFormBoundaryX3yQ\r\nContent-Disposition: form-data; name="title"\r\n"""
    r"""\r\nhello\r\n------WebKitFormBoundaryX3yQ--\r\n'"""
)
ISSUE = (
    r"""'{"title":"Found a bug","body":"I'\''m having a problem with this.","""
    r""""assignees":["octocat"],"labels":["bug"]}'"""
)

# As browsers and API docs print them; `{url}` is the echo server, `{dir}` the files above.
COMMANDS = {
    "chrome GET": lines(
        "curl '{url}/anything/api/v1/items?page=2&sort=desc'",
        "-H 'accept: application/json, text/plain, */*'",
        "-H 'accept-language: en-US,en;q=0.9,fr;q=0.8'",
        "-b '_ga=GA1.1.123456; session=abc123'",
        "-H 'cache-control: no-cache'",
        "-H 'referer: https://app.example.com/items'",
        f"-H 'sec-ch-ua: {SEC_CH_UA}'",
        "-H 'sec-ch-ua-mobile: ?0'",
        "-H 'sec-ch-ua-platform: \"Linux\"'",
        "-H 'sec-fetch-dest: empty'",
        "-H 'sec-fetch-mode: cors'",
        "-H 'sec-fetch-site: same-origin'",
        f"-H 'user-agent: {CHROME_UA}'",
        "--compressed",
    ),
    "chrome POST with $'...'": lines(
        "curl '{url}/anything/graphql'",
        "-H 'accept: */*'",
        "-H 'content-type: application/json'",
        "-H 'origin: https://app.example.com'",
        f"--data-raw {GRAPHQL}",
        "--compressed",
    ),
    "chrome multipart as raw bytes": lines(
        "curl '{url}/anything/upload'",
        "-H 'content-type: multipart/form-data; boundary=----WebKitFormBoundaryX3yQ'",
        f"--data-raw {WEBKIT_FORM}",
    ),
    "firefox form POST": " ".join(
        [
            "curl '{url}/anything/login' -X POST",
            f"-H 'User-Agent: {FIREFOX_UA}'",
            "-H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'",
            "-H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br'",
            "-H 'Content-Type: application/x-www-form-urlencoded'",
            "-H 'Origin: https://example.com' -H 'Connection: keep-alive'",
            "-H 'Referer: https://example.com/login' -H 'Cookie: csrftoken=abc; sessionid=xyz'",
            "-H 'Upgrade-Insecure-Requests: 1' -H 'Sec-Fetch-Dest: document'",
            "-H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Site: same-origin'",
            "-H 'Sec-Fetch-User: ?1'",
            "--data-raw 'csrfmiddlewaretoken=abc&username=ada&password=p%40ss'",
        ]
    ),
    "GitHub: create an issue": lines(
        "curl -L",
        "-X POST",
        '-H "Accept: application/vnd.github+json"',
        '-H "Authorization: Bearer $GITHUB_TOKEN"',
        '-H "X-GitHub-Api-Version: 2022-11-28"',
        "{url}/anything/repos/OWNER/REPO/issues",
        f"-d {ISSUE}",
    ),
    "Stripe: create a customer": lines(
        "curl {url}/anything/v1/customers",
        "-u sk_test_4eC39HqLyjWDarjtT1zdp7dc:",
        '-d name="Jenny Rosen"',
        '--data-urlencode email="jenny.rosen+test@example.com"',
        '-d "metadata[order_id]"=6735',
    ),
    "Stripe: list with -G": lines(
        "curl -G {url}/anything/v1/charges",
        "-u sk_test_4eC39HqLyjWDarjtT1zdp7dc:",
        "-d limit=3",
        '-d "created[gte]"=1700000000',
    ),
    "Slack: post a message": lines(
        "curl -X POST -H 'Authorization: Bearer xoxb-1234-56789-abcdef'",
        "-H 'Content-type: application/json; charset=utf-8'",
        """--data '{"channel":"C123ABC456","text":"Hello, world! :tada:"}'""",
        "{url}/anything/api/chat.postMessage",
    ),
    "Slack: upload a file with -F": (
        'curl -F file=@{dir}/dramacat.gif -F "initial_comment=Shakes the cat" '
        '-F channels=C024BE91L,D032AC32T -H "Authorization: Bearer xoxb-xxxxxxxxx-xxxx" '
        "{url}/anything/api/files.upload"
    ),
    "--json": """curl --json '{"tool": "curl", "n": 1}' {url}/anything/tools""",
    "--json from a file, then appended": (
        """curl --json @{dir}/start.json --json ', "end": true}' {url}/anything"""
    ),
    "-d @file strips newlines, -d joins with &": (
        "curl -d @{dir}/lines.txt -d extra=1 {url}/anything"
    ),
    "--data-binary @file keeps the bytes": (
        "curl --data-binary @{dir}/payload.bin -H 'Content-Type: application/octet-stream' "
        "{url}/anything/upload"
    ),
    "-T uploads with PUT, named after the file": "curl -T {dir}/report.txt {url}/anything/up/",
    "-I with -u": "curl -I -u admin:secret {url}/anything/status",
    "-A, -e ;auto, -b twice": (
        "curl -A 'MyAgent/1.0' -e 'https://example.com/start;auto' -b 'a=1; b=2' -b c=3 "
        "{url}/anything"
    ),
    "-sSL with --max-redirs over two lines": lines(
        "curl -sSL --max-redirs 3", '"{url}/redirect-to?url=/anything/final&status_code=302"'
    ),
    "--data-urlencode forms": (
        "curl --data-urlencode \"comment@{dir}/comment.txt\" --data-urlencode 'q=a b&c=é' "
        "--data-urlencode '=just text' {url}/anything"
    ),
    "Elasticsearch -XPUT -d'...'": (
        "curl -XPUT \"{url}/anything/my-index?pretty\" -H 'Content-Type: application/json' "
        """-d'{"settings":{"number_of_shards":1}}'"""
    ),
    "-G with --data-urlencode": (
        "curl -G --data-urlencode \"q=select * from t where a='x'\" -d limit=10 "
        "{url}/anything/search"
    ),
    "empty and removed headers": "curl -H 'X-Empty;' -H 'Accept:' -H 'X-Trace: a b' {url}/anything",
    "comments and a chunked upload": (
        "# send the report\n"
        "curl -H 'Transfer-Encoding: chunked' --data-binary @{dir}/report.txt {url}/anything"
        "  # done\n"
    ),
}


def expand(text: str, echo: RecordingEcho, files: Path) -> str:
    return text.replace("{url}", echo.url).replace("{dir}", str(files))


def same_target(target: str) -> str:
    """A target as RFC 3986 compares them: percent-escapes in upper case (curl 7.88 writes
    -G's in lower case). aiocurl percent-encodes [ and ] in a query, where curl sends them
    as they are (request/urls.py): those are decoded."""
    upper = re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group().upper(), target)
    return upper.replace("%5B", "[").replace("%5D", "]")


def normal(received: list[Received]) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
    """Each client's own User-Agent aside; `Expect: 100-continue` is how curl sends, not
    what; --compressed lists the codings each client decodes, in its own order."""
    found = []
    for request in received:
        method, target, headers, body = comparable(
            request, own_agent=True, drop=frozenset({"expect"})
        )
        target = same_target(target)
        headers = [
            (n, ", ".join(sorted(v.split(", "))) if n.lower() == "accept-encoding" else v)
            for n, v in headers
        ]
        found.append((method, target, headers, body))
    return found


@needs_curl
@pytest.mark.parametrize("template", COMMANDS.values(), ids=COMMANDS.keys())
def test_aiocurl_sends_what_curl_sends(template: str, echo: RecordingEcho, files: Path) -> None:
    command = expand(template, echo, files)
    variables = {"GITHUB_TOKEN": TOKEN}
    echo.take()
    done = run_shell(command, shell="bash", cwd=str(files), env={**os.environ, **variables})
    assert done.returncode == 0, done.stderr
    by_curl = echo.take()
    result = run_cli("--from-curl", command, env=variables)
    assert result.exit_status == 0, result.stderr
    by_aiocurl = echo.take()
    assert by_curl, "curl sent nothing"
    assert normal(by_aiocurl) == normal(by_curl)


def test_offline_shows_the_request_curl_would_send() -> None:
    command = "curl -X POST -H 'X-A: 1' -d 'a=1' -d b=2 https://api.example/x?y=1"
    result = run_cli("--from-curl", command, "--offline")
    assert result.exit_status == 0, result.stderr
    head, _, body = result.stdout.partition(
        b"\r\n\r\n" if b"\r\n\r\n" in result.stdout else b"\n\n"
    )
    lines = head.decode().splitlines()
    assert lines[0] == "POST /x?y=1 HTTP/1.1"
    assert "Content-Type: application/x-www-form-urlencoded" in lines
    assert "Accept: */*" in lines and "X-A: 1" in lines
    assert not any(line.startswith("Accept-Encoding") for line in lines)
    assert body.strip() == b"a=1&b=2"


def test_flags_given_after_the_command_win() -> None:
    command = "curl -L --max-redirs 5 -m 3 -k https://h/x"
    words = run_cli("--from-curl", command, "--max-redirects", "2", "--curl").text
    assert "-L --max-redirs 2" in words and "--max-time 3" in words and "  -k" in words
    assert "--max-redirs 5" not in words


def test_verbose_on_top_of_include(echo: RecordingEcho) -> None:
    command = f"curl -i {echo.url}/anything/x"
    shown = run_cli("--from-curl", command).stdout
    assert shown.startswith(b"HTTP/1.1 200 OK")  # -i: the head, then the body
    verbose = run_cli("--from-curl", command, "-v").stdout
    assert verbose.startswith(b"GET /anything/x HTTP/1.1")


def test_a_load_run_of_a_curl_command(echo: RecordingEcho) -> None:
    echo.take()
    command = f"curl -H 'X-Run: 1' -d a=1 {echo.url}/anything"
    result = run_cli("--from-curl", command, "--repeat", "3", "--summary", "json")
    assert result.exit_status == 0, result.stderr
    received = echo.take()
    assert [(r.method, r.body, r.header("X-Run")) for r in received] == [("POST", b"a=1", "1")] * 3


def test_the_command_from_stdin() -> None:
    result = run_cli("--from-curl", "-", "--offline", stdin=b"curl \\\n -d x=1 http://h/p\n")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.startswith(b"POST /p HTTP/1.1")


def test_the_body_from_stdin_is_sent_as_it_is(echo: RecordingEcho) -> None:
    echo.take()
    data = b"raw\x00bytes\r\n\xff"
    result = run_cli("--from-curl", f"curl --data-binary @- {echo.url}/anything", stdin=data)
    assert result.exit_status == 0, result.stderr
    (received,) = echo.take()
    assert received.body == data
    assert received.header("Content-Type") == "application/x-www-form-urlencoded"


def test_piped_stdin_is_no_body_unless_the_command_says_so(echo: RecordingEcho) -> None:
    echo.take()
    result = run_cli("--from-curl", f"curl {echo.url}/anything", stdin=b"not a body")
    assert result.exit_status == 0, result.stderr
    (received,) = echo.take()
    assert (received.method, received.body) == ("GET", b"")


def test_netrc_is_read_only_with_dash_n(tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine h login ada password pw\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc), "HOME": str(tmp_path)}
    without = run_cli("--from-curl", "curl http://h/", "--offline", env=env).text
    assert "Authorization" not in without
    with_n = run_cli("--from-curl", "curl -n http://h/", "--offline", env=env).text
    assert "Authorization: Basic YWRhOnB3" in with_n


@pytest.mark.parametrize(
    ("command", "extra", "message"),
    [
        (
            "curl --trace-ascii t.txt http://h/",
            [],
            "the curl option --trace-ascii is not supported",
        ),
        ("curl --trace x http://h/", [], "the curl option --trace is not supported"),
        ("curl --user=me:pw http://h/", [], "the curl option --user is not supported"),
        ("curl -sZ http://h/", [], "the curl option -Z is not supported"),
        ("curl http://h/ | jq .", [], "the shell operator '|' is not supported"),
        ("curl http://h/?a=1&b=2", [], "the shell operator '&' is not supported"),
        ("curl $(cat url.txt)", [], "command substitution $(...) is not supported"),
        ('curl -H "X: $NOT_SET_ANYWHERE" http://h/', [], "$NOT_SET_ANYWHERE is not set"),
        ("curl 'http://h/", [], "a single quote (') is not closed"),
        ("wget http://h/", [], "expected a curl command, got 'wget' first"),
        ("", [], "the curl command is empty"),
        ("curl -X POST", [], "the curl command has no URL"),
        ("curl http://a/ http://b/", [], "one URL only, got 2"),
        ("curl http://h/ -H", [], "curl option -H needs a value"),
        ("curl -b cookies.txt http://h/", [], "names a cookie file"),
        ("curl -F a=b -d c=d http://h/", [], "-d/--json and -F cannot be combined"),
        ("curl -C 100 -o f http://h/", [], "-C OFFSET is not supported"),
        ("curl -X 'M-SEARCH' http://h/", [], "methods made of letters only"),
        ("curl -H 'NoColon' http://h/", [], "expected 'Name: value'"),
        (
            "curl http://h/",
            ["http://other/"],
            "only aiocurl flags may follow (got 'http://other/')",
        ),
        ("curl http://h/", ["--batch", "f"], "--from-curl is one request: it does not go"),
        ("curl -d @- http://h/", [], None),  # read from stdin: below
    ],
)
def test_errors_are_one_line(command: str, extra: list[str], message: str | None) -> None:
    if message is None:  # the command itself came from stdin: its body cannot
        result = run_cli("--from-curl", "-", stdin=command.encode())
        message = "the command came from stdin, so its body cannot (@-)"
    else:
        result = run_cli("--from-curl", command, *extra)
    assert result.exit_status == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("aiocurl: error: ")
    assert message in result.stderr
    assert result.stdout == b""


@pytest.mark.parametrize(
    ("quoted", "text"),
    [
        (r"a\nb\tc", "a\nb\tc"),
        (r"it\'s \"q\" \\ \?", 'it\'s "q" \\ ?'),
        (r"\x41\101\u00e9\U0001F600", "AAé\U0001f600"),
        (r"\xff\xfe", "\udcff\udcfe"),  # not UTF-8: the bytes, as a shell passes them
        (r"\e[0m\cA\a", "\x1b[0m\x01\x07"),
        (r"a\0b", "a"),  # bash ends the string at a NUL
        (r"\q\x\u", "\\q\\x\\u"),  # not escapes: kept as typed
        (r"\1234", "S4"),  # three octal digits at most
    ],
)
def test_ansi_c_quoting(quoted: str, text: str) -> None:
    assert decode_ansi_c(quoted) == text


def test_shell_words() -> None:
    env = {"HOST": "h.example", "T": "t0k"}
    line = (
        'curl \\\n  -H "Authorization: Bearer $T" -d \'\' -d "a \\"b\\" \\$c" '
        "'http://'${HOST}/x $'\\'' \"\" # a comment\n  -v"
    )
    assert split_words(line, env) == [
        "curl",
        "-H",
        "Authorization: Bearer t0k",
        "-d",
        "",
        "-d",
        'a "b" $c',
        "http://h.example/x",
        "'",
        "",
        "-v",
    ]
    assert split_words("a\\\r\nb c$ d\\", {}) == ["ab", "c$", "d\\"]
    with pytest.raises(UsageError, match=r"\$1"):
        split_words("curl $1", {})
    with pytest.raises(UsageError, match="only"):
        split_words("curl ${A:-x}", {"A": "1"})


def test_every_option_in_the_table_translates() -> None:
    """Each accepted option, alone on a command line, becomes aiocurl arguments or nothing;
    a short one takes its value attached or as the next word."""

    def read(path: str) -> bytes:
        return b"file"

    values = {
        "continue-at": "-",
        "cookie": "a=1",
        "header": "X: 1",
        "request": "PUT",
        "form": "a=1",
        "form-string": "a=1",
    }
    for name, takes_value in (
        (n, n in curl_args.VALUE_OPTIONS) for n in curl_args.VALUE_OPTIONS | curl_args.SWITCHES
    ):
        if name == "url":
            continue  # below
        spellings = [f"--{name}"] + [f"-{k}" for k, v in curl_args.SHORT.items() if v == name]
        for spelling in spellings:
            value = f" '{values.get(name, '1')}'" if takes_value else ""
            commands = [f"curl {spelling}{value} http://h/"]
            if takes_value and len(spelling) == 2:
                commands.append(f"curl -s{spelling[1]}{value.strip()} http://h/")
            for command in commands:
                translation = from_curl.translate(command, read=read, env={})
                assert translation.positionals[1].startswith("http://h/"), command
    translation = from_curl.translate("curl --url http://h/", read=read, env={})
    assert translation.positionals[:2] == ("GET", "http://h/")


def test_routing_options_and_write_out_run_as_curl_means_them(echo: RecordingEcho) -> None:
    port = echo.url.rsplit(":", 1)[1]
    command = (
        f"curl -4 --interface 127.0.0.1 --resolve api.test:{port}:127.0.0.1 "
        f"--connect-to other.test:80:127.0.0.1:{port} -w '%{{http_code}} %{{method}}' "
        f"http://api.test:{port}/anything/one"
    )
    echo.take()
    result = run_cli("--from-curl", command)
    assert result.exit_status == 0, result.stderr
    assert result.stdout.endswith(b"200 GET")
    assert [r.header("Host") for r in echo.take()] == [f"api.test:{port}"]

    via = run_cli(
        "--from-curl",
        f"curl --connect-to other.test:80:127.0.0.1:{port} http://other.test/anything/two",
    )
    assert via.exit_status == 0, via.stderr
    assert [(r.target, r.header("Host")) for r in echo.take()] == [("/anything/two", "other.test")]


def test_unix_socket_and_ipv6_are_translated(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        printed = run_cli("--from-curl", f"curl --unix-socket {path} http://localhost/v", "--curl")
    assert printed.exit_status == 0, printed.stderr
    assert f"--unix-socket {path}" in printed.text
    offline = run_cli("--from-curl", "curl -6 http://h.test/v", "--curl")
    assert offline.exit_status == 0 and " -6" in offline.text

"""--curl: a request plan printed as the curl command that sends the same request.

The promise: run in a POSIX shell, the command makes the server receive the method, URL,
headers (User-Agent aside only if you remove it) and body bytes that aiocurl would send.
So every header is spelled out, aiocurl's defaults included, and curl's own defaults that
aiocurl does not send are removed (`-H 'Name:'`): the Content-Type curl gives a body,
`Expect: 100-continue` for a large one. `https` gets `--http1.1`, as aiocurl speaks it.

The body: text as `--data-raw '...'`; a file as `--data-binary @file`; multipart parts as
`--form-string` and `-F 'name=@"path";type=...'`; stdin streamed as `--data-binary @-`.
Bytes that a shell word cannot carry as they are (not UTF-8, or control characters) are
fed through `printf` with octal escapes, `printf '...' | curl ... --data-binary @-`, which
any POSIX shell runs (bash's `$'...'` is not POSIX, and dash lacks it).

What curl cannot express is left out and said on stderr as a warning. Pure formatting,
apart from `write_curl_command`, which prints.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO
from urllib.parse import urlsplit

from aiocurl.errors import UsageError
from aiocurl.request.body import FileSegment, RequestBody, StreamSegment
from aiocurl.request.plan import RequestPlan, RequestSpec
from aiocurl.request.plan_body import boundary_of
from aiocurl.request.plan_transport import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_HEADER_SIZE,
    DEFAULT_MAX_HEADERS,
    DEFAULT_RETRY_ON,
    TransportPlan,
)

# curl asks for `Expect: 100-continue` above this size, or when it does not know the size.
EXPECT_THRESHOLD = 1024 * 1024
# Methods sent without a body when there is none; any other gets `Content-Length: 0`.
_BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Bytes a shell word shows as they are: printable ASCII, tab and newline, and text beyond
# ASCII that is not a control character.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_URL_GLOB = re.compile(r"[\[\]{}]")  # curl expands these unless -g
_DOT_SEGMENT = re.compile(r"/\.\.?(/|$|\?|#)")
LINE_WIDTH = 100


@dataclass(frozen=True)
class CurlCommand:
    """The command as options (each a group of unquoted words), an optional printf feed for
    its stdin, and what could not be expressed."""

    options: tuple[tuple[str, ...], ...]
    lead: int = 0  # options up to the URL, which share the first line
    stdin: bytes | None = None
    warnings: tuple[str, ...] = ()

    def text(self) -> str:
        """One line when short, else the URL's line and then an option a line, joined by
        backslash-newlines."""
        groups = [" ".join(shlex.quote(word) for word in option) for option in self.options]
        feed = f"printf {printf_format(self.stdin)} | " if self.stdin is not None else ""
        line = feed + " ".join(["curl", *groups])
        if len(line) <= LINE_WIDTH and "\n" not in line:
            return line
        first = feed + " ".join(["curl", *groups[: self.lead]])
        return " \\\n  ".join([first, *groups[self.lead :]])


@dataclass
class _Command:
    options: list[tuple[str, ...]] = field(default_factory=list)
    stdin: bytes | None = None
    warnings: list[str] = field(default_factory=list)

    def add(self, *words: str) -> None:
        self.options.append(words)

    def done(self, lead: int) -> CurlCommand:
        return CurlCommand(tuple(self.options), lead, self.stdin, tuple(self.warnings))


def curl_command(plan: RequestPlan) -> CurlCommand:
    """The curl command for a plan; a WebSocket plan has none."""
    if plan.ws is not None:
        raise UsageError("--curl: a WebSocket session has no curl equivalent")
    request = plan.request
    command = _Command()
    if request.url.lower().startswith("https:"):
        command.add("--http1.1")  # aiohttp speaks HTTP/1.1; curl would offer HTTP/2
    if _URL_GLOB.search(request.url):
        command.add("-g")
    if _DOT_SEGMENT.search(request.url.split("://", 1)[-1]):
        command.add("--path-as-is")
    body = BodyOptions(request)
    add_method(command, request.method, has_body=body.present)
    command.add(request.url)
    lead = len(command.options)
    add_headers(command, request, body)
    add_auth(command, request)
    body.add_to(command)
    add_transport(command, plan.transport, plan.request.url)
    add_output(command, plan)
    return command.done(lead)


def add_method(command: _Command, method: str, *, has_body: bool) -> None:
    """curl's own method is POST with a body and GET without; `-X HEAD` would wait for a
    body, so HEAD is -I."""
    if has_body:
        if method != "POST":
            command.add("-X", method)
    elif method == "HEAD":
        command.add("-I")
    elif method != "GET":
        command.add("-X", method)


def add_headers(command: _Command, request: RequestSpec, body: BodyOptions) -> None:
    """Every header in order; removals as `Name:`, empty values as `Name;`."""
    basic = _basic_header(request)
    for name, value in request.headers:
        if (name, value) == basic:
            continue  # -u says it
        if name.lower() == "content-type" and body.form_boundary is not None:
            if not value.lower().startswith("multipart/form-data"):
                subtype = value.split(";", 1)[0].strip()
                command.add("-H", f"Content-Type: {subtype}")  # curl appends its boundary
                command.warnings.append(
                    f"curl marks the parts of {subtype} as attachments, not form-data"
                )
            continue
        command.add("-H", f"{name}: {value}" if value else f"{name};")
    removed = {name.lower() for name in request.unset_headers}
    for name in sorted(request.unset_headers, key=str.lower):
        command.add("-H", f"{name}:")
    sent = {name.lower() for name, _ in request.headers}
    if body.present and body.form_boundary is None and "content-type" not in sent | removed:
        command.add("-H", "Content-Type:")  # curl would label the data as a form
    if body.wants_expect and "expect" not in sent | removed:
        command.add("-H", "Expect:")
    if request.chunked:
        command.add("-H", "Transfer-Encoding: chunked")


def _basic_header(request: RequestSpec) -> tuple[str, str] | None:
    """The Authorization header that -u USER:PASSWORD makes, when the plan's came from it."""
    auth = request.auth
    if auth is None or auth.kind != "basic":
        return None
    import base64

    token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
    header = ("Authorization", f"Basic {token}")
    return header if header in request.headers else None


def add_auth(command: _Command, request: RequestSpec) -> None:
    auth = request.auth
    if auth is None:
        return
    if auth.kind == "digest":
        command.add("--digest", "-u", f"{auth.username}:{auth.password}")
    elif _basic_header(request) is not None:
        command.add("-u", f"{auth.username}:{auth.password}")


class BodyOptions:
    """The body as curl options, and what it means for the headers."""

    def __init__(self, request: RequestSpec) -> None:
        self.body = request.body
        self.method = request.method
        content_type = next((v for n, v in request.headers if n.lower() == "content-type"), None)
        boundary = boundary_of(content_type) if content_type else None
        is_multipart = (content_type or "").lower().startswith("multipart/")
        # Parts that aiocurl framed from items become -F; a body given whole (--raw, a
        # file, stdin) is sent as it is, whatever its type says.
        built = self.body is not None and self.body.source == "data items"
        self.form_boundary = boundary if is_multipart and built else None
        self.chunked = request.chunked

    @property
    def present(self) -> bool:
        """Whether curl sends a body: aiocurl sends an empty one (`Content-Length: 0`)
        for POST, PUT, DELETE and any method but GET, HEAD, OPTIONS and TRACE."""
        return self.body is not None or self.method not in _BODILESS_METHODS

    @property
    def wants_expect(self) -> bool:
        if self.body is None:
            return False
        length = self.body.length
        return self.chunked or length is None or length > EXPECT_THRESHOLD

    def add_to(self, command: _Command) -> None:
        body = self.body
        if body is None:
            if self.present:
                command.add("--data-raw", "")
            return
        if self.form_boundary is not None:
            add_form(command, body, self.form_boundary)
            return
        data = body.in_memory
        if data is not None:
            add_bytes(command, data)
        elif len(body.segments) == 1 and isinstance(body.segments[0], FileSegment):
            command.add("--data-binary", "@" + body.segments[0].path)
        elif any(isinstance(segment, StreamSegment) for segment in body.segments):
            command.add("--data-binary", "@-")
            command.warnings.append(
                f"the body is read from stdin: pipe the same input into curl ({body.source})"
            )
        else:
            raise UsageError(f"--curl: the body from {body.source} has no curl equivalent")


def add_bytes(command: _Command, data: bytes) -> None:
    text = _shell_text(data)
    if text is not None:
        command.add("--data-raw", text)
    else:
        command.stdin = data
        command.add("--data-binary", "@-")


def _shell_text(data: bytes) -> str | None:
    """The body as text a shell word carries exactly, or None (binary, controls, NUL)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def printf_format(data: bytes) -> str:
    """A quoted printf format that prints exactly `data` in any POSIX shell: printable
    ASCII as it is, `%` and `\\` doubled, everything else (and `'`, and a first `-`,
    which printf would take for an option) as a 3-digit octal."""
    out: list[str] = []
    for position, byte in enumerate(data):
        char = chr(byte)
        if char == "-" and position == 0:
            out.append("\\055")
        elif char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif 0x20 <= byte < 0x7F and char != "'":
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "'" + "".join(out) + "'"


# Multipart bodies: the parts read back from aiocurl's own framing (request/multipart.py).


@dataclass(frozen=True)
class FormPart:
    name: str
    text: str | None = None
    file: FileSegment | bytes | None = None
    filename: str | None = None
    content_type: str | None = None


def add_form(command: _Command, body: RequestBody, boundary: str) -> None:
    parts = form_parts(body, boundary)
    if parts is None:
        raise UsageError(f"--curl: the multipart body from {body.source} has no curl equivalent")
    for part in parts:
        if "=" in part.name:
            raise UsageError(f"--curl: curl cannot send a form field named {part.name!r} ('=')")
        if part.text is not None:
            command.add("--form-string", f"{part.name}={part.text}")
        else:
            command.add("-F", _file_part(part))


def _file_part(part: FormPart) -> str:
    """`name=@"path";type=...` for a file on disk, `name="content";filename=...` for one
    that was read when planned (an empty file, or /proc's)."""
    if isinstance(part.file, FileSegment):
        spec = f'{part.name}=@"{_form_quote(part.file.path)}"'
        if part.filename != os.path.basename(part.file.path):
            spec += f';filename="{_form_quote(part.filename or "")}"'
    else:
        content = _shell_text(part.file or b"")
        if content is None:
            raise UsageError(
                f"--curl: the form file {part.filename!r} holds bytes a curl argument cannot "
                "carry; save it to a file"
            )
        spec = f'{part.name}="{_form_quote(content)}";filename="{_form_quote(part.filename or "")}"'
    if part.content_type:
        spec += f";type={part.content_type}"
    return spec


def _form_quote(text: str) -> str:
    """A -F "quoted" word: curl reads `\\"` and `\\\\` in it."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def form_parts(body: RequestBody, boundary: str) -> list[FormPart] | None:
    """The parts of a multipart body as request/multipart.py frames it, or None when it is
    not that framing. Files stay as they are: each FileSegment is a part's whole content."""
    import secrets

    placeholders: dict[bytes, FileSegment] = {}
    flat = bytearray()
    for segment in body.segments:
        if isinstance(segment, bytes):
            flat += segment
        elif isinstance(segment, FileSegment):
            marker = f"\x00{secrets.token_hex(16)}\x00".encode()
            placeholders[marker] = segment
            flat += marker
        else:
            return None
    delimiter = f"--{boundary}".encode()
    closing = delimiter + b"--\r\n"
    data = bytes(flat)
    if data == closing:
        return []
    if not data.startswith(delimiter + b"\r\n") or not data.endswith(b"\r\n" + closing):
        return None
    inner = data[len(delimiter) + 2 : -len(closing) - 2]
    chunks = inner.split(b"\r\n" + delimiter + b"\r\n")
    parts = [_form_part(chunk, placeholders) for chunk in chunks]
    return None if any(part is None for part in parts) else [p for p in parts if p is not None]


_DISPOSITION = re.compile(r'form-data; name="([^"]*)"(?:; filename="([^"]*)")?$')


def _form_part(chunk: bytes, placeholders: dict[bytes, FileSegment]) -> FormPart | None:
    head, sep, content = chunk.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("utf-8", "surrogateescape").split("\r\n")
    match = _DISPOSITION.fullmatch(lines[0].removeprefix("Content-Disposition: "))
    if match is None or not lines[0].startswith("Content-Disposition: "):
        return None
    name, filename = _unquote(match.group(1)), match.group(2)
    if filename is None:  # a text field: no other header
        if len(lines) != 1:
            return None
        return FormPart(name, text=content.decode("utf-8", "surrogateescape"))
    if len(lines) != 2 or not lines[1].startswith("Content-Type: "):  # a file: its type
        return None
    file: FileSegment | bytes = placeholders.get(content, content)
    content_type = lines[1].removeprefix("Content-Type: ")
    return FormPart(name, file=file, filename=_unquote(filename), content_type=content_type)


def _unquote(value: str) -> str:
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


# Transport and output.


def add_transport(command: _Command, transport: TransportPlan, url: str) -> None:
    add = command.add
    if transport.decompress:
        add("--compressed")
    if transport.follow:
        add("-L", "--max-redirs", str(transport.max_redirects))
    if transport.location_trusted:
        add("--location-trusted")
    if not transport.verify:
        add("-k")
    elif transport.ca_bundle:
        add("--capath" if os.path.isdir(transport.ca_bundle) else "--cacert", transport.ca_bundle)
    add_client_cert(command, transport)
    add_proxy(command, transport, url)
    add_routing(command, transport, url)
    add_limits(command, transport)


def add_proxy(command: _Command, transport: TransportPlan, url: str) -> None:
    """curl takes one --proxy: the one aiocurl would use for this URL's scheme."""
    route = transport.proxy_for_scheme(urlsplit(url).scheme)
    if route is None:
        return
    proxy: tuple[str, ...] = ("--proxy", route.url)
    if route.username is not None:
        proxy += ("--proxy-user", f"{route.username}:{route.password or ''}")
    command.add(*proxy)


def add_routing(command: _Command, transport: TransportPlan, url: str) -> None:
    """--resolve, --connect-to, -4/-6, --interface and --unix-socket have curl's own
    spelling; a --resolve rule for any port (xh's HOST:ADDR) is given the URL's port."""
    add = command.add
    if transport.unix_socket is not None:
        add("--unix-socket", transport.unix_socket)
    parts = urlsplit(url)
    url_port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    for rule in transport.resolve:
        port = rule.port if rule.port is not None else url_port
        add("--resolve", f"{rule.host}:{port}:{','.join(map(_bracketed, rule.addresses))}")
    for connect in transport.connect_to:
        fields = (
            connect.host or "",
            str(connect.port or ""),
            _bracketed(connect.to_host or ""),
            str(connect.to_port or ""),
        )
        add("--connect-to", ":".join(fields))
    if transport.ip_version:
        add(f"-{transport.ip_version}")
    if transport.local_address is not None:
        add("--interface", transport.local_address)


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def add_client_cert(command: _Command, transport: TransportPlan) -> None:
    add = command.add
    if transport.cert:
        add("--cert", transport.cert)
    if transport.cert_key:
        add("--key", transport.cert_key)
    if transport.cert_key_pass:
        add("--pass", transport.cert_key_pass)
    if transport.ssl_version == "tls1.2":
        add("--tlsv1.2", "--tls-max", "1.2")
    elif transport.ssl_version == "tls1.3":
        add("--tlsv1.3")
    if transport.ciphers:
        add("--ciphers", transport.ciphers)


def add_limits(command: _Command, transport: TransportPlan) -> None:
    add, warn = command.add, command.warnings.append
    if transport.total_timeout is not None:
        add("--max-time", seconds(transport.total_timeout))
    if transport.connect_timeout != DEFAULT_CONNECT_TIMEOUT:
        add("--connect-timeout", seconds(transport.connect_timeout))
    if transport.read_timeout is not None:  # under 1 byte a second for that long
        add("--speed-limit", "1", "--speed-time", str(math.ceil(transport.read_timeout)))
    if transport.retries:
        add("--retry", str(transport.retries))
        if transport.retry_max_time is not None:
            add("--retry-max-time", str(math.ceil(transport.retry_max_time)))
        if transport.retry_on != DEFAULT_RETRY_ON:
            warn("curl retries on 408, 429, 500, 502, 503 and 504: --retry-on left out")
        if transport.retry_delay != 1.0:
            warn("curl's --retry-delay does not double as aiocurl's does: --retry-delay left out")
    if transport.max_filesize is not None:
        add("--max-filesize", str(transport.max_filesize))
    if transport.max_headers != DEFAULT_MAX_HEADERS:
        warn("curl has no limit on the number of headers: --max-headers left out")
    if transport.max_header_size != DEFAULT_MAX_HEADER_SIZE:
        warn("curl's header line limit is its own: --max-header-size left out")
    if transport.secret_headers:
        warn("curl has no --secret-header: it drops only Authorization and Cookie on redirects")


def seconds(value: float) -> str:
    """A number of seconds as curl reads it: no exponent, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def add_output(command: _Command, plan: RequestPlan) -> None:
    output = plan.output
    if output.download:
        if output.output_file:
            command.add("-o", output.output_file)
        else:
            command.add("-O", "-J")
        if output.resume:
            command.add("-C", "-")
    elif output.output_file:
        command.add("-o", output.output_file)


def write_curl_command(plan: RequestPlan, stdout: BinaryIO, stderr: TextIO) -> None:
    """Print the command on stdout (bytes as typed, even those that are not UTF-8) and what
    it leaves out on stderr."""
    command = curl_command(plan)
    if plan.output.quiet < 2:
        for warning in command.warnings:
            stderr.write(f"aiocurl: warning: --curl: {warning}\n")
    text = command.text() + "\n"
    stdout.write(text.encode("utf-8", "surrogateescape"))
    stdout.flush()

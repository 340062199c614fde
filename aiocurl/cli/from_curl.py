"""`--from-curl 'curl ...'`: a curl command line → aiocurl's own arguments.

The promise: the server receives what curl would have sent (method, URL, headers, body
bytes), User-Agent aside. curl's rules are kept where aiocurl's differ: `-d` strips CR and
LF from `@file` and joins several `-d` with `&` (`--json` pieces are joined as they are),
`--data-binary` keeps the bytes, a `-d` body is `application/x-www-form-urlencoded`, `-G`
moves the data to the query, no Accept-Encoding is asked for without `--compressed`, and
`.netrc` is read only with `-n`. The body goes to aiocurl as bytes (`--raw`, or a file or
stdin streamed as it is), never through request items, which would re-encode it.

Pure: the command is split by shell_words, and the files that curl would read at once
(`-d @file`) are read through the `read` function given. An option that is not supported
is a usage error that names it, never silently dropped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from aiocurl.cli.options import Options
from aiocurl.cli.shell_words import split_words
from aiocurl.errors import UsageError

Reader = Callable[[str], bytes]  # a path → its bytes; "-" is stdin

_ITEM_SPECIALS = frozenset(":=@;\\")  # what request items read as separators (items.py)
_METHOD = re.compile(r"[A-Za-z]+")
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
DEFAULT_MAX_REDIRS = 50  # curl's, where aiocurl's is 30
# curl's own guess for a `-F name=@file` part (lib/mime.c); anything else is octet-stream.
_CURL_FILE_TYPES = {
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".htm": "text/html",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
}
# curl's form-data characters that --data-urlencode leaves as they are.
_UNRESERVED = "-._~"


@dataclass(frozen=True)
class Translation:
    """aiocurl's arguments for a curl command."""

    flags: tuple[str, ...]  # go before the user's own flags, which win
    output_flags: tuple[str, ...]  # -v, -i, -I: how curl shows the response, unless the user chose
    positionals: tuple[str, ...]  # METHOD URL ITEM...


@dataclass
class _Data:
    option: str  # --data, --data-binary, --json ...
    value: str


@dataclass
class _Curl:
    """What a curl command line says, option by option."""

    urls: list[str] = field(default_factory=list)
    method: str | None = None
    headers: list[str] = field(default_factory=list)
    data: list[_Data] = field(default_factory=list)
    form: list[tuple[str, str]] = field(default_factory=list)  # (option, value)
    upload: str | None = None
    get: bool = False
    head: bool = False
    user: str | None = None
    auth_type: str | None = None
    bearer: str | None = None
    cookies: list[str] = field(default_factory=list)
    user_agent: str | None = None
    referer: str | None = None
    range: str | None = None
    follow: bool = False
    location_trusted: bool = False
    max_redirs: int | None = None
    insecure: bool = False
    ca: str | None = None
    cert: str | None = None
    cert_pass: str | None = None
    key: str | None = None
    key_pass: str | None = None
    tls13: bool = False
    ciphers: str | None = None
    proxy: str | None = None
    proxy_user: str | None = None
    max_time: str | None = None
    connect_timeout: str | None = None
    retry: int | None = None
    retry_delay: str | None = None
    retry_max_time: str | None = None
    compressed: bool = False
    raw: bool = False
    output: str | None = None
    remote_name: bool = False
    resume: bool = False
    fail: bool = False
    verbose: bool = False
    include: bool = False
    netrc: bool = False
    path_as_is: bool = False
    max_filesize: int | None = None


def translate(
    command: str,
    *,
    read: Reader,
    env: Mapping[str, str],
    stdin_free: bool = True,
) -> Translation:
    """A curl command line → aiocurl's arguments. `stdin_free`: whether the command may read
    stdin (`-d @-`), which it may not when the command itself came from stdin."""
    words = split_words(command, env)
    if not words:
        raise UsageError("--from-curl: the curl command is empty")
    if os.path.basename(words[0]) not in ("curl", "curl.exe"):
        raise UsageError(f"--from-curl: expected a curl command, got {words[0]!r} first")
    curl = parse_curl(words[1:])
    return _Builder(curl, read, stdin_free).translation()


# Long options: name → whether it takes a value. Short ones map to these names.
_TAKES_VALUE = {
    "url": True,
    "request": True,
    "header": True,
    "data": True,
    "data-ascii": True,
    "data-binary": True,
    "data-raw": True,
    "data-urlencode": True,
    "json": True,
    "form": True,
    "form-string": True,
    "upload-file": True,
    "get": False,
    "head": False,
    "user": True,
    "basic": False,
    "digest": False,
    "oauth2-bearer": True,
    "cookie": True,
    "user-agent": True,
    "referer": True,
    "range": True,
    "location": False,
    "location-trusted": False,
    "max-redirs": True,
    "insecure": False,
    "cacert": True,
    "capath": True,
    "cert": True,
    "key": True,
    "pass": True,
    "tlsv1": False,
    "tlsv1.0": False,
    "tlsv1.1": False,
    "tlsv1.2": False,
    "tlsv1.3": False,
    "ciphers": True,
    "proxy": True,
    "proxy-user": True,
    "max-time": True,
    "connect-timeout": True,
    "retry": True,
    "retry-delay": True,
    "retry-max-time": True,
    "retry-connrefused": False,
    "compressed": False,
    "raw": False,
    "output": True,
    "remote-name": False,
    "remote-header-name": False,
    "continue-at": True,
    "fail": False,
    "fail-with-body": False,
    "verbose": False,
    "include": False,
    "netrc": False,
    "netrc-optional": False,
    "path-as-is": False,
    "max-filesize": True,
    "silent": False,
    "show-error": False,
    "progress-bar": False,
    "no-progress-meter": False,
    "no-buffer": False,
    "globoff": False,
    "http1.1": False,
    "http2": False,
    "tcp-nodelay": False,
    "disable": False,
}
_SHORT = {
    "X": "request",
    "H": "header",
    "d": "data",
    "F": "form",
    "T": "upload-file",
    "G": "get",
    "I": "head",
    "u": "user",
    "b": "cookie",
    "A": "user-agent",
    "e": "referer",
    "r": "range",
    "L": "location",
    "k": "insecure",
    "E": "cert",
    "x": "proxy",
    "U": "proxy-user",
    "m": "max-time",
    "o": "output",
    "O": "remote-name",
    "J": "remote-header-name",
    "C": "continue-at",
    "f": "fail",
    "v": "verbose",
    "i": "include",
    "n": "netrc",
    "s": "silent",
    "S": "show-error",
    "#": "progress-bar",
    "N": "no-buffer",
    "g": "globoff",
    "q": "disable",
}
# Output and protocol details with nothing to do in aiocurl: accepted, and without effect.
_IGNORED = frozenset(
    {
        "silent",
        "show-error",
        "progress-bar",
        "no-progress-meter",
        "no-buffer",
        "globoff",
        "http1.1",  # what aiocurl speaks
        "http2",  # the same request; aiocurl sends it over HTTP/1.1
        "tcp-nodelay",
        "disable",
        "remote-header-name",  # a --download is named from Content-Disposition anyway
        "retry-connrefused",  # aiocurl retries a refused connection
        "basic",
        "tlsv1",  # minimum versions below aiocurl's own minimum, TLS 1.2
        "tlsv1.0",
        "tlsv1.1",
        "tlsv1.2",
    }
)


def parse_curl(args: Sequence[str]) -> _Curl:
    """curl's argument syntax: `--long VALUE`, `-X VALUE`, `-XVALUE`, bundled `-sSL`,
    `--no-FLAG`; anything not starting with `-` is a URL."""
    curl = _Curl()
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg.startswith("--") and len(arg) > 2:
            name, negated = _long_name(arg)
            value = None
            if _TAKES_VALUE[name]:
                index = _need_value(args, index, arg)
                value = args[index - 1]
            _apply(curl, name, value, negated, arg)
        elif arg.startswith("-") and len(arg) > 1:
            index = _short_options(curl, arg, args, index)
        else:
            curl.urls.append(arg)
    return curl


def _long_name(arg: str) -> tuple[str, bool]:
    name = arg[2:]
    if name in _TAKES_VALUE:
        return name, False
    plain = name.removeprefix("no-")
    if plain != name and plain in _TAKES_VALUE and not _TAKES_VALUE[plain]:
        return plain, True
    raise _unsupported(arg.split("=", 1)[0])  # curl has no --name=value: never show a value


def _short_options(curl: _Curl, arg: str, args: Sequence[str], index: int) -> int:
    """`-sSL`, `-XPOST`, `-H value`: letters until one that takes a value, which takes the
    rest of the word or the next word."""
    position = 1
    while position < len(arg):
        letter = arg[position]
        name = _SHORT.get(letter)
        if name is None:
            raise _unsupported(f"-{letter}")
        position += 1
        value = None
        if _TAKES_VALUE[name]:
            if position < len(arg):
                value = arg[position:]
            else:
                index = _need_value(args, index, f"-{letter}")
                value = args[index - 1]
            _apply(curl, name, value, False, f"-{letter}")
            return index
        _apply(curl, name, value, False, f"-{letter}")
    return index


def _need_value(args: Sequence[str], index: int, option: str) -> int:
    if index >= len(args):
        raise UsageError(f"--from-curl: curl option {option} needs a value")
    return index + 1


def _unsupported(option: str) -> UsageError:
    return UsageError(f"--from-curl: the curl option {option} is not supported")


def _apply(curl: _Curl, name: str, value: str | None, negated: bool, typed: str) -> None:
    """One option into the request; `typed` is how it was spelled, for messages."""
    if name in _IGNORED:
        return
    if value is None:
        _apply_switch(curl, name, not negated)
    else:
        _apply_value(curl, name, value, typed)


_SWITCHES = {
    "get": "get",
    "head": "head",
    "location": "follow",
    "location-trusted": "location_trusted",
    "insecure": "insecure",
    "tlsv1.3": "tls13",
    "compressed": "compressed",
    "raw": "raw",
    "remote-name": "remote_name",
    "fail": "fail",
    "fail-with-body": "fail",
    "verbose": "verbose",
    "include": "include",
    "netrc": "netrc",
    "netrc-optional": "netrc",
    "path-as-is": "path_as_is",
}


def _apply_switch(curl: _Curl, name: str, on: bool) -> None:
    if name == "digest":
        curl.auth_type = "digest" if on else None
    else:
        setattr(curl, _SWITCHES[name], on)
    if name == "location-trusted" and on:
        curl.follow = True


def _apply_value(curl: _Curl, name: str, value: str, typed: str) -> None:
    if name.startswith("data") or name == "json":
        curl.data.append(_Data(name, value))
    elif name in ("form", "form-string"):
        curl.form.append((name, value))
    elif name == "header":
        if value.startswith("@"):
            raise UsageError(f"--from-curl: {typed} @FILE (headers from a file) is not supported")
        curl.headers.append(value)
    elif name == "cookie":
        if "=" not in value:
            raise UsageError(
                f"--from-curl: {typed} {value!r} names a cookie file, which is not supported "
                "(give the cookies as 'name=value; name2=value2')"
            )
        curl.cookies.append(value)
    elif name == "continue-at":
        if value != "-":
            raise UsageError(f"--from-curl: {typed} OFFSET is not supported (only {typed} -)")
        curl.resume = True
    else:
        _apply_setting(curl, name, value, typed)


def _apply_setting(curl: _Curl, name: str, value: str, typed: str) -> None:
    if name == "url":
        curl.urls.append(value)
    elif name == "request":
        curl.method = value
    elif name == "upload-file":
        curl.upload = value
    elif name == "user":
        curl.user = value
    elif name == "oauth2-bearer":
        curl.bearer = value
    elif name == "cert":
        curl.cert, curl.cert_pass = _split_cert(value)
    elif name == "max-redirs":
        curl.max_redirs = _integer(value, typed)
    elif name == "retry":
        curl.retry = _integer(value, typed)
    elif name == "max-filesize":
        curl.max_filesize = _size(value, typed)
    elif name in ("max-time", "connect-timeout", "retry-delay", "retry-max-time"):
        _seconds(value, typed)
        setattr(curl, name.replace("-", "_"), value)
    else:
        attribute = {
            "user-agent": "user_agent",
            "capath": "ca",
            "cacert": "ca",
            "pass": "key_pass",
            "proxy-user": "proxy_user",
        }.get(name, name)
        setattr(curl, attribute, value)


def _split_cert(value: str) -> tuple[str, str | None]:
    """`-E file[:password]`; `\\:` is a colon of the file name."""
    parts = re.split(r"(?<!\\):", value, maxsplit=1)
    path = parts[0].replace("\\:", ":")
    return path, parts[1] if len(parts) > 1 else None


def _integer(value: str, typed: str) -> int:
    if not re.fullmatch(r"-?\d+", value.strip()):
        raise UsageError(f"--from-curl: {typed} expects a whole number, got {value!r}")
    return int(value)


def _seconds(value: str, typed: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise UsageError(f"--from-curl: {typed} expects a number of seconds, got {value!r}")
    return number


def _size(value: str, typed: str) -> int:
    """curl's sizes: a number of bytes, or with k, M or G (powers of 1024)."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip())
    if not match:
        raise UsageError(f"--from-curl: {typed} expects a size like 100k or 2M, got {value!r}")
    power = " kmg".index(match.group(2).lower() or " ")
    return int(match.group(1)) << (10 * power)


def item(key: str, separator: str, value: str = "") -> str:
    """A request item that the item grammar reads back as exactly (key, separator, value).
    Only the earliest separator counts, so the key is escaped whole, and of the value only
    backslashes and a first character that would lengthen the separator (`:` + `=` is
    `:=`); a header value stays as typed, as the redaction of credentials expects."""
    escaped = value.replace("\\", "\\\\")
    if escaped[:1] in ("=", "@"):
        escaped = "\\" + escaped
    return _escape(key) + separator + escaped


def _escape(text: str) -> str:
    return "".join("\\" + char if char in _ITEM_SPECIALS else char for char in text)


class _Builder:
    """A parsed curl command → aiocurl's flags, output flags and positionals."""

    def __init__(self, curl: _Curl, read: Reader, stdin_free: bool) -> None:
        self.curl = curl
        self.read = read
        self.stdin_free = stdin_free
        self.flags: list[str] = []
        self.items: list[str] = []
        self.body_from_stdin = False

    def translation(self) -> Translation:
        curl = self.curl
        self._check_conflicts()
        url = self._url()
        method = self._method()
        self._body()
        self._headers()
        self._auth()
        self._transport()
        self._output()
        if not self.body_from_stdin:
            self.flags.insert(0, "--ignore-stdin")
        if not curl.netrc:
            self.flags.insert(0, "--ignore-netrc")
        return Translation(
            flags=tuple(self.flags),
            output_flags=self._output_flags(),
            positionals=(method, url, *self.items),
        )

    def _check_conflicts(self) -> None:
        curl = self.curl
        kinds = [
            name
            for name, used in (
                ("-d/--json", bool(curl.data) and not curl.get),
                ("-F", bool(curl.form)),
                ("-T", curl.upload is not None),
                ("-I", curl.head),
            )
            if used
        ]
        if len(kinds) > 1:
            raise UsageError(
                f"--from-curl: {' and '.join(kinds)} cannot be combined (curl refuses this "
                "command too)"
            )
        if curl.get and curl.form:
            raise UsageError("--from-curl: -G and -F cannot be combined")

    def _url(self) -> str:
        urls = self.curl.urls
        if not urls:
            raise UsageError("--from-curl: the curl command has no URL")
        if len(urls) > 1:
            shown = ", ".join(repr(u) for u in urls[:3])
            raise UsageError(f"--from-curl: one URL only, got {len(urls)} ({shown})")
        url = urls[0]
        if self.curl.get and self.curl.data:
            url += ("&" if "?" in url else "?") + self._joined_data().decode(
                "utf-8", "surrogateescape"
            )
        upload = self.curl.upload
        if upload is not None and upload != "-" and _lacks_file_name(url):
            url += quote(os.path.basename(upload))  # curl names the target after the file
        return url

    def _method(self) -> str:
        curl = self.curl
        if curl.method is not None:
            if not _METHOD.fullmatch(curl.method):
                raise UsageError(
                    f"--from-curl: -X {curl.method!r}: aiocurl sends methods made of letters only"
                )
            return curl.method
        if curl.head:
            return "HEAD"
        if curl.get:
            return "GET"
        if curl.upload is not None:
            return "PUT"
        return "POST" if curl.data or curl.form else "GET"

    # The body.

    def _body(self) -> None:
        curl = self.curl
        if curl.form:
            self.flags.append("--multipart")
            self.items.extend(_form_item(option, value) for option, value in curl.form)
        elif curl.upload is not None:
            self._whole_file(curl.upload)
        elif curl.data and not curl.get:
            only = curl.data[0] if len(curl.data) == 1 else None
            if only and only.option in ("data-binary", "json") and only.value.startswith("@"):
                self._whole_file(only.value[1:])  # streamed as it is, not read into memory
            else:
                self.flags += ["--raw", self._joined_data().decode("utf-8", "surrogateescape")]

    def _whole_file(self, path: str) -> None:
        if path == "-":
            self._check_stdin()
            self.body_from_stdin = True
        else:
            self.items.append(item("", "@", path))

    def _check_stdin(self) -> None:
        if not self.stdin_free:
            raise UsageError(
                "--from-curl -: the command came from stdin, so its body cannot (@-); "
                "pass the command as an argument"
            )

    def _joined_data(self) -> bytes:
        """curl's body: the pieces in order, `&` between them except before a --json one."""
        body = b""
        for position, piece in enumerate(self.curl.data):
            if position and piece.option != "json":
                body += b"&"
            body += self._piece(piece)
        return body

    def _piece(self, piece: _Data) -> bytes:
        value = piece.value
        if piece.option == "data-urlencode":
            return self._urlencoded(value)
        if piece.option == "data-raw" or not value.startswith("@"):
            return value.encode("utf-8", "surrogateescape")
        content = self._file(value[1:])
        if piece.option in ("data", "data-ascii"):  # -d @file drops CR and LF, as curl does
            content = content.replace(b"\r", b"").replace(b"\n", b"")
        return content

    def _file(self, path: str) -> bytes:
        if path == "-":
            self._check_stdin()
        return self.read(path)

    def _urlencoded(self, value: str) -> bytes:
        """--data-urlencode: `content`, `=content`, `name=content`, `@file`, `name@file`;
        the name is sent as given, the content encoded."""
        at = value.find("@")
        equals = value.find("=")
        if at >= 0 and (equals < 0 or at < equals):
            name, content = value[:at], self._file(value[at + 1 :])
        elif equals >= 0:
            name, content = value[:equals], value[equals + 1 :].encode("utf-8", "surrogateescape")
        else:
            name, content = "", value.encode("utf-8", "surrogateescape")
        encoded = quote(content, safe=_UNRESERVED).replace("%20", "+").encode("ascii")
        return (name.encode("utf-8", "surrogateescape") + b"=" if name else b"") + encoded

    # Headers.

    def _headers(self) -> None:
        curl = self.curl
        given = [_header_item(header) for header in curl.headers]
        names = {_header_name(header).lower() for header in curl.headers}
        implied: list[str] = []

        def imply(name: str, value: str) -> None:
            if name.lower() not in names:
                implied.append(item(name, ":", value) if value else item(name, ";"))

        if curl.user_agent is not None:
            if curl.user_agent:
                imply("User-Agent", curl.user_agent)
            else:
                implied.append(item("User-Agent", ":"))  # curl -A '' sends none
        referer = (curl.referer or "").removesuffix(";auto")
        if referer:
            imply("Referer", referer)
        if curl.cookies:
            imply("Cookie", ";".join(curl.cookies))
        if curl.range is not None:
            imply("Range", f"bytes={curl.range}")
        self._body_headers(imply, implied, names)
        if not curl.compressed and "accept-encoding" not in names:
            implied.append(item("Accept-Encoding", ":"))  # curl asks for none without it
        self.items.extend(implied + [i for i in given if i is not None])
        if any(_is_chunked(header) for header in curl.headers):
            self.flags.append("--chunked")

    def _body_headers(
        self, imply: Callable[[str, str], None], implied: list[str], names: set[str]
    ) -> None:
        """The Content-Type and Accept curl gives a body; aiocurl would type it otherwise."""
        curl = self.curl
        if curl.upload is not None:
            if "content-type" not in names:
                implied.append(item("Content-Type", ":"))  # curl -T sends none
            return
        if not curl.data or curl.get:
            return
        is_json = any(piece.option == "json" for piece in curl.data)
        imply("Content-Type", JSON_TYPE if is_json else FORM_TYPE)
        imply("Accept", JSON_TYPE if is_json else "*/*")

    def _auth(self) -> None:
        curl = self.curl
        if curl.bearer is not None:
            self.flags += ["--auth-type", "bearer", "--auth", curl.bearer]
        elif curl.user is not None:
            self.flags += ["--auth", curl.user]
            if curl.auth_type:
                self.flags += ["--auth-type", curl.auth_type]

    # Transport and output.

    def _transport(self) -> None:
        curl, flags = self.curl, self.flags
        if curl.follow:
            redirects = curl.max_redirs if curl.max_redirs is not None else DEFAULT_MAX_REDIRS
            unlimited = redirects < 0  # curl's -1
            flags += ["--follow", "--max-redirects", str(2**31 - 1 if unlimited else redirects)]
        if curl.location_trusted:
            flags.append("--location-trusted")
        if curl.insecure:
            flags += ["--verify", "no"]
        elif curl.ca is not None:
            flags += ["--verify", curl.ca]
        if curl.cert is not None:
            flags += ["--cert", curl.cert]
        if curl.key is not None:
            flags += ["--cert-key", curl.key]
        passphrase = curl.key_pass if curl.key_pass is not None else curl.cert_pass
        if passphrase is not None:
            flags += ["--cert-key-pass", passphrase]
        if curl.tls13:
            flags += ["--ssl", "tls1.3"]
        if curl.ciphers is not None:
            flags += ["--ciphers", curl.ciphers]
        if curl.proxy is not None:
            flags += ["--proxy", _proxy_url(curl.proxy, curl.proxy_user)]
        self._limits()

    def _limits(self) -> None:
        curl, flags = self.curl, self.flags
        for flag, value in (
            ("--max-time", curl.max_time),
            ("--connect-timeout", curl.connect_timeout),
            ("--retry-delay", curl.retry_delay),
            ("--retry-max-time", curl.retry_max_time),
        ):
            if value is not None and float(value) > 0:  # 0 is curl's "no limit"
                flags += [flag, value]
        if curl.retry:
            flags += ["--retry", str(max(curl.retry, 0))]
        if curl.raw:
            flags.append("--no-decompress")
        if curl.max_filesize:
            flags += ["--max-filesize", str(curl.max_filesize)]
        if curl.path_as_is:
            flags.append("--path-as-is")

    def _output(self) -> None:
        curl, flags = self.curl, self.flags
        if curl.remote_name or curl.resume:
            flags.append("--download")
        if curl.resume:
            flags.append("--continue")
        if curl.output is not None and curl.output != "-":
            flags += ["--output", curl.output]
        if curl.fail:
            flags.append("--check-status")

    def _output_flags(self) -> tuple[str, ...]:
        """-v shows the exchange; -i the response head and body; -I the head."""
        curl = self.curl
        if curl.verbose:
            return ("--verbose",)
        if curl.head:
            return ("--headers",)
        if curl.include:
            return ("--headers", "--body")
        return ()


def _lacks_file_name(url: str) -> bool:
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return "/" not in rest or rest.endswith("/")


def _proxy_url(proxy: str, user: str | None) -> str:
    """-U user:password goes into the proxy URL, where aiocurl takes proxy credentials."""
    if user is None:
        return proxy
    name, _, password = user.partition(":")
    scheme, sep, rest = proxy.partition("://")
    if not sep:
        scheme, rest = "http", proxy
    credentials = quote(name, safe="") + (":" + quote(password, safe="") if password else "")
    return f"{scheme}://{credentials}@{rest}"


def _header_name(header: str) -> str:
    name = re.split(r"[:;]", header, maxsplit=1)[0]
    return name.strip()


def _header_item(header: str) -> str | None:
    """-H 'Name: value' → `Name:value`; 'Name:' removes it, 'Name;' sends it empty.
    Transfer-Encoding: chunked becomes --chunked."""
    if _is_chunked(header):
        return None
    colon, semicolon = header.find(":"), header.find(";")
    if colon >= 0 and (semicolon < 0 or colon < semicolon):
        name, value = header[:colon].strip(), header[colon + 1 :].strip()
        return item(name, ":", value)
    if semicolon >= 0 and not header[semicolon + 1 :].strip():
        return item(header[:semicolon].strip(), ";")
    raise UsageError(f"--from-curl: -H {header!r}: expected 'Name: value'")


def _is_chunked(header: str) -> bool:
    name, _, value = header.partition(":")
    return name.strip().lower() == "transfer-encoding" and value.strip().lower() == "chunked"


def _form_item(option: str, value: str) -> str:
    """A -F or --form-string part → a multipart item: `name=text`, `name=@file` (text from
    a file, curl's `<file`), `name@path;type=...` (a file upload, typed as curl would)."""
    name, sep, content = value.partition("=")
    if not sep:
        raise UsageError(f"--from-curl: -F {value!r}: expected name=content")
    if option == "form-string":
        return item(name, "=", content)
    if content.startswith("@"):
        path, params = _form_word(content[1:])
        _check_form_params(params, value, allowed=("type",))
        if "," in path and not content.startswith('@"'):
            raise UsageError(f"--from-curl: -F {value!r}: one file per part only")
        kind = params.get("type") or _curl_file_type(path)
        return item(name, "@", f"{path};type={kind}")
    if content.startswith("<"):
        path, params = _form_word(content[1:])
        _check_form_params(params, value, allowed=())
        return item(name, "=@", path)
    text, params = _form_word(content)
    _check_form_params(params, value, allowed=())
    return item(name, "=", text)


def _form_word(text: str) -> tuple[str, dict[str, str]]:
    """curl's -F content: a word (plain up to `;`, or "quoted" with \\ escapes), then
    `;key=value` parameters. Unknown parameters curl drops; so do we."""
    if text.startswith('"'):
        word, index = _quoted(text, 1)
    else:
        index = text.find(";")
        index = len(text) if index < 0 else index
        word = text[:index]
    params: dict[str, str] = {}
    for param in text[index:].split(";")[1:]:
        key, sep, param_value = param.strip().partition("=")
        if sep:
            params[key.lower()] = param_value.strip().strip('"')
    return word, params


def _quoted(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    index = start
    while index < len(text) and text[index] != '"':
        if text[index] == "\\" and index + 1 < len(text) and text[index + 1] in '"\\':
            index += 1
        out.append(text[index])
        index += 1
    return "".join(out), index + 1


def _check_form_params(params: dict[str, str], value: str, *, allowed: tuple[str, ...]) -> None:
    for key in ("type", "filename", "headers", "encoder"):
        if key in params and key not in allowed:
            raise UsageError(f"--from-curl: -F {value!r}: ;{key}= is not supported here")


def _curl_file_type(path: str) -> str:
    lowered = path.lower()
    for extension, kind in _CURL_FILE_TYPES.items():
        if lowered.endswith(extension):
            return kind
    return "application/octet-stream"


def user_chose_output(options: Options) -> bool:
    """Whether the user's own flags say what to print: then curl's -v/-i/-I do not."""
    out = options.output
    return bool(
        options.offline
        or out.print_spec is not None
        or out.verbose
        or out.headers_only
        or out.body_only
        or out.meta
        or out.quiet
    )


def expanded_argv(translation: Translation, argv: Sequence[str], options: Options) -> list[str]:
    """The command line to parse: the curl command's flags first, the user's own after them
    (so that theirs win), and the curl command's method, URL and items after `--`."""
    output = () if user_chose_output(options) else translation.output_flags
    return [*translation.flags, *output, *argv, "--", *translation.positionals]

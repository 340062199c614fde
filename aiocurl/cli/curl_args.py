"""curl's command line as values: its option syntax, and what each option says.

`parse_curl` reads the words after `curl` as curl does: `--long VALUE`, `-X VALUE`,
`-XVALUE`, bundled `-sSL`, `--no-SWITCH`; a word that is no option is the URL. Only the
options that --from-curl can carry out are known; any other is a usage error that names
it, never dropped. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiocurl.errors import UsageError


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The long names --from-curl knows: options that take a value, and switches.
VALUE_OPTIONS = _names(
    """url request header data data-ascii data-binary data-raw data-urlencode json form
    form-string upload-file user oauth2-bearer cookie user-agent referer range max-redirs
    cacert capath cert key pass ciphers proxy proxy-user max-time connect-timeout retry
    retry-delay retry-max-time output continue-at max-filesize resolve connect-to interface
    unix-socket write-out"""
)
SWITCHES = _names(
    """get head basic digest location location-trusted insecure tlsv1 tlsv1.0 tlsv1.1
    tlsv1.2 tlsv1.3 retry-connrefused compressed raw remote-name remote-header-name fail
    fail-with-body verbose include netrc netrc-optional path-as-is ipv4 ipv6 silent show-error
    progress-bar no-progress-meter no-buffer globoff http1.1 http2 tcp-nodelay
    disable"""
)
SHORT = dict(
    pair.split("=", 1)
    for pair in _names(
        """X=request H=header d=data F=form T=upload-file G=get I=head u=user
    b=cookie A=user-agent e=referer r=range L=location k=insecure E=cert x=proxy
    U=proxy-user m=max-time o=output O=remote-name J=remote-header-name C=continue-at
    f=fail v=verbose i=include n=netrc s=silent S=show-error #=progress-bar N=no-buffer
    g=globoff q=disable 4=ipv4 6=ipv6 w=write-out"""
    )
)
# Accepted and without effect: how curl shows progress or which protocol it prefers, or
# what aiocurl does anyway (TLS 1.2 at least, Content-Disposition names, retrying a
# refused connection).
IGNORED = _names(
    """silent show-error progress-bar no-progress-meter no-buffer globoff http1.1 http2
    tcp-nodelay disable remote-header-name retry-connrefused basic tlsv1 tlsv1.0 tlsv1.1
    tlsv1.2"""
)
# Where an option's value goes when the field is not named after the option.
_FIELDS = {
    "request": "method",
    "upload-file": "upload",
    "oauth2-bearer": "bearer",
    "cacert": "ca",
    "capath": "ca",
    "pass": "key_pass",
    "location": "follow",
    "tlsv1.3": "tls13",
    "fail-with-body": "fail",
    "netrc-optional": "netrc",
}
_SECONDS = frozenset({"max-time", "connect-timeout", "retry-delay", "retry-max-time"})


@dataclass
class Data:
    option: str  # data, data-binary, data-raw, data-urlencode, json ...
    value: str


@dataclass
class CurlArgs:
    """What a curl command line says, option by option."""

    urls: list[str] = field(default_factory=list)
    method: str | None = None
    headers: list[str] = field(default_factory=list)
    data: list[Data] = field(default_factory=list)
    form: list[tuple[str, str]] = field(default_factory=list)  # (option, value)
    upload: str | None = None
    get: bool = False
    head: bool = False
    user: str | None = None
    digest: bool = False
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
    resolve: list[str] = field(default_factory=list)
    connect_to: list[str] = field(default_factory=list)
    ipv4: bool = False
    ipv6: bool = False
    interface: str | None = None
    unix_socket: str | None = None
    write_out: str | None = None

    def has_json(self) -> bool:
        return any(piece.option == "json" for piece in self.data)


def parse_curl(args: Sequence[str]) -> CurlArgs:
    curl = CurlArgs()
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg.startswith("--") and len(arg) > 2:
            name, on = _long_name(arg)
            value = None
            if name in VALUE_OPTIONS:
                index = _need_value(args, index, arg)
                value = args[index - 1]
            _apply(curl, name, value, on=on, typed=arg)
        elif arg.startswith("-") and len(arg) > 1:
            index = _short_options(curl, arg, args, index)
        else:
            curl.urls.append(arg)
    return curl


def _long_name(arg: str) -> tuple[str, bool]:
    """The option's name, and False for a switch turned off with `--no-`."""
    name = arg[2:]
    if name in VALUE_OPTIONS or name in SWITCHES:
        return name, True
    plain = name.removeprefix("no-")
    if plain != name and plain in SWITCHES:
        return plain, False
    raise unsupported(arg.split("=", 1)[0])  # curl has no --name=value: never show a value


def _short_options(curl: CurlArgs, arg: str, args: Sequence[str], index: int) -> int:
    """`-sSL`, `-XPOST`, `-H value`: letters until one that takes a value, which takes the
    rest of the word or the next word."""
    for position in range(1, len(arg)):
        letter = arg[position]
        name = SHORT.get(letter)
        if name is None:
            raise unsupported(f"-{letter}")
        if name not in VALUE_OPTIONS:
            _apply(curl, name, None, on=True, typed=f"-{letter}")
            continue
        if position + 1 < len(arg):
            value = arg[position + 1 :]
        else:
            index = _need_value(args, index, f"-{letter}")
            value = args[index - 1]
        _apply(curl, name, value, on=True, typed=f"-{letter}")
        break
    return index


def _need_value(args: Sequence[str], index: int, option: str) -> int:
    if index >= len(args):
        raise UsageError(f"--from-curl: curl option {option} needs a value")
    return index + 1


def unsupported(option: str) -> UsageError:
    return UsageError(f"--from-curl: the curl option {option} is not supported")


def _apply(curl: CurlArgs, name: str, value: str | None, *, on: bool, typed: str) -> None:
    """One option into the request; `typed` is how it was spelled, for messages."""
    if name in IGNORED:
        return
    if value is None:
        setattr(curl, _FIELDS.get(name, name.replace("-", "_")), on)
        if name == "location-trusted" and on:
            curl.follow = True
    elif name.startswith("data") or name == "json":
        curl.data.append(Data(name, value))
    elif name in ("form", "form-string"):
        curl.form.append((name, value))
    else:
        _apply_value(curl, name, value, typed)


def _apply_value(curl: CurlArgs, name: str, value: str, typed: str) -> None:
    if name == "url":
        curl.urls.append(value)
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
    elif name == "cert":
        curl.cert, curl.cert_pass = _split_cert(value)
    elif name in ("resolve", "connect-to"):  # repeatable
        getattr(curl, name.replace("-", "_")).append(value)
    elif name in ("max-redirs", "retry"):
        setattr(curl, name.replace("-", "_"), _integer(value, typed))
    elif name == "max-filesize":
        curl.max_filesize = _size(value, typed)
    else:
        if name in _SECONDS:
            _check_seconds(value, typed)
        setattr(curl, _FIELDS.get(name, name.replace("-", "_")), value)


def _split_cert(value: str) -> tuple[str, str | None]:
    """`-E file[:password]`; `\\:` is a colon of the file name."""
    parts = re.split(r"(?<!\\):", value, maxsplit=1)
    path = parts[0].replace("\\:", ":")
    return path, parts[1] if len(parts) > 1 else None


def _integer(value: str, typed: str) -> int:
    if not re.fullmatch(r"-?\d+", value.strip()):
        raise UsageError(f"--from-curl: {typed} expects a whole number, got {value!r}")
    return int(value)


def _check_seconds(value: str, typed: str) -> None:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise UsageError(f"--from-curl: {typed} expects a number of seconds, got {value!r}")


def _size(value: str, typed: str) -> int:
    """curl's sizes: a number of bytes, or with k, M or G (powers of 1024)."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip())
    if not match:
        raise UsageError(f"--from-curl: {typed} expects a size like 100k or 2M, got {value!r}")
    power = " kmg".index(match.group(2).lower() or " ")
    return int(match.group(1)) << (10 * power)


# -F's content: `@file`, `<file` or text, then `;type=...` and other parameters.

# curl's own guess for a `-F name=@file` part (lib/mime.c); anything else is octet-stream.
_FILE_TYPES = {
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


def form_word(text: str) -> tuple[str, dict[str, str]]:
    """A word (plain up to `;`, or "quoted" with \\" and \\\\ escapes), then `;key=value`
    parameters. curl drops the parameters it does not know; so does this."""
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


def check_form_params(params: dict[str, str], value: str, *, allowed: tuple[str, ...]) -> None:
    for key in ("type", "filename", "headers", "encoder"):
        if key in params and key not in allowed:
            raise UsageError(f"--from-curl: -F {value!r}: ;{key}= is not supported here")


def curl_file_type(path: str) -> str:
    lowered = path.lower()
    for extension, kind in _FILE_TYPES.items():
        if lowered.endswith(extension):
            return kind
    return "application/octet-stream"

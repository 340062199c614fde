"""`--from-curl 'curl ...'`: a curl command line → aiocurl's own arguments.

The promise: the server receives what curl would have sent (method, URL, headers, body
bytes), User-Agent aside. curl's rules are kept where aiocurl's differ: `-d` strips CR and
LF from `@file` and joins several `-d` with `&` (`--json` pieces are joined as they are),
`--data-binary` keeps the bytes, a `-d` body is `application/x-www-form-urlencoded`, `-G`
moves the data to the query, no Accept-Encoding is asked for without `--compressed`, and
`.netrc` is read only with `-n`. The body goes to aiocurl as bytes (`--raw`, or a file or
stdin streamed as it is), never through request items, which would re-encode it.

Pure: shell_words splits the command, curl_args reads curl's options, and the files that
curl would read at once (`-d @file`) are read through the `read` function given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from aiocurl.cli.curl_args import (
    CurlArgs,
    Data,
    check_form_params,
    curl_file_type,
    form_word,
    parse_curl,
)
from aiocurl.cli.options import Options
from aiocurl.cli.shell_words import split_words
from aiocurl.errors import UsageError

Reader = Callable[[str], bytes]  # a path → its bytes; "-" is stdin

_ITEM_SPECIALS = frozenset(":=@;\\")  # what request items read as separators (items.py)
_METHOD = re.compile(r"[A-Za-z]+")
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
DEFAULT_MAX_REDIRS = 50  # curl's, where aiocurl's is 30
# What --data-urlencode leaves as it is, besides letters and digits (a space becomes +).
_UNRESERVED = "-._~"


@dataclass(frozen=True)
class Translation:
    """aiocurl's arguments for a curl command."""

    flags: tuple[str, ...]  # go before the user's own flags, which win
    output_flags: tuple[str, ...]  # -v, -i, -I: how curl shows the response, unless the user chose
    positionals: tuple[str, ...]  # METHOD URL ITEM...


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

    def __init__(self, curl: CurlArgs, read: Reader, stdin_free: bool) -> None:
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

    def _piece(self, piece: Data) -> bytes:
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
        if curl.upload is not None:  # curl -T sends no Content-Type, and accepts anything
            if "content-type" not in names:
                implied.append(item("Content-Type", ":"))
            imply("Accept", "*/*")
            return
        if curl.has_json():  # --json's headers, with -G too
            imply("Content-Type", JSON_TYPE)
            imply("Accept", JSON_TYPE)
        elif curl.data and not curl.get:
            imply("Content-Type", FORM_TYPE)
            imply("Accept", "*/*")

    def _auth(self) -> None:
        curl = self.curl
        if curl.bearer is not None:
            self.flags += ["--auth-type", "bearer", "--auth", curl.bearer]
        elif curl.user is not None:
            self.flags += ["--auth", curl.user]
            if curl.digest:
                self.flags += ["--auth-type", "digest"]

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
        self._routing()
        self._limits()

    def _routing(self) -> None:
        """curl's routing options have aiocurl's names and syntax."""
        curl, flags = self.curl, self.flags
        for rule in curl.resolve:
            flags += ["--resolve", rule]
        for rule in curl.connect_to:
            flags += ["--connect-to", rule]
        flags += ["-4"] if curl.ipv4 else ["-6"] if curl.ipv6 else []
        if curl.interface is not None:
            flags += ["--interface", curl.interface]
        if curl.unix_socket is not None:
            flags += ["--unix-socket", curl.unix_socket]
        if curl.write_out is not None:
            flags += ["--write-out", curl.write_out]

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
        path, params = form_word(content[1:])
        check_form_params(params, value, allowed=("type",))
        if "," in path and not content.startswith('@"'):
            raise UsageError(f"--from-curl: -F {value!r}: one file per part only")
        kind = params.get("type") or curl_file_type(path)
        return item(name, "@", f"{path};type={kind}")
    if content.startswith("<"):
        path, params = form_word(content[1:])
        check_form_params(params, value, allowed=())
        return item(name, "=@", path)
    text, params = form_word(content)
    check_form_params(params, value, allowed=())
    return item(name, "=", text)


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

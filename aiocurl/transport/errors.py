"""aiohttp's exceptions → project errors with one line, in aiocurl's words, that names the
cause and the URL.

A broken response reaches us wrapped: a ClientResponseError (the head) or ClientPayloadError
(the body) whose cause is the parser's own exception from aiohttp.http_exceptions. The cause's
class says what was wrong; only where aiohttp uses one class for many problems (llhttp reports
them all as BadHttpMessage) does its short description choose the words. No message carries an
exception's text or repr: servers can send anything, and the user should read a sentence.
"""

from __future__ import annotations

import ast
import asyncio
import re
import ssl
from dataclasses import dataclass

import aiohttp
from aiohttp import http_exceptions as parser

from aiocurl.errors import AiocurlError, RequestError, TimeoutFired, TooManyRedirects, os_reason
from aiocurl.redact import redact_url
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.decoding import DecodeError


@dataclass(frozen=True)
class BodyProgress:
    """How far the response body had come when the exchange failed."""

    received: int  # bytes handed on, after decoding
    on_wire: int  # bytes as the server sent them
    expected: int | None = None  # its Content-Length


def map_error(
    exc: BaseException, url: str, plan: TransportPlan, *, body: BodyProgress | None = None
) -> AiocurlError:
    """The project error for an exception raised while requesting `url`, marked retryable
    when trying again could help (and nothing of the body has been handed on yet)."""
    error = _describe(exc, redact_url(url), plan, body)
    transient = isinstance(
        exc,
        (
            asyncio.TimeoutError,
            aiohttp.ServerTimeoutError,
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientPayloadError,
            aiohttp.ClientOSError,
        ),
    ) and not isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ClientConnectorDNSError))
    error.retryable = transient and not (body and body.received)
    return error


def error_kind(error: AiocurlError) -> str:
    """What went wrong, as one word a script can group by (batch records, summaries)."""
    if error.kind is not None:
        return error.kind
    if isinstance(error, TimeoutFired):
        return "timeout"
    if isinstance(error, TooManyRedirects):
        return "too_many_redirects"
    cause = error.__cause__
    for kind, classes in _KINDS:
        if isinstance(cause, classes):
            return kind
    return "request" if isinstance(error, RequestError) else "usage"


_KINDS: tuple[tuple[str, type[BaseException] | tuple[type[BaseException], ...]], ...] = (
    ("tls", (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError, ssl.SSLError)),
    ("dns", aiohttp.ClientConnectorDNSError),
    ("connect", (aiohttp.ClientConnectorError, aiohttp.ClientProxyConnectionError)),
    ("disconnected", aiohttp.ServerDisconnectedError),
    ("body", aiohttp.ClientPayloadError),
    ("protocol", aiohttp.ClientResponseError),
)


def decoding_error(error: DecodeError, url: str, body: BodyProgress | None) -> RequestError:
    """A body whose Content-Encoding could not be decoded, or stopped before its end;
    worth another try (--retry) while nothing of it has been handed on."""
    failure = _decoding_failure(error, redact_url(url), body)
    failure.retryable = error.missing is None and not (body and body.received)
    failure.kind = "body"
    return failure


def _decoding_failure(error: DecodeError, where: str, body: BodyProgress | None) -> RequestError:
    keep = "keep the bytes as sent with --no-decompress"
    if error.missing:
        return RequestError(
            f"{where}: the body is {error.coding}-encoded and this installation cannot "
            f"decode it (install {error.missing}, or {keep})"
        )
    got = f" after {body.received} decoded bytes" if body is not None and body.received else ""
    if error.truncated:
        return RequestError(
            f"{where}: the {error.coding}-encoded body was cut short: its coding did not "
            f"end{got} ({keep})"
        )
    return RequestError(
        f"{where}: the {error.coding}-encoded body could not be decoded{got} ({keep})"
    )


def _describe(
    exc: BaseException, where: str, plan: TransportPlan, body: BodyProgress | None
) -> AiocurlError:
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return _timeout(exc, where, plan)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _not_connected(exc, where)
    failure = parser_failure(exc)
    if failure is not None:
        in_body = body is not None or isinstance(exc, aiohttp.ClientPayloadError)
        return RequestError(f"{where}: {_parser_problem(failure, plan, body, in_body=in_body)}")
    got = _progress(body)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        if body is not None:
            return RequestError(f"{where}: the server closed the connection{got}")
        if not isinstance(exc.message, str):  # aiohttp hands over the head parsed so far
            return RequestError(f"{where}: the server closed the connection within the head")
        return RequestError(f"{where}: the server closed the connection without a response")
    if isinstance(exc, aiohttp.InvalidURL):
        return RequestError(f"invalid URL {redact_url(str(exc.url))!r}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return RequestError(f"{where}: the response body broke off{got}{_cause_reason(exc)}")
    if isinstance(exc, OSError):
        return RequestError(f"{where}: {_os_failure(_original(exc), body)}")
    if isinstance(exc, aiohttp.ClientResponseError):
        return RequestError(f"{where}: invalid HTTP response{got}")
    if isinstance(exc, aiohttp.ClientError):  # ClientConnectionError("Connection closed") etc.
        return RequestError(f"{where}: {_connection_verb(body)}{_cause_reason(exc)}")
    raise exc


def _original(exc: OSError) -> OSError:
    """The OSError aiohttp copied into a ClientOSError (which keeps its args, not its type)."""
    cause = exc.__cause__
    return cause if isinstance(exc, aiohttp.ClientOSError) and isinstance(cause, OSError) else exc


def _os_failure(error: OSError, body: BodyProgress | None) -> str:
    if isinstance(error, ssl.SSLError):
        return f"TLS failed{_progress(body)}: {ssl_reason(error)}"
    if error.filename:  # a body file, read as it is sent
        return f"cannot send the body: {os_reason(error)}"
    return f"{_connection_verb(body)}: {os_reason(error)}"


def _progress(body: BodyProgress | None) -> str:
    return f" after {body.received} body bytes" if body is not None else ""


def _connection_verb(body: BodyProgress | None) -> str:
    return f"the connection failed{_progress(body)}"


def _cause_reason(exc: BaseException) -> str:
    """What an OSError behind `exc` says, as ': reason', when there is one."""
    cause = exc.__cause__
    if isinstance(cause, ssl.SSLError):
        return f": {ssl_reason(cause)}"
    return f": {os_reason(cause)}" if isinstance(cause, OSError) else ""


def _timeout(exc: BaseException, where: str, plan: TransportPlan) -> TimeoutFired:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TimeoutFired(
            f"connect timeout: no connection to {where} within {plan.connect_timeout:g} s"
        )
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return TimeoutFired(
            f"read timeout: nothing received from {where} for {plan.read_timeout:g} s (--timeout)"
        )
    limit = f"{plan.total_timeout:g} s" if plan.total_timeout is not None else "the limit"
    return TimeoutFired(f"request to {where} took longer than {limit} (--max-time)")


def _not_connected(exc: aiohttp.ClientConnectorError, where: str) -> RequestError:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        reason = ssl_reason(exc.certificate_error)
        return RequestError(f"TLS certificate verification failed for {where}: {reason}")
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return RequestError(f"TLS handshake with {where} failed: {ssl_reason(exc.os_error)}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return RequestError(f"could not resolve host {exc.host!r} ({where})")
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return RequestError(
            f"cannot connect to proxy {exc.host}:{exc.port}: {os_reason(exc.os_error)}"
        )
    return RequestError(f"cannot connect to {where}: {os_reason(exc.os_error)}")


# OpenSSL's reason codes that have a plainer meaning for someone running a request.
_SSL_REASONS = {
    "WRONG_VERSION_NUMBER": "the server did not answer with TLS (is it plain http?)",
    "RECORD_LAYER_FAILURE": "the server did not answer with TLS (is it plain http?)",
    "PACKET_LENGTH_TOO_LONG": "the server did not answer with TLS (is it plain http?)",
    "UNSUPPORTED_PROTOCOL": "no TLS version in common with the server",
    "TLSV1_ALERT_PROTOCOL_VERSION": "no TLS version in common with the server",
    "NO_CIPHERS_AVAILABLE": "no cipher in common with the server",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the server refused the handshake",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate (--cert)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server refused the client certificate",
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust the client certificate's issuer",
}


def ssl_reason(error: BaseException) -> str:
    """A TLS failure in words: OpenSSL's reason code, explained or spelled out. An SSLError's
    errno is OpenSSL's, not the system's, so it never goes through os_reason."""
    verify_message = getattr(error, "verify_message", None)
    if isinstance(verify_message, str) and verify_message:
        return verify_message  # certificate checks: "certificate has expired" and the like
    code = getattr(error, "reason", None)
    if isinstance(code, str) and code:
        return _SSL_REASONS.get(code, code.replace("_", " ").lower())
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return "the server closed the connection without closing TLS"
    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
        return os_reason(error)
    return "the TLS exchange failed"


def parser_failure(exc: BaseException) -> parser.HttpProcessingError | None:
    """The HTTP parser's exception behind `exc`: its most specific class in the chain of
    causes (aiohttp re-raises the parser's error as a plain HttpProcessingError)."""
    found: parser.HttpProcessingError | None = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, parser.HttpProcessingError):
            if type(current) is not parser.HttpProcessingError:
                return current
            found = found or current
        current = current.__cause__ or current.__context__
    return found


def _parser_problem(
    error: parser.HttpProcessingError,
    plan: TransportPlan,
    body: BodyProgress | None,
    *,
    in_body: bool,
) -> str:
    if isinstance(error, parser.ContentLengthError):
        return _short_body(body)
    if isinstance(error, parser.TransferEncodingError) and in_body:
        sent = f" after {body.on_wire} bytes" if body is not None else ""
        return f"the response body broke off{sent} (malformed or unfinished chunked encoding)"
    if isinstance(error, parser.LineTooLong):
        return (
            f"a response header line is longer than {plan.max_header_size} bytes "
            "(raise the limit with --max-header-size)"
        )
    if isinstance(error, parser.BadStatusLine):
        return _status_line_problem(offending_bytes(error))
    return f"invalid HTTP response: {_head_problem(error, plan)}{_progress(body)}"


def _short_body(body: BodyProgress | None) -> str:
    if body is None:
        return "the response body broke off, short of its Content-Length"
    if body.expected is None:
        return f"the response body broke off after {body.on_wire} bytes (Content-Length)"
    return (
        f"the response body broke off after {body.on_wire} of {body.expected} bytes "
        "(Content-Length)"
    )


def _status_line_problem(line: bytes | None) -> str:
    if not line:
        return "the server did not answer with an HTTP status line"
    if line[:1] in (b"\x15", b"\x16") and line[1:2] == b"\x03":
        return "the server answered with TLS, not plain HTTP (use https://)"
    if line.startswith(b"HTTP/"):
        return f"invalid HTTP response: malformed status line {show_bytes(line)}"
    return f"the server did not answer with HTTP (status line {show_bytes(line)})"


# llhttp reports most malformed heads as one class, BadHttpMessage, with a short description
# of its own; these phrases (matched in that description, first match wins) say it our way.
_HEAD_PROBLEMS = (
    ("too many trailers", "too many trailer fields after the chunked body"),
    ("chunk", "malformed chunked encoding"),
    ("can't be present with", "both Content-Length and Transfer-Encoding are set"),
    ("duplicate", "a header that may appear only once appears twice"),
    ("content-length", "invalid Content-Length"),
    ("transfer-encoding", "invalid Transfer-Encoding"),
    ("line ending", "a line of the head does not end in CRLF"),
    ("connection: close", "more data after a response that closes the connection"),
    ("header", "malformed header line"),
    ("status", "malformed status line"),
    ("version", "malformed status line"),
    ("response line", "malformed status line"),
    ("start line", "malformed status line"),
)


def _head_problem(error: parser.HttpProcessingError, plan: TransportPlan) -> str:
    description = error.message.split("\n", 1)[0].lower() if error.message else ""
    if "too many headers" in description:
        return (
            f"more than {plan.max_headers} headers in the response "
            "(raise the limit with --max-headers)"
        )
    if isinstance(error, parser.InvalidHeader):
        words = "invalid Content-Length" if error.hdr.lower() == "content-length" else ""
        words = words or "malformed header line"
    else:
        words = next((ours for key, ours in _HEAD_PROBLEMS if key in description), "")
        words = words or "malformed response head"
    line = offending_bytes(error)
    return f"{words} (at {show_bytes(line)})" if line else words


# llhttp's description quotes the bytes around the failure as a bytes literal on a line of
# its own, with a caret under the failing byte on the next line.
_QUOTED = re.compile(r"\n([ \t]*)(b'(?:[^'\\\n]|\\.)*'|b\"(?:[^\"\\\n]|\\.)*\")[ \t]*(?:\n( *)\^)?")


def offending_bytes(error: parser.HttpProcessingError) -> bytes | None:
    """The line the parser stopped at, when it kept it."""
    kept: object = None
    if isinstance(error, parser.BadStatusLine):
        kept = error.line
    elif isinstance(error, parser.InvalidHeader | parser.LineTooLong) and error.args:
        kept = error.args[0]
    if isinstance(kept, bytes | bytearray) and kept:
        return bytes(kept)
    if isinstance(kept, str) and kept and not kept.startswith(("b'", 'b"')):
        return kept.encode("utf-8", "surrogateescape")
    return _quoted_line(error.message or "")


def _quoted_line(description: str) -> bytes | None:
    quoted = _QUOTED.search(description)
    if quoted is None:
        return None
    indent, literal, caret = quoted.groups()
    try:
        data = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(data, bytes):
        return None
    if caret is None:
        return data if b"\n" not in data.strip() else None
    # The caret stands where repr(the bytes before the failure) has its closing quote; llhttp
    # cuts the quote at CRLF only, so with bare LFs it can span lines.
    width = len(caret) - len(indent) + 1
    low, high = 0, len(data)  # the shortest prefix whose repr is that wide
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if len(repr(data[:middle])) < width else (low, middle)
    start = data.rfind(b"\n", 0, low) + 1
    end = data.find(b"\n", low)
    return data[start : end if end >= 0 else len(data)].rstrip(b"\r")


def show_bytes(data: bytes, limit: int = 40) -> str:
    """The first line of `data`, quoted, printable ASCII kept and anything else escaped, cut
    to `limit` bytes: safe to print whatever a server sent."""
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
    cut = len(line) > limit
    text = "".join(
        chr(byte) if 32 <= byte < 127 and byte != 0x5C else f"\\x{byte:02x}"
        for byte in line[:limit]
    )
    return f"'{text}{'...' if cut else ''}'"

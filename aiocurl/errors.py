"""Project errors: each carries the one line shown to the user and its exit status.

The transport maps aiohttp's exceptions onto these; cli/main.py prints them at the edge.
"""

from __future__ import annotations

import errno
import os
import re

from aiocurl.status import ExitStatus

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def os_reason(error: OSError, *, with_file: bool = True) -> str:
    """An OSError as one phrase: the system's words for it (never the "[Errno N]" repr),
    and the file it concerns, if any."""
    # The system's sentence for the errno first: asyncio puts its own words in strerror
    # ("Connect call failed ('127.0.0.1', 8080)"); resolver errors have only strerror.
    code = error.errno
    if isinstance(code, int) and code in errno.errorcode:
        reason = os.strerror(code)
    else:
        reason = error.strerror or ""
    reason = reason[:1].lower() + reason[1:] if reason else "input/output error"
    if with_file and error.filename:
        return f"{os.fsdecode(error.filename)!r}: {reason}"
    return reason


def printable(text: str) -> str:
    """Text a server sent (a reason phrase, a close reason, a header value), safe to put
    in a message: control characters, terminal escapes among them, are shown escaped."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class AiocurlError(Exception):
    """A failure the user should see as one `aiocurl: error: ...` line."""

    exit_status = ExitStatus.ERROR
    detail: str | None = None  # lines shown under the error line, e.g. a caret under a typo
    retryable = False  # a transient failure that --retry may try again
    kind: str | None = None  # one word for scripts (batch records); None: told by the cause

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AiocurlError):
    """Bad flags, items or URLs: nothing was sent."""


class RequestError(AiocurlError):
    """The request was attempted and failed (connection, TLS, protocol)."""


class TimeoutFired(RequestError):
    """One of the configured time limits fired."""

    exit_status = ExitStatus.TIMEOUT


class TooManyRedirects(RequestError):
    exit_status = ExitStatus.TOO_MANY_REDIRECTS


class OutputError(AiocurlError):
    """Writing the output failed (a full disk, a closed file): not the network's fault."""

    kind = "write"


class OutputClosed(OutputError):
    """The reader of stdout went away (`aiocurl URL | head`): normal, so no message."""

"""Project errors: each carries the one line shown to the user and its exit status.

The transport maps aiohttp's exceptions onto these; cli.py prints them at the edge.
"""

from __future__ import annotations

from aiocurl.status import ExitStatus


class AiocurlError(Exception):
    """A failure the user should see as one `aiocurl: error: ...` line."""

    exit_status = ExitStatus.ERROR
    detail: str | None = None  # lines shown under the error line, e.g. a caret under a typo
    retryable = False  # a transient failure that --retry may try again

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


class OutputClosed(OutputError):
    """The reader of stdout went away (`aiocurl URL | head`): normal, so no message."""

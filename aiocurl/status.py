"""Exit codes (HTTPie's) and the one table that maps outcomes onto them."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    TIMEOUT = 2
    REDIRECTION = 3
    CLIENT_ERROR = 4
    SERVER_ERROR = 5
    TOO_MANY_REDIRECTS = 6
    HANGUP = 129  # SIGHUP: 128 + the signal's number, as a shell reports it
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


def status_for_response(code: int, *, check_status: bool) -> ExitStatus:
    """The exit status for a final response; only --check-status makes HTTP errors fail."""
    if not check_status:
        return ExitStatus.OK
    if 300 <= code < 400:
        return ExitStatus.REDIRECTION
    if 400 <= code < 500:
        return ExitStatus.CLIENT_ERROR
    if 500 <= code < 600:
        return ExitStatus.SERVER_ERROR
    return ExitStatus.OK

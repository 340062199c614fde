"""Files that aiocurl writes (--output, --download): checked before anything is sent, and
failing in aiocurl's own words while written.

A response is not something the user can ask for twice (a POST may not be repeatable), so
a path that cannot be written is refused at plan time, not found after the response came.
"""

from __future__ import annotations

import os

from aiocurl.errors import OutputError, UsageError, os_reason

RESUME_SUFFIX = ".aiocurl-resume"


class WriteError(OutputError):
    """The disk refused the bytes (full, a file size limit, gone): not a network failure,
    and nothing that trying the request again would fix."""

    def __init__(self, path: str, error: OSError) -> None:
        super().__init__(f"cannot write {path!r}: {os_reason(error, with_file=False)}")
        self.path = path


def resume_state(path: str) -> str:
    """The note beside a partial download that lets --continue resume it safely."""
    return path + RESUME_SUFFIX


def has_resume_state(path: str) -> bool:
    return os.path.exists(resume_state(path))


def check_writable(path: str) -> None:
    """Refuse a path that cannot become a file: a directory, a missing or read-only
    directory to create it in, a file without write permission."""
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path!r}: it is a directory")
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {path!r}: permission denied")
        return
    parent = os.path.dirname(path) or "."
    if not os.path.exists(parent):
        raise UsageError(f"cannot write {path!r}: no such directory {parent!r}")
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {path!r}: {parent!r} is not a directory")
    check_directory(parent, f"cannot write {path!r}")


def check_directory(directory: str, failure: str) -> None:
    """Refuse a directory that files cannot be created in; `failure` starts the message."""
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"{failure}: no permission to create files in {directory!r}")

"""A download's file on disk, and its resume state beside it (FILE.aiocurl-resume).

The state holds the server's validator (ETag or Last-Modified). It is written when the file
is opened and removed when the file is complete, so even a killed download can be resumed,
and resumed only if the server still has the same version. What was saved is measured on
disk, never counted, since a failing disk may take part of a write.
"""

from __future__ import annotations

import contextlib
import io
import json
import os

from aiocurl.errors import UsageError
from aiocurl.output_files import WriteError, resume_state
from aiocurl.request.resume import Resume


def prepare(output_file: str | None, resume: bool) -> Resume | None:
    """Check the target before anything is sent; the resume point when continuing."""
    if output_file is None or not os.path.exists(output_file):
        return None
    if not resume:
        raise UsageError(
            f"{output_file!r} exists: pass --continue to resume it, or choose another --output"
        )
    size = os.path.getsize(output_file)
    return Resume(size, read_validator(output_file)) if size else None


def read_validator(path: str) -> str | None:
    try:
        with open(resume_state(path), encoding="utf-8") as handle:
            value = json.load(handle).get("validator")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def forget_state(path: str) -> None:
    """The download is complete: nothing to resume."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(resume_state(path))


class PartialFile:
    """The file being written, with its resume state kept from the moment it is opened."""

    def __init__(self, path: str, *, append: bool, validator: str | None) -> None:
        self.path = path
        self._validator = validator
        try:
            self._file: io.FileIO | None = io.FileIO(path, "ab" if append else "wb")
        except OSError as exc:
            raise WriteError(path, exc) from None
        # Before any byte of the body: a kill -9 still leaves a file that --continue
        # resumes only if it is the same version on the server.
        self._save_state()

    def write(self, chunk: bytes) -> int:
        """All of `chunk`, or WriteError; an unbuffered write may take part of it (a disk
        filling up), so it goes on until all is written or the disk refuses."""
        assert self._file is not None
        view = memoryview(chunk)
        try:
            while view:
                view = view[self._file.write(view) or 0 :]
        except OSError as exc:
            raise WriteError(self.path, exc) from None
        return len(chunk)

    # A RawTarget (events.py): the rest of a plain body written to the descriptor itself.
    # The file is unbuffered, so there is nothing to flush; its size on disk stays what a
    # resume goes on from.

    def raw_fd(self) -> int:
        assert self._file is not None
        return self._file.fileno()

    def write_error(self, error: OSError) -> WriteError:
        return WriteError(self.path, error)

    def complete(self) -> None:
        """The whole file is here: nothing to resume."""
        self.close()
        forget_state(self.path)

    def keep(self) -> int | None:
        """After a failure: the file closed, its state saved; its size on disk, or None
        when it is gone."""
        with contextlib.suppress(WriteError):  # the error being reported says enough
            self.close()
        self._save_state()
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError as exc:
                raise WriteError(self.path, exc) from None

    def _save_state(self) -> None:
        try:
            with open(resume_state(self.path), "w", encoding="utf-8") as handle:
                json.dump({"validator": self._validator}, handle)
        except OSError:
            pass  # resuming still works, only without the If-Range check

"""--session around a run: the jar filled from the file before, the file written after."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiocurl.output_files import WriteError
from aiocurl.request.session_file import SessionData, SessionPlan, dump_session
from aiocurl.status import ExitStatus


async def run_with_session(
    session: SessionPlan, run: Callable[[], Awaitable[ExitStatus]]
) -> ExitStatus:
    """`run` with the session's cookies in the jar; then, once the exchange got its
    response (whatever its status), the file updated with what the session holds now. A
    run that failed (an error raised) leaves the file as it was."""
    from aiocurl.transport.session_jar import session_jar, stored_cookies

    with session_jar(session) as jar:
        status = await run()
    if not session.read_only:
        write_session(session.path, replace(session.updated, cookies=stored_cookies(jar)))
    return status


def write_session(path: str, data: SessionData) -> None:
    """Atomically: a private temporary file beside it, renamed over it, so a reader (or
    another aiocurl writing the same session) sees the old file or the new, never half."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        make_private_directory(directory)
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise WriteError(path, exc) from None
    try:
        with os.fdopen(handle, "wb") as file:  # mkstemp made it 0600
            file.write(dump_session(data))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise WriteError(path, exc) from None


def make_private_directory(directory: str) -> None:
    """The directories missing on the way are made 0700: sessions hold credentials."""
    if os.path.isdir(directory):
        return
    make_private_directory(os.path.dirname(directory))
    with contextlib.suppress(FileExistsError):  # another aiocurl made it meanwhile
        os.mkdir(directory, 0o700)
    os.chmod(directory, 0o700)  # mkdir's mode is reduced by the umask

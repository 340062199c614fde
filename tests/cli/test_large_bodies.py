"""Large bodies as a real process sees them: memory stays flat when a body is not shown."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

SIZE = 100 * 1024 * 1024  # the echo server's cap for /stream-bytes
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
# Linux folds the high-water RSS of the memory a process exec()s from into its ru_maxrss, so a
# child started straight from pytest would report pytest's own peak. A small interpreter in
# between starts the command and reports its exit status and peak RSS (in KiB) to a file.
MEASURE = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def read_to_end(fd: int, limit: float = 120) -> bytes:
    """Everything the other side of a pty writes, until it closes (a deadline, not a sleep)."""
    seen = b""
    while True:
        ready, _, _ = select.select([fd], [], [], limit)
        if not ready:
            raise AssertionError(f"no output for {limit} s: {seen[-500:]!r}")
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return seen
        if not chunk:
            return seen
        seen += chunk


def test_binary_body_on_a_terminal_is_counted_not_held(echo_url: str, tmp_path: Path) -> None:
    executable = shutil.which("aiocurl")
    assert executable
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    report = tmp_path / "report"
    url = f"{echo_url}/stream-bytes/{SIZE}?chunk_size=65536"
    command = [sys.executable, "-c", MEASURE, str(report), executable, "-b", url]
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    try:
        output = read_to_end(controller)
    finally:
        os.close(controller)
    assert process.wait() == 0
    status, peak_kib = map(int, report.read_text().split())
    assert status == 0
    text = ANSI.sub("", output.decode()).replace("\r\n", "\n")
    assert text == f"[binary data, {SIZE} bytes, not shown on a terminal: use -o FILE or a pipe]\n"
    peak = peak_kib * 1024
    assert peak < 80 * 1024 * 1024, f"peak RSS {peak >> 20} MiB for a {SIZE >> 20} MiB body"

"""What the benchmark scripts share: a free port, waiting for a server, nginx from a temporary
prefix, timing a process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import IO

# Linux carries a process's peak RSS across exec, counting the memory of the process that
# forked it: a command forked from this script would never report less than the script
# itself. So a small launcher (python -S, about 6 MB) forks the command, waits for it
# with wait4() and writes its wall time, peak RSS and CPU times to a file. With DRAIN set,
# the command's stdout is a pipe that the launcher reads to its end and counts, as a
# consumer such as `| sha256sum` would (its own CPU is not the command's).
LAUNCHER = r"""
import os, sys, time
report, drain, argv = sys.argv[1], sys.argv[2] == "drain", sys.argv[3:]
started = time.perf_counter()
if drain:
    reader, writer = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        if drain:
            os.dup2(writer, 1)
            os.close(reader)
            os.close(writer)
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
drained = 0
if drain:
    os.close(writer)
    buffer = bytearray(1 << 20)
    while count := os.readv(reader, [buffer]):
        drained += count
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(report, "w") as handle:
    handle.write(f"{elapsed} {usage.ru_maxrss * 1024} {usage.ru_utime} {usage.ru_stime} {drained}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, what: str = "the server") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


@dataclass
class Usage:
    """One command, start to exit."""

    seconds: float  # wall time
    rss: int  # peak resident set size, bytes
    user: float  # CPU seconds in the process itself
    system: float  # CPU seconds in the kernel on its behalf
    code: int  # exit status
    drained: int = 0  # bytes it wrote into the pipe, with drain=True


def measure_usage(
    argv: list[str],
    stdout: IO[bytes] | int | None,
    stderr: IO[bytes] | int,
    *,
    stdin: IO[bytes] | int = subprocess.DEVNULL,
) -> Usage:
    """Wall time, peak RSS and CPU times of one command; stdout None: a pipe read to its end."""
    with tempfile.NamedTemporaryFile("r", suffix=".measure") as report:
        drain = "drain" if stdout is None else "keep"
        launcher = [sys.executable, "-S", "-I", "-c", LAUNCHER, report.name, drain, *argv]
        out = subprocess.DEVNULL if stdout is None else stdout
        code = subprocess.run(
            launcher, stdin=stdin, stdout=out, stderr=stderr, check=False
        ).returncode
        written = report.read().split()
    if len(written) != 5:
        raise SystemExit(f"could not time {argv[0]} (exit {code})")
    seconds, rss, user, system, drained = written
    return Usage(float(seconds), int(rss), float(user), float(system), code, int(drained))


def measure(
    argv: list[str], stdout: IO[bytes] | int, stderr: IO[bytes] | int
) -> tuple[float, int, int]:
    """Wall time, peak RSS in bytes and exit code of one command, start to exit."""
    done = measure_usage(argv, stdout, stderr)
    return done.seconds, done.rss, done.code


def write_random_file(path: str, size_mib: int) -> str:
    """A file of `size_mib` MiB of random bytes (one random MiB, repeated)."""
    with open(path, "wb") as handle:
        block = os.urandom(1024 * 1024)
        for _ in range(size_mib):
            handle.write(block)
    return path


NGINX_CONF = """
worker_processes 1;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    types {{ application/octet-stream bin; }}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
    }}
}}
"""


def start_nginx(prefix: str, port: int, *, connections: int = 1024) -> subprocess.Popen[bytes]:
    """nginx from a temporary prefix, one worker, serving {prefix}/www on 127.0.0.1:port."""
    os.makedirs(f"{prefix}/tmp", exist_ok=True)
    conf = f"{prefix}/nginx.conf"
    with open(conf, "w") as handle:
        handle.write(NGINX_CONF.format(prefix=prefix, port=port, connections=connections))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    server = subprocess.Popen([nginx, "-p", prefix, "-c", conf, "-g", "daemon off;"])
    wait_listening(port, "nginx")
    return server

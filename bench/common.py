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
from typing import IO

# Linux carries a process's peak RSS across exec, counting the memory of the process that
# forked it: a command forked from this script would never report less than the script
# itself. So a small launcher (python -S, about 6 MB) forks the command, waits for it
# with wait4() and writes its wall time and peak RSS to a file.
LAUNCHER = r"""
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as handle:
    handle.write(f"{elapsed} {usage.ru_maxrss * 1024}")
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


def measure(
    argv: list[str], stdout: IO[bytes] | int, stderr: IO[bytes] | int
) -> tuple[float, int, int]:
    """Wall time, peak RSS in bytes and exit code of one command, start to exit."""
    with tempfile.NamedTemporaryFile("r", suffix=".measure") as report:
        launcher = [sys.executable, "-S", "-I", "-c", LAUNCHER, report.name, *argv]
        code = subprocess.run(
            launcher, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, check=False
        ).returncode
        written = report.read().split()
    if len(written) != 2:
        raise SystemExit(f"could not time {argv[0]} (exit {code})")
    return float(written[0]), int(written[1]), code


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

"""The bundled echo server, keeping every request exactly as it arrived: method, target,
headers in order and body bytes. For comparing what two clients sent (aiocurl, curl)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from helpers import app_in_thread

from aiocurl.echo.app import make_app

CURL = shutil.which("curl")
_OWN_AGENTS = ("curl/", "aiocurl/")


@dataclass(frozen=True)
class Received:
    method: str
    target: str  # the request target as sent: path and query
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


class RecordingEcho:
    def __init__(self, url: str) -> None:
        self.url = url
        self._received: list[Received] = []
        self._lock = threading.Lock()

    def keep(self, request: Received) -> None:
        with self._lock:
            self._received.append(request)

    def take(self) -> list[Received]:
        """What arrived since the last take."""
        with self._lock:
            taken, self._received = self._received, []
        return taken


@contextlib.contextmanager
def recording_echo() -> Iterator[RecordingEcho]:
    """The echo app with a first middleware that records each request, on a free port of
    127.0.0.1, served from a background thread (so the command can run in this one)."""
    holder: list[RecordingEcho] = []

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()  # cached: the echo handlers read it again
        headers = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in request.raw_headers)
        holder[0].keep(Received(request.method, request.raw_path, headers, body))
        return await handler(request)

    app = make_app()
    app.middlewares.insert(0, record)
    with app_in_thread(app) as url:
        holder.append(RecordingEcho(url))
        yield holder[0]


def run_shell(
    command: str, *, shell: str = "sh", cwd: str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """A command line run by a real shell, as a user would paste it."""
    return subprocess.run(
        [shell, "-c", command],
        capture_output=True,
        timeout=60,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
    )


def boundary_of(request: Received) -> str | None:
    content_type = request.header("Content-Type") or ""
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary":
            return value.strip('"')
    return None


def comparable(
    request: Received, *, own_agent: bool = False, drop: frozenset[str] = frozenset()
) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """What must be equal between two clients: multipart boundaries (each client makes its
    own) replaced; headers in sorted order, since each client orders its own; with
    `own_agent`, a client's own User-Agent (curl/…, aiocurl/…) shown as a placeholder.
    A multipart Content-Length is checked against the body, then counted without them."""
    boundary = boundary_of(request)
    body, headers = request.body, []
    if boundary:
        body = body.replace(boundary.encode(), b"BOUNDARY")
    for name, value in request.headers:
        if name.lower() in drop:
            continue
        if boundary:
            value = value.replace(boundary, "BOUNDARY")
            if name.lower() == "content-length":  # the boundaries differ in length
                assert value == str(len(request.body))
                value = str(len(body))
        if own_agent and name.lower() == "user-agent" and value.startswith(_OWN_AGENTS):
            value = "CLIENT"
        headers.append((name, value))
    return request.method, request.target, sorted(headers), body

"""`aiocurl-echo [--host HOST] [--port PORT]`: run the echo server in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import click

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
# Open keep-alive connections should not hold up Ctrl-C for aiohttp's default 60 s.
SHUTDOWN_TIMEOUT = 1.0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before serving so that --port 0 can report the real port."""
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address[:2], family=family)


def base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def log_to_stderr(line: str) -> None:
    click.echo(line, err=True)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
def main(host: str, port: int) -> None:
    """Run the aiocurl echo server: httpbin-style endpoints that describe each request."""
    from aiohttp import web  # imported here so --help stays fast

    from .app import make_app

    try:
        sock = bind(host, port)
    except OSError as exc:
        reason = exc.strerror or exc
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from exc
    # The loop exists before anyone is told we listen: a Ctrl-C that lands while a loop is
    # half-built leaves an object that complains on stderr when collected.
    loop = asyncio.new_event_loop()
    # run_app turns SIGINT/SIGTERM into a graceful shutdown and returns normally; suppress
    # covers a Ctrl-C that lands before the loop has installed its signal handlers, which
    # includes the moment right after the listening line (a reader may signal at once).
    with contextlib.suppress(KeyboardInterrupt):
        click.echo(f"aiocurl-echo listening on {base_url(host, sock)}")
        web.run_app(
            make_app(log=log_to_stderr),
            sock=sock,
            loop=loop,
            print=None,
            access_log=None,  # the log hook already writes one line per request
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )

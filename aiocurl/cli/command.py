"""The click command: argv → Options, or click's own answer (--help, --version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from aiocurl import __version__
from aiocurl.cli import flags
from aiocurl.cli.options import Options, OutputOptions, TransportOptions, WebSocketOptions
from aiocurl.errors import AiocurlError
from aiocurl.status import ExitStatus

_HELP = """Send an HTTP request and show the response.

\b
  aiocurl [OPTIONS] [METHOD] URL [ITEM ...]

\b
URL:   example.org/x (http:// added), :8080/x (localhost), https://...
ITEMS: Header:Value  Header:  (unset)  Header;  (empty)  name==value (query)
       field=value  field:=json  field=@file  field:=@file.json  Header:@file
METHOD defaults to GET, or POST when there are data items.
Exit codes: 0 ok, 1 error, 2 timeout, 3/4/5 with --check-status, 6 redirects,
130 ^C, 129/143 SIGHUP/SIGTERM.
"""


@click.command(
    help=_HELP,
    context_settings={"help_option_names": ["--help"], "max_content_width": 100},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[METHOD] URL [ITEM ...]")
@flags.BODY
@flags.AUTH
@flags.REDIRECTS
@flags.TIMEOUTS
@flags.TLS
@flags.PROXY
@flags.RETRIES
@flags.CREDENTIALS
@flags.LIMITS
@flags.OUTPUT
@flags.DOWNLOADS
@flags.WEBSOCKET
@flags.MISC
@click.option("--traceback", is_flag=True, help="Show a Python traceback on errors.")
@click.version_option(__version__, "--version", message="%(version)s")
def command(**flags: Any) -> Options:
    return options_from_flags(flags)


def options_from_flags(flags: dict[str, Any]) -> Options:
    output = OutputOptions(**{name: flags.pop(name) for name in OutputOptions.__dataclass_fields__})
    transport = TransportOptions(
        follow=flags.pop("follow"),
        max_redirects=flags.pop("max_redirects"),
        timeout=flags.pop("timeout"),
        connect_timeout=flags.pop("connect_timeout"),
        max_time=flags.pop("max_time"),
        verify=flags.pop("verify"),
        cert=flags.pop("cert"),
        cert_key=flags.pop("cert_key"),
        cert_key_pass=flags.pop("cert_key_pass"),
        ssl_version=flags.pop("ssl_version"),
        ciphers=flags.pop("ciphers"),
        proxy=flags.pop("proxy"),
        decompress=not flags.pop("no_decompress"),
        location_trusted=flags.pop("location_trusted"),
        secret_headers=tuple(flags.pop("secret_headers")),
        max_filesize=flags.pop("max_filesize"),
        max_headers=flags.pop("max_headers"),
        max_header_size=flags.pop("max_header_size"),
        retries=flags.pop("retry"),
        retry_on=flags.pop("retry_on"),
        retry_delay=flags.pop("retry_delay"),
        retry_max_time=flags.pop("retry_max_time"),
        retry_all_methods=flags.pop("retry_all_methods"),
    )
    ws = WebSocketOptions(
        protocols=tuple(flags.pop("ws_protocols")),
        ping=flags.pop("ws_ping"),
        max_size=flags.pop("ws_max_size"),
        binary=flags.pop("ws_binary"),
        raw_binary=flags.pop("ws_raw_binary"),
        wait=flags.pop("ws_wait"),
        count=flags.pop("ws_count"),
    )
    return Options(
        method_and_url=tuple(flags.pop("args")),
        ws=ws,
        output=output,
        transport=transport,
        **flags,
    )


def parse_args(argv: Sequence[str]) -> Options | int:
    """Options, or the exit status when click handled the command itself (--help)."""
    try:
        result = command.main(list(argv), prog_name="aiocurl", standalone_mode=False)
    except click.exceptions.Abort:
        return ExitStatus.INTERRUPTED
    except click.ClickException as exc:
        raise AiocurlError(click_message(exc)) from None
    if isinstance(result, Options):
        return replace(result, argv=tuple(argv))
    return int(result or 0)


def click_message(exc: click.ClickException) -> str:
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        names = getattr(exc.param, "opts", None) or [exc.param.human_readable_name]
        return f"{names[0]}: {exc.message}"
    if isinstance(exc, click.NoSuchOption):
        hint = f" (did you mean {exc.possibilities[0]}?)" if exc.possibilities else ""
        return f"unknown option {exc.option_name}{hint}"
    text = exc.format_message()
    return " ".join(text.split())

"""The click command: argv → Options, or click's own answer (--help, --version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

import click

from aiocurl import __version__
from aiocurl.cli import flags
from aiocurl.cli.options import (
    BatchOptions,
    Options,
    OutputOptions,
    TransportOptions,
    WebSocketOptions,
)
from aiocurl.errors import AiocurlError
from aiocurl.status import ExitStatus

_HELP = """Send an HTTP request and show the response.

\b
URL:   example.org/x (http:// added), :8080/x (localhost), https://...,
       /path (after --base-url)
ITEMS: Header:Value  Header:  (unset)  Header;  (empty)  name==value (query)
       field=value  field:=json  field=@file  field:=@file.json  Header:@file
METHOD defaults to GET, or POST when there are data items.
Exit codes: 0 ok, 1 error, 2 timeout, 3/4/5 with --check-status, 6 redirects,
130 ^C, 129/143 SIGHUP/SIGTERM.
"""

EXAMPLES = """Examples:
  aiocurl example.org/get                           GET; headers and body
  aiocurl POST :8080/users name=ada age:=36         a JSON body, to localhost:8080
  aiocurl -f POST example.org/form a=1 f@x.txt      a multipart form with a file
  aiocurl -a ada:pw -F example.org/private          basic auth, following redirects
  aiocurl --base-url https://api.example/v2 /users  GET https://api.example/v2/users
  aiocurl -d -c -o big.iso example.org/big.iso      a download, resumed if partial
  aiocurl wss://example.org/chat                    a WebSocket session
  aiocurl --shell :8080/api                         an interactive shell, one session
  aiocurl --offline -v PUT example.org x=1          print the request, send nothing
"""


def _complete_positional(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    """Methods and files for the shell; the completion module is imported only when asked."""
    from aiocurl.cli.completion import complete_positional

    return complete_positional(ctx, param, incomplete)


class Command(click.Command):
    """click's command, its help drawn by rich-click in topics: imported only for --help,
    so that a request never pays for it."""

    def get_help(self, ctx: click.Context) -> str:
        from aiocurl.cli.help import rich_help

        return rich_help(self, ctx)


@click.command(
    cls=Command,
    help=_HELP,
    epilog=EXAMPLES,
    context_settings={"help_option_names": ["--help"], "max_content_width": 100},
)
@click.argument(
    "args",
    nargs=-1,
    type=click.UNPROCESSED,
    metavar="[METHOD] URL [ITEM ...]",
    shell_complete=_complete_positional,
)
@flags.BODY
@flags.AUTH
@flags.CREDENTIALS
@flags.OUTPUT
@flags.DOWNLOADS
@flags.WEBSOCKET
@flags.REDIRECTS
@flags.TIMEOUTS
@flags.TLS
@flags.ROUTING
@flags.URLS
@flags.RETRIES
@flags.LIMITS
@flags.STATUS
@flags.SESSIONS
@flags.BATCH
@flags.MISC
@click.version_option(__version__, "--version", message="%(version)s")
def command(**flags: Any) -> Options:
    return options_from_flags(flags)


def options_from_flags(flags: dict[str, Any]) -> Options:
    """click's keyword arguments → Options: each group's fields by name (`ws_` for the
    WebSocket ones), what is left for Options itself."""
    flags["decompress"] = not flags.pop("no_decompress")
    flags["retries"] = flags.pop("retry")
    return Options(
        method_and_url=tuple(flags.pop("args")),
        output=_take(OutputOptions, flags),
        transport=_take(TransportOptions, flags),
        ws=_take(WebSocketOptions, flags, prefix="ws_"),
        many=_take(BatchOptions, flags),
        **flags,
    )


Group = TypeVar("Group", OutputOptions, TransportOptions, WebSocketOptions, BatchOptions)


def _take(group: type[Group], flags: dict[str, Any], *, prefix: str = "") -> Group:
    return group(**{name: flags.pop(prefix + name) for name in group.__dataclass_fields__})


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

"""The click command: argv → Options → plan → app.run → exit status. Thin by design."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from aiocurl import __version__
from aiocurl.cli.options import Options, OutputOptions, TransportOptions, WebSocketOptions
from aiocurl.environment import Environment
from aiocurl.errors import AiocurlError, OutputClosed
from aiocurl.redact import RedactingStderr, secrets_in
from aiocurl.status import ExitStatus


class Seconds(click.ParamType):  # type: ignore[type-arg]
    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected seconds, got {value!r}", param, ctx)
        if not 0 < seconds < float("inf"):  # NaN fails both
            self.fail(f"expected a number of seconds > 0, got {value!r}", param, ctx)
        return seconds


SECONDS = Seconds()
# aiohttp hands these limits to C code: a larger number is an error here, not an overflow there.
C_INT_MAX = 2**31 - 1

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
@click.option(
    "--json", "-j", is_flag=True, help="Send data items as JSON (the default) and ask for JSON."
)
@click.option(
    "--form", "-f", is_flag=True, help="Send data items urlencoded (multipart with files)."
)
@click.option("--multipart", is_flag=True, help="Send data items as multipart/form-data.")
@click.option("--boundary", help="The multipart boundary to use.")
@click.option("--raw", metavar="TEXT", help="Send TEXT as the request body.")
@click.option("--ignore-stdin", "-I", is_flag=True, help="Do not read a request body from stdin.")
@click.option("--chunked", is_flag=True, help="Send the body with Transfer-Encoding: chunked.")
@click.option(
    "--compress", "-x", count=True, help="Deflate the body if that makes it smaller (-xx: always)."
)
@click.option(
    "--auth",
    "-a",
    metavar="USER[:PASS]|TOKEN",
    help="Credentials; prompts for a missing password on a terminal.",
)
@click.option("--ignore-netrc", is_flag=True, help="Do not take credentials from ~/.netrc.")
@click.option(
    "--auth-type",
    "-A",
    type=click.Choice(["basic", "digest", "bearer"], case_sensitive=False),
    help="Authentication scheme (default basic).",
)
@click.option("--follow", "-F", is_flag=True, help="Follow redirects.")
@click.option(
    "--max-redirects",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Redirects to follow before exit 6.",
)
@click.option(
    "--all", "show_all", is_flag=True, help="Show intermediate responses (redirects) too."
)
@click.option("--timeout", type=SECONDS, help="Fail when no byte arrives for this long (exit 2).")
@click.option("--connect-timeout", type=SECONDS, help="Limit for connecting (default 30 s).")
@click.option("--max-time", type=SECONDS, help="Limit for the whole request.")
@click.option(
    "--verify",
    default="yes",
    show_default=True,
    metavar="yes|no|PATH",
    help="Verify TLS certificates, optionally against a CA bundle.",
)
@click.option("--cert", type=click.Path(dir_okay=False), help="Client certificate (PEM).")
@click.option(
    "--cert-key-pass",
    metavar="PASS",
    help="Passphrase of an encrypted --cert-key (asked for on a terminal).",
)
@click.option(
    "--cert-key", type=click.Path(dir_okay=False), help="Client certificate's private key."
)
@click.option(
    "--ssl",
    "ssl_version",
    type=click.Choice(["tls1.2", "tls1.3"]),
    help="Use exactly this TLS version.",
)
@click.option("--ciphers", help="OpenSSL cipher list.")
@click.option(
    "--proxy", metavar="URL", help="HTTP(S) proxy; credentials in the URL become proxy auth."
)
@click.option(
    "--retry",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Retry transient failures and --retry-on statuses N times.",
)
@click.option(
    "--retry-on", metavar="CODES", help="Statuses to retry (default 408,429,500,502,503,504)."
)
@click.option(
    "--retry-delay",
    type=SECONDS,
    default=1.0,
    show_default=True,
    help="First backoff; it doubles, with jitter.",
)
@click.option(
    "--retry-max-time", type=SECONDS, help="Stop retrying once this much time has passed."
)
@click.option(
    "--retry-all-methods", is_flag=True, help="Also retry POST, PATCH and other unsafe methods."
)
@click.option(
    "--location-trusted", is_flag=True, help="Send credentials on redirects to other origins too."
)
@click.option(
    "--secret-header",
    "secret_headers",
    multiple=True,
    metavar="NAME",
    help="Treat header NAME as a credential on redirects.",
)
@click.option(
    "--max-filesize",
    type=click.IntRange(min=0),
    metavar="BYTES",
    help="Fail when the (decoded) body exceeds BYTES.",
)
@click.option(
    "--max-headers",
    type=click.IntRange(min=1, max=C_INT_MAX),
    metavar="N",
    help="Fail when a response has more than N headers (default 10000).",
)
@click.option(
    "--max-header-size",
    type=click.IntRange(min=1, max=C_INT_MAX),
    metavar="BYTES",
    help="Fail when a response header line is longer (default 131072).",
)
@click.option("--no-decompress", is_flag=True, help="Keep the body as the server encoded it.")
@click.option("--offline", is_flag=True, help="Print the request without sending it.")
@click.option(
    "--print",
    "-p",
    "print_spec",
    metavar="HBhbm",
    help="What to print: request Headers/Body, response headers/body, meta.",
)
@click.option(
    "--headers", "-h", "headers_only", is_flag=True, help="Print the response headers only."
)
@click.option("--body", "-b", "body_only", is_flag=True, help="Print the response body only.")
@click.option("--meta", "-m", is_flag=True, help="Print elapsed time and remote address.")
@click.option("--verbose", "-v", count=True, help="Print the whole exchange (-vv adds meta).")
@click.option("--quiet", "-q", count=True, help="Print nothing (-qq: no warnings either).")
@click.option(
    "--pretty",
    type=click.Choice(["all", "colors", "format", "none"]),
    help="Formatting and colours (default all on a terminal, none in a pipe).",
)
@click.option(
    "--style",
    "-s",
    default="auto",
    show_default=True,
    help="Colour theme: auto, ansi_light, or a Pygments style.",
)
@click.option(
    "--format-options",
    multiple=True,
    metavar="KEY:VALUE,...",
    help="json.indent:N, json.sort_keys, json.format, headers.sort.",
)
@click.option(
    "--sorted", "sorted_output", flag_value=True, default=None, help="Sort headers and JSON keys."
)
@click.option(
    "--unsorted", "sorted_output", flag_value=False, help="Keep headers and JSON keys in order."
)
@click.option(
    "--response-charset", metavar="ENCODING", help="Decode the response body with this charset."
)
@click.option("--response-mime", metavar="TYPE", help="Treat the response body as this MIME type.")
@click.option(
    "--output",
    "-o",
    "output_file",
    type=click.Path(dir_okay=False),
    help="Write the output to FILE instead of stdout.",
)
@click.option(
    "--download", "-d", is_flag=True, help="Save the body to a file (name from the response)."
)
@click.option(
    "--continue", "-c", "resume", is_flag=True, help="Resume a partial --download --output FILE."
)
@click.option("--stream", "-S", is_flag=True, help="Print the body as it arrives, line by line.")
@click.option(
    "--ws-protocol",
    "ws_protocols",
    multiple=True,
    metavar="NAME",
    help="Offer a WebSocket subprotocol (repeatable).",
)
@click.option("--ws-ping", type=SECONDS, help="Ping every S seconds; fail when pongs stop.")
@click.option(
    "--ws-max-size",
    type=click.IntRange(min=1, max=C_INT_MAX),
    metavar="BYTES",
    help="Largest WebSocket message accepted (default 4 MiB).",
)
@click.option("--ws-binary", is_flag=True, help="Send stdin lines as binary WebSocket messages.")
@click.option(
    "--ws-raw-binary",
    is_flag=True,
    help="Write received binary messages as raw bytes, not base64 lines.",
)
@click.option(
    "--ws-wait",
    type=SECONDS,
    default=2.0,
    show_default=True,
    help="After stdin ends, close once the server is quiet this long.",
)
@click.option(
    "--ws-count", type=click.IntRange(min=1), metavar="N", help="Exit after N messages received."
)
@click.option("--check-status", is_flag=True, help="Exit 3/4/5 for a 3xx/4xx/5xx response.")
@click.option(
    "--default-scheme", default="http", show_default=True, help="Scheme for URLs without one."
)
@click.option("--path-as-is", is_flag=True, help="Keep ./ and ../ in the URL path.")
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


def one_line(message: str) -> str:
    """Some parser messages span lines (a caret under the byte); stderr gets one."""
    return " ".join(message.split())


def main(argv: Sequence[str], env: Environment | None = None) -> int:
    env = env or Environment.from_process()
    # Every message goes through stderr; no secret from the command line gets out that way.
    env = replace(env, stderr=RedactingStderr(env.stderr, secrets_in(argv)))  # type: ignore[arg-type]
    show_traceback = "--traceback" in argv
    try:
        parsed = parse_args(argv)
        if isinstance(parsed, int):
            return parsed
        from aiocurl.request.plan import build_plan

        plan = build_plan(parsed, env)
        from aiocurl.modes.run import run

        return int(asyncio.run(run(plan, env)))
    except OutputClosed:
        return int(ExitStatus.OK)  # the reader had enough (`| head`): not a failure
    except AiocurlError as exc:
        if show_traceback:
            raise
        env.stderr.write(f"aiocurl: error: {one_line(exc.message)}\n")
        if exc.detail:
            env.stderr.write(exc.detail + "\n")
        return int(exc.exit_status)
    except KeyboardInterrupt:
        env.stderr.write("\naiocurl: interrupted\n")
        return int(ExitStatus.INTERRUPTED)
    except Exception as exc:
        if show_traceback:
            raise
        env.stderr.write(
            f"aiocurl: error: unexpected {type(exc).__name__}: {exc} "
            "(run again with --traceback for details)\n"
        )
        return int(ExitStatus.ERROR)

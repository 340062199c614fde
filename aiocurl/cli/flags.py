"""The command's flags as click decorators, grouped as the help will show them.

Each group is one decorator naming its help topic; `command.py` stacks them in order, and
`--help` shows each topic's flags together, topics in the order of TOPICS. A new flag goes
into the group it belongs to (and so under its topic), then into an Options field of the
same name (cli/options.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


# The help's topics, in the order it shows them.
TOPICS = (
    "Request body",
    "Headers and auth",
    "Output",
    "Downloads and streams",
    "WebSocket",
    "Network",
    "Retries and safety",
    "Sessions and config",
    "Many requests",
    "Other",
)
OTHER = "Other"  # click's own --help and --version
# Each flag's topic, by its parameter name, noted when its group is applied.
TOPIC_OF: dict[str, str] = {}


def _complete_session(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    """Session names for the shell; the completion module is imported only when asked."""
    from aiocurl.cli.completion import complete_session

    return complete_session(ctx, param, incomplete)


def flag_group(topic: str, *decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """Several click decorators as one, shown in the order given, under `topic` in the help."""
    if topic not in TOPICS:
        raise ValueError(f"unknown help topic {topic!r}")

    def apply(function: F) -> F:
        for decorator in reversed(decorators):  # click lists options bottom-up
            function = decorator(function)
        for param in getattr(function, "__click_params__", [])[-len(decorators) :]:
            TOPIC_OF[param.name] = topic
        return function

    return apply


class Positive(click.ParamType):  # type: ignore[type-arg]
    """A finite number above 0, of `what` (seconds, requests a second)."""

    def __init__(self, name: str, what: str) -> None:
        self.name = name
        self._what = what

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected {self._what}, got {value!r}", param, ctx)
        if not 0 < number < float("inf"):  # NaN fails both
            self.fail(f"expected a number of {self._what} > 0, got {value!r}", param, ctx)
        return number


SECONDS = Positive("seconds", "seconds")
RATE = Positive("rate", "requests a second")
# aiohttp hands these limits to C code: a larger number is an error here, not an overflow there.
C_INT_MAX = 2**31 - 1


# How the request body is built.
BODY = flag_group(
    "Request body",
    click.option(
        "--json", "-j", is_flag=True, help="Send data items as JSON (the default) and ask for JSON."
    ),
    click.option(
        "--form", "-f", is_flag=True, help="Send data items urlencoded (multipart with files)."
    ),
    click.option("--multipart", is_flag=True, help="Send data items as multipart/form-data."),
    click.option("--boundary", help="The multipart boundary to use."),
    click.option("--raw", metavar="TEXT", help="Send TEXT as the request body."),
    click.option(
        "--ignore-stdin", "-I", is_flag=True, help="Do not read a request body from stdin."
    ),
    click.option("--chunked", is_flag=True, help="Send the body with Transfer-Encoding: chunked."),
    click.option(
        "--compress",
        "-x",
        count=True,
        help="Deflate the body if that makes it smaller (-xx: always).",
    ),
)


# Credentials, and where they may go.
AUTH = flag_group(
    "Headers and auth",
    click.option(
        "--auth",
        "-a",
        metavar="USER[:PASS]|TOKEN",
        help="Credentials; prompts for a missing password on a terminal.",
    ),
    click.option("--ignore-netrc", is_flag=True, help="Do not take credentials from ~/.netrc."),
    click.option(
        "--auth-type",
        "-A",
        type=click.Choice(["basic", "digest", "bearer"], case_sensitive=False),
        help="Authentication scheme (default basic).",
    ),
)


# Following redirects.
REDIRECTS = flag_group(
    "Network",
    click.option("--follow", "-F", is_flag=True, help="Follow redirects."),
    click.option(
        "--max-redirects",
        type=click.IntRange(min=0),
        default=30,
        show_default=True,
        help="Redirects to follow before exit 6.",
    ),
    click.option(
        "--all", "show_all", is_flag=True, help="Show intermediate responses (redirects) too."
    ),
)


# Time limits.
TIMEOUTS = flag_group(
    "Network",
    click.option(
        "--timeout", type=SECONDS, help="Fail when no byte arrives for this long (exit 2)."
    ),
    click.option("--connect-timeout", type=SECONDS, help="Limit for connecting (default 30 s)."),
    click.option("--max-time", type=SECONDS, help="Limit for the whole request."),
)


# Certificates and TLS versions.
TLS = flag_group(
    "Network",
    click.option(
        "--verify",
        default="yes",
        show_default=True,
        metavar="yes|no|PATH",
        help="Verify TLS certificates, optionally against a CA bundle.",
    ),
    click.option("--cert", type=click.Path(dir_okay=False), help="Client certificate (PEM)."),
    click.option(
        "--cert-key-pass",
        metavar="PASS",
        help="Passphrase of an encrypted --cert-key (asked for on a terminal).",
    ),
    click.option(
        "--cert-key", type=click.Path(dir_okay=False), help="Client certificate's private key."
    ),
    click.option(
        "--ssl",
        "ssl_version",
        type=click.Choice(["tls1.2", "tls1.3"]),
        help="Use exactly this TLS version.",
    ),
    click.option("--ciphers", help="OpenSSL cipher list."),
)


# Where the connection goes: proxies, addresses, the Unix socket.
ROUTING = flag_group(
    "Network",
    click.option(
        "--proxy",
        multiple=True,
        metavar="[SCHEME:]URL",
        help="Proxy: http(s)://, socks4(a)://, socks5(h)://; credentials in the URL. "
        "SCHEME: only for http or https requests (repeatable).",
    ),
    click.option(
        "--resolve",
        multiple=True,
        metavar="HOST:PORT:ADDR",
        help="Connect to ADDR for HOST:PORT (HOST:ADDR: any port); URL, Host and TLS name "
        "stay HOST (repeatable).",
    ),
    click.option(
        "--connect-to",
        multiple=True,
        metavar="H1:P1:H2:P2",
        help="Connect to H2:P2 for requests to H1:P1; an empty field is any, or the same "
        "(repeatable).",
    ),
    click.option("--ipv4", "-4", is_flag=True, help="Connect over IPv4 only."),
    click.option("--ipv6", "-6", is_flag=True, help="Connect over IPv6 only."),
    click.option(
        "--interface",
        "--local-address",
        "interface",
        metavar="ADDR",
        help="Send from this local IP address.",
    ),
    click.option(
        "--unix-socket",
        metavar="PATH",
        help="Talk HTTP over this Unix domain socket; the URL gives Host and path.",
    ),
)


# Trying again.
RETRIES = flag_group(
    "Retries and safety",
    click.option(
        "--retry",
        type=click.IntRange(min=0),
        default=0,
        metavar="N",
        help="Retry transient failures and --retry-on statuses N times.",
    ),
    click.option(
        "--retry-on", metavar="CODES", help="Statuses to retry (default 408,429,500,502,503,504)."
    ),
    click.option(
        "--retry-delay",
        type=SECONDS,
        default=1.0,
        show_default=True,
        help="First backoff; it doubles, with jitter.",
    ),
    click.option(
        "--retry-max-time", type=SECONDS, help="Stop retrying once this much time has passed."
    ),
    click.option(
        "--retry-all-methods", is_flag=True, help="Also retry POST, PATCH and other unsafe methods."
    ),
)


# Credentials on redirects.
CREDENTIALS = flag_group(
    "Headers and auth",
    click.option(
        "--location-trusted",
        is_flag=True,
        help="Send credentials on redirects to other origins too.",
    ),
    click.option(
        "--secret-header",
        "secret_headers",
        multiple=True,
        metavar="NAME",
        help="Treat header NAME as a credential on redirects.",
    ),
)


# Limits on the response.
LIMITS = flag_group(
    "Retries and safety",
    click.option(
        "--max-filesize",
        type=click.IntRange(min=0),
        metavar="BYTES",
        help="Fail when the (decoded) body exceeds BYTES.",
    ),
    click.option(
        "--max-headers",
        type=click.IntRange(min=1, max=C_INT_MAX),
        metavar="N",
        help="Fail when a response has more than N headers (default 10000).",
    ),
    click.option(
        "--max-header-size",
        type=click.IntRange(min=1, max=C_INT_MAX),
        metavar="BYTES",
        help="Fail when a response header line is longer (default 131072).",
    ),
    click.option("--no-decompress", is_flag=True, help="Keep the body as the server encoded it."),
)


# What is printed, and how.
OUTPUT = flag_group(
    "Output",
    click.option("--offline", is_flag=True, help="Print the request without sending it."),
    click.option(
        "--curl",
        is_flag=True,
        help="Print the curl command that sends the same request, instead of sending it.",
    ),
    click.option(
        "--print",
        "-p",
        "print_spec",
        metavar="HBhbm",
        help="What to print: request Headers/Body, response headers/body, meta.",
    ),
    click.option(
        "--headers", "-h", "headers_only", is_flag=True, help="Print the response headers only."
    ),
    click.option("--body", "-b", "body_only", is_flag=True, help="Print the response body only."),
    click.option(
        "--meta", "-m", is_flag=True, help="Print elapsed time, remote address and phases."
    ),
    click.option("--verbose", "-v", count=True, help="Print the whole exchange (-vv adds meta)."),
    click.option(
        "--timing",
        is_flag=True,
        help="Show where the time went (DNS, TCP, TLS, server, transfer) after the response.",
    ),
    click.option(
        "--write-out",
        "-w",
        metavar="FORMAT",
        help="Print FORMAT after the response, curl's %{variables} filled in (@FILE: from FILE).",
    ),
    click.option("--quiet", "-q", count=True, help="Print nothing (-qq: no warnings either)."),
    click.option(
        "--pretty",
        type=click.Choice(["all", "colors", "format", "none"]),
        help="Formatting and colours (default all on a terminal, none in a pipe).",
    ),
    click.option(
        "--style",
        "-s",
        default="auto",
        show_default=True,
        help="Colour theme: auto, ansi_light, or a Pygments style.",
    ),
    click.option(
        "--format-options",
        multiple=True,
        metavar="KEY:VALUE,...",
        help="json.indent:N, json.sort_keys, json.format, headers.sort.",
    ),
    click.option(
        "--sorted",
        "sorted_output",
        flag_value=True,
        default=None,
        help="Sort headers and JSON keys.",
    ),
    click.option(
        "--unsorted", "sorted_output", flag_value=False, help="Keep headers and JSON keys in order."
    ),
    click.option(
        "--response-charset", metavar="ENCODING", help="Decode the response body with this charset."
    ),
    click.option(
        "--response-mime", metavar="TYPE", help="Treat the response body as this MIME type."
    ),
    click.option(
        "--output",
        "-o",
        "output_file",
        type=click.Path(dir_okay=False),
        help="Write the output to FILE instead of stdout.",
    ),
)


# Downloads and streams.
DOWNLOADS = flag_group(
    "Downloads and streams",
    click.option(
        "--download", "-d", is_flag=True, help="Save the body to a file (name from the response)."
    ),
    click.option(
        "--continue",
        "-c",
        "resume",
        is_flag=True,
        help="Resume a partial --download --output FILE.",
    ),
    click.option(
        "--stream", "-S", is_flag=True, help="Print the body as it arrives, line by line."
    ),
)


# Many requests through one pooled session.
BATCH = flag_group(
    "Many requests",
    click.option(
        "--batch",
        metavar="FILE",
        help="Send one request per line of FILE ('-': stdin), concurrently; prints NDJSON "
        "records in a pipe.",
    ),
    click.option(
        "--concurrency",
        type=click.IntRange(min=1, max=C_INT_MAX),
        default=10,
        show_default=True,
        metavar="N",
        help="Requests in flight at once.",
    ),
    click.option(
        "--max-connections",
        type=click.IntRange(min=1, max=C_INT_MAX),
        metavar="N",
        help="Connections in the pool (default: the concurrency).",
    ),
    click.option(
        "--max-connections-per-host",
        type=click.IntRange(min=1, max=C_INT_MAX),
        metavar="N",
        help="Connections to one host at once.",
    ),
    click.option(
        "--repeat",
        type=click.IntRange(min=1),
        metavar="N",
        help="A load run: send the request N times, then print a summary.",
    ),
    click.option(
        "--duration", type=SECONDS, help="A load run: keep sending for this long, then sum up."
    ),
    click.option(
        "--rate",
        type=RATE,
        metavar="R",
        help="At most R requests a second in all, evenly spaced.",
    ),
    click.option(
        "--summary",
        type=click.Choice(["text", "json"]),
        help="The summary of a load run or batch as text (default) or one JSON object.",
    ),
    click.option(
        "--merge-summaries",
        is_flag=True,
        help="Add up the --summary json files given as arguments, and print the total.",
    ),
    click.option("--ordered", is_flag=True, help="Print batch records in line order."),
    click.option("--batch-body", is_flag=True, help="Put each response body in its record."),
    click.option(
        "--output-dir",
        metavar="DIR",
        help="Save each batch response body to its own file in DIR (named as --download).",
    ),
)


# WebSocket sessions.
WEBSOCKET = flag_group(
    "WebSocket",
    click.option(
        "--ws-protocol",
        "ws_protocols",
        multiple=True,
        metavar="NAME",
        help="Offer a WebSocket subprotocol (repeatable).",
    ),
    click.option("--ws-ping", type=SECONDS, help="Ping every S seconds; fail when pongs stop."),
    click.option(
        "--ws-max-size",
        type=click.IntRange(min=1, max=C_INT_MAX),
        metavar="BYTES",
        help="Largest WebSocket message accepted (default 4 MiB).",
    ),
    click.option(
        "--ws-binary", is_flag=True, help="Send stdin lines as binary WebSocket messages."
    ),
    click.option(
        "--ws-raw-binary",
        is_flag=True,
        help="Write received binary messages as raw bytes, not base64 lines.",
    ),
    click.option(
        "--ws-wait",
        type=SECONDS,
        default=2.0,
        show_default=True,
        help="After stdin ends, close once the server is quiet this long.",
    ),
    click.option(
        "--ws-count",
        type=click.IntRange(min=1),
        metavar="N",
        help="Exit after N messages received.",
    ),
)


# Exit statuses for a script.
STATUS = flag_group(
    "Retries and safety",
    click.option("--check-status", is_flag=True, help="Exit 3/4/5 for a 3xx/4xx/5xx response."),
)


# How the URL is read.
URLS = flag_group(
    "Network",
    click.option(
        "--default-scheme", default="http", show_default=True, help="Scheme for URLs without one."
    ),
    click.option("--path-as-is", is_flag=True, help="Keep ./ and ../ in the URL path."),
)


# What outlives one command: the config file, the base URL.
SESSIONS = flag_group(
    "Sessions and config",
    click.option(
        "--session",
        metavar="NAME|PATH",
        shell_complete=_complete_session,
        help="Load headers, auth and cookies from a session before the request and save "
        "them after (a NAME is kept per host in the config dir).",
    ),
    click.option(
        "--session-read-only",
        metavar="NAME|PATH",
        shell_complete=_complete_session,
        help="Like --session, but never update the session file.",
    ),
    click.option(
        "--base-url",
        metavar="URL",
        help="Append a URL argument that starts with / to this URL (its path kept).",
    ),
    click.option(
        "--shell",
        is_flag=True,
        help="An interactive shell on one live session: each line a request relative to "
        "the URL given (which may be left out), with these flags and items kept.",
    ),
    click.option("--no-config", is_flag=True, help="Ignore the default_options of config.json."),
    click.option(
        "--completion",
        type=click.Choice(["bash", "zsh", "fish"]),
        help="Print the shell completion script for this shell.",
    ),
)


# Everything else.
MISC = flag_group(
    "Other",
    click.option(
        "--from-curl",
        metavar="'curl ...'",
        help="Send the request of a curl command line ('-': read it from stdin); "
        "other flags apply on top.",
    ),
    click.option("--traceback", is_flag=True, help="Show a Python traceback on errors."),
)

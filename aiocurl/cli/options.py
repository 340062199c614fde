"""What the flags mean, as frozen values: the command line's output, before any planning."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False, repr=False)
class OutputOptions:
    """What the output flags say: what to print, how, and where."""

    print_spec: str | None = None  # --print letters; None means "decide from the terminal"
    headers_only: bool = False
    body_only: bool = False
    meta: bool = False
    verbose: int = 0
    show_all: bool = False
    quiet: int = 0
    pretty: str | None = None  # all | colors | format | none
    style: str = "auto"
    format_options: tuple[str, ...] = ()
    sorted_output: bool | None = None  # --sorted / --unsorted
    response_charset: str | None = None
    response_mime: str | None = None
    output_file: str | None = None
    check_status: bool = False
    download: bool = False
    resume: bool = False
    stream: bool = False
    timing: bool = False
    write_out: str | None = None  # curl's -w FORMAT, or @FILE


@dataclass(frozen=True, eq=False, repr=False)
class TransportOptions:
    """What the connection flags say: redirects, timeouts, TLS, proxies, routes, limits, retries."""

    follow: bool = False
    max_redirects: int = 30
    timeout: float | None = None
    connect_timeout: float | None = None
    max_time: float | None = None
    verify: str = "yes"
    cert: str | None = None
    cert_key: str | None = None
    cert_key_pass: str | None = None
    ssl_version: str | None = None
    ciphers: str | None = None
    proxy: tuple[str, ...] = ()  # each URL, or SCHEME:URL for one scheme's requests
    resolve: tuple[str, ...] = ()
    connect_to: tuple[str, ...] = ()
    ipv4: bool = False
    ipv6: bool = False
    interface: str | None = None
    unix_socket: str | None = None
    decompress: bool = True
    location_trusted: bool = False
    secret_headers: tuple[str, ...] = ()
    max_filesize: int | None = None
    max_headers: int | None = None  # None: the default in plan_transport
    max_header_size: int | None = None
    retries: int = 0
    retry_on: str | None = None
    retry_delay: float = 1.0
    retry_max_time: float | None = None
    retry_all_methods: bool = False


@dataclass(frozen=True, eq=False, repr=False)
class WebSocketOptions:
    """What the WebSocket flags say."""

    protocols: tuple[str, ...] = ()
    ping: float | None = None
    max_size: int | None = None
    binary: bool = False  # stdin lines go as binary messages
    raw_binary: bool = False  # received binary messages go to stdout as bytes, not base64
    wait: float = 2.0
    count: int | None = None


@dataclass(frozen=True, eq=False, repr=False)
class BatchOptions:
    """What the flags of batches (--batch) and load runs (--repeat, --duration) say."""

    batch: str | None = None  # FILE, or "-" for stdin: one request per line
    concurrency: int = 10
    max_connections: int | None = None  # the pool's limit; default: the concurrency
    max_connections_per_host: int | None = None
    ordered: bool = False  # records in line order, not completion order
    batch_body: bool = False  # bodies in the records
    output_dir: str | None = None  # each body to its own file there
    repeat: int | None = None  # a load run: the request this many times
    duration: float | None = None  # a load run: for this many seconds
    rate: float | None = None  # at most this many requests a second, evenly spaced
    summary: str | None = None  # text | json
    merge_summaries: bool = False  # the positionals are --summary json files to add up


@dataclass(frozen=True, eq=False, repr=False)
class Options:
    """The whole command line: positionals, the body and auth flags, and each group of flags."""

    method_and_url: tuple[str, ...] = ()  # the positionals: [METHOD] URL [ITEM ...]
    json: bool = False
    form: bool = False
    multipart: bool = False
    boundary: str | None = None
    raw: str | None = None
    ignore_stdin: bool = False
    chunked: bool = False
    compress: int = 0
    auth: str | None = None
    auth_type: str | None = None
    ignore_netrc: bool = False
    default_scheme: str = "http"
    path_as_is: bool = False
    offline: bool = False
    curl: bool = False  # print the equivalent curl command instead of sending
    from_curl: str | None = None  # a curl command line to run as aiocurl ("-": stdin)
    traceback: bool = False
    session: str | None = None  # NAME or PATH: loaded before the request, saved after
    session_read_only: str | None = None  # NAME or PATH: loaded, never saved
    base_url: str | None = None  # a URL argument starting with / is appended to it
    shell: bool = False  # an interactive shell (cli/shell.py): the positionals start it
    no_config: bool = False  # config.json's default_options not applied (cli/config.py)
    completion: str | None = None  # bash | zsh | fish: print that shell's completion script
    argv: tuple[str, ...] = ()  # as typed, to suggest the command that resumes a download
    output: OutputOptions = field(default_factory=OutputOptions)
    transport: TransportOptions = field(default_factory=TransportOptions)
    ws: WebSocketOptions = field(default_factory=WebSocketOptions)
    many: BatchOptions = field(default_factory=BatchOptions)

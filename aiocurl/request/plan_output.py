"""What to print and how: --print letters, --pretty, format options, decided up front."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiocurl.cli.options import Options, OutputOptions
from aiocurl.environment import Environment
from aiocurl.errors import UsageError
from aiocurl.output_files import check_directory, check_writable, has_resume_state, resume_state

if TYPE_CHECKING:
    from aiocurl.request.write_out import WriteOut

PRINT_LETTERS = "HBhbm"
PRETTY_CHOICES = ("all", "colors", "format", "none")
RICH_THEMES = ("auto", "ansi_dark", "ansi_light")


@dataclass(frozen=True, eq=False, repr=False)
class OutputPlan:
    """What to print and where, decided before anything is sent."""

    request_headers: bool = False
    request_body: bool = False
    response_headers: bool = False
    response_body: bool = True
    meta: bool = False
    show_all: bool = False  # print intermediate (redirect) responses too
    colors: bool = False
    format: bool = False
    style: str = "auto"
    json_format: bool = True
    json_indent: int = 4
    json_sort_keys: bool = True
    headers_sort: bool = False
    response_charset: str | None = None
    response_mime: str | None = None
    output_file: str | None = None
    terminal: bool = False  # stdout is a terminal: binary bodies are not dumped there
    quiet: int = 0
    check_status: bool = False
    progress: bool = False  # stderr is a terminal: show transfer progress there
    download: bool = False
    resume: bool = False
    stream: bool = False  # print the body as it arrives, line by line
    timing: bool = False  # the phases as a waterfall after the response (--timing)
    write_out: WriteOut | None = None  # --write-out, parsed
    argv: tuple[str, ...] = ()

    @property
    def phases(self) -> bool:
        """Whether each request's phases are traced: something will show them."""
        return self.timing or self.meta or self.write_out is not None


def check_measured(timing: bool, unsent: str | None, *, download: bool) -> None:
    """--timing and --write-out tell of a request sent and its response shown; `unsent`
    names the flag that sends nothing (--offline, --curl), if given."""
    flag = "--timing" if timing else "--write-out"
    if download:
        raise UsageError(f"{flag} does not go with --download; save the body with --output FILE")
    if unsent is not None:
        raise UsageError(f"{flag} tells of a request sent, and {unsent} sends none")


def plan_output(options: Options, env: Environment) -> OutputPlan:
    out = options.output
    if out.resume and not (out.download and out.output_file):
        raise UsageError("--continue resumes a download: use it with --download --output FILE")
    if out.timing or out.write_out is not None:
        unsent = "--curl" if options.curl else "--offline" if options.offline else None
        check_measured(out.timing, unsent, download=out.download)
    saving = out.download and not options.offline
    output_file = output_path(out, offline=options.offline)
    # A download's body goes to its file; what is shown goes to stderr.
    terminal = env.stderr_isatty if saving else env.stdout_isatty and not output_file
    letters = print_letters(out, terminal=terminal, offline=options.offline)
    if saving:
        letters = letters.replace("b", "") if letters not in ("b", "hb") else "h"
    colors, formatted = pretty_modes(out.pretty, terminal=terminal, env=env.env)
    fmt = format_options(out)
    return OutputPlan(
        request_headers="H" in letters,
        request_body="B" in letters,
        response_headers="h" in letters,
        response_body="b" in letters,
        meta="m" in letters,
        show_all=out.show_all or out.verbose > 0,
        colors=colors,
        format=formatted,
        style=check_style(out.style),
        json_format=fmt["json.format"] == "true",
        json_indent=int(fmt["json.indent"]),
        json_sort_keys=fmt["json.sort_keys"] == "true",
        headers_sort=fmt["headers.sort"] == "true",
        response_charset=check_charset(out.response_charset),
        response_mime=out.response_mime,
        output_file=output_file,
        terminal=terminal,
        quiet=out.quiet,
        check_status=out.check_status,
        progress=env.stderr_isatty and not out.quiet,
        download=out.download,
        resume=out.resume,
        stream=out.stream,
        timing=out.timing,
        write_out=_write_out(out.write_out, env),
        argv=options.argv,
    )


def _write_out(spec: str | None, env: Environment) -> WriteOut | None:
    """--write-out's format, parsed; its module is imported only then (start-up)."""
    if spec is None:
        return None
    from aiocurl.request.write_out import plan_write_out

    return plan_write_out(spec, env.read_file)


def output_path(out: OutputOptions, *, offline: bool) -> str | None:
    """The file this run writes, checked now, before anything is sent. --offline with
    --download saves nothing (the request goes to stdout); --offline with --output writes
    the request there, but never over a partial download."""
    if out.output_file == "":
        raise UsageError("--output: the file name is empty")
    if offline and out.download:
        return None
    if out.output_file is None:
        if out.download:  # the name comes with the response; the directory is known now
            check_directory(".", "cannot save the download")
        return None
    check_writable(out.output_file)
    if offline and has_resume_state(out.output_file):
        raise UsageError(
            f"{out.output_file!r} is a partial download ({resume_state(out.output_file)!r} "
            "is beside it): --offline will not replace it; choose another --output"
        )
    return out.output_file


def print_letters(out: OutputOptions, *, terminal: bool, offline: bool) -> str:
    if out.quiet:
        return "b" if out.output_file and not out.download else ""
    if out.print_spec is not None:
        bad = sorted(set(out.print_spec) - set(PRINT_LETTERS))
        if bad or not out.print_spec:
            raise UsageError(
                f"--print: expected letters from {PRINT_LETTERS!r}, got {out.print_spec!r}"
            )
        return out.print_spec
    if out.verbose:
        return "HBhbm" if out.verbose > 1 else "HBhb"
    chosen = "h" * out.headers_only + "b" * out.body_only + "m" * out.meta
    if chosen:
        return chosen
    if offline:
        return "HB"
    return "hb" if terminal else "b"


def pretty_modes(
    pretty: str | None, *, terminal: bool, env: Mapping[str, str]
) -> tuple[bool, bool]:
    """(colours, formatting). --pretty wins; otherwise a terminal gets both, a pipe neither,
    and NO_COLOR / FORCE_COLOR switch the colours."""
    if pretty is not None:
        if pretty not in PRETTY_CHOICES:
            raise UsageError(
                f"--pretty: expected one of {', '.join(PRETTY_CHOICES)}, got {pretty!r}"
            )
        return pretty in ("all", "colors"), pretty in ("all", "format")
    colors = terminal
    if env.get("NO_COLOR"):
        colors = False
    elif env.get("FORCE_COLOR") not in (None, "", "0"):
        colors = True
    return colors, terminal


_FORMAT_DEFAULTS = {
    "json.format": "true",
    "json.indent": "4",
    "json.sort_keys": "true",
    "headers.sort": "false",
}


def format_options(out: OutputOptions) -> dict[str, str]:
    options = dict(_FORMAT_DEFAULTS)
    if out.sorted_output is not None:
        value = "true" if out.sorted_output else "false"
        options["json.sort_keys"] = options["headers.sort"] = value
    for group in out.format_options:
        for entry in filter(None, group.split(",")):
            key, sep, value = entry.partition(":")
            key, value = key.strip(), value.strip().lower()
            if key not in options or not sep:
                known = ", ".join(f"{k}:{v}" for k, v in _FORMAT_DEFAULTS.items())
                raise UsageError(f"--format-options: unknown option {entry!r} (known: {known})")
            if key == "json.indent" and not value.isdigit():
                raise UsageError(f"--format-options: json.indent expects a number, got {value!r}")
            if key != "json.indent" and value not in ("true", "false"):
                raise UsageError(f"--format-options: {key} expects true or false, got {value!r}")
            options[key] = value
    return options


def check_style(style: str) -> str:
    if style in RICH_THEMES:
        return style
    from pygments.styles import STYLE_MAP  # only when a named theme is asked for

    if style not in STYLE_MAP:
        names = ", ".join(sorted([*RICH_THEMES, *STYLE_MAP]))
        raise UsageError(f"--style: unknown style {style!r} (choose from {names})")
    return style


def check_charset(charset: str | None) -> str | None:
    if charset is None:
        return None
    import codecs

    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        raise UsageError(f"--response-charset: unknown encoding {charset!r}") from None
    return charset

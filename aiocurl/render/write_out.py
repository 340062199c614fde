"""--write-out: curl's variables filled in from what the run did, written after the body.

Values follow curl's definitions. Times are seconds from the request's start until the
phase ended (time_namelookup: the name resolved, time_connect: TCP connected,
time_appconnect: TLS done, time_pretransfer: about to send, time_starttransfer: the
first byte of the response, time_total: the end); a phase that did not happen or was not
reached counts 0 (curl's 0 for time_appconnect over plain http). When redirects were
followed, each request's times are added together, as curl adds them, and time_redirect
is the time of all but the last. Sizes are bytes: the last response's body as written
(decoded), every response head received (each header line counted as `Name: value`, as
aiohttp hands it over, without the spaces a server may pad a value with), the last
request's body sent. After a retry, the values are the last attempt's; num_retries counts
the retries.
"""

from __future__ import annotations

import json
from typing import BinaryIO, TextIO

from aiocurl.events import ResponseHead, Timing
from aiocurl.render.transfer import Hop, TransferLog
from aiocurl.request.write_out import TIMES, Header, Literal, WriteOut

Value = str | int | float | None


def write_out_values(
    log: TransferLog, hops: list[Hop], *, exit_status: int, error: str | None
) -> dict[str, Value]:
    """Every variable's value: `hops` are the log's, with the one a failure cut short."""
    last = hops[-1] if hops else None
    head = last.head if last is not None else None
    meta = last.meta if last is not None else None
    ip, port = _peer(meta.remote if meta is not None else None)
    values: dict[str, Value] = {
        "content_type": head.header("Content-Type") if head is not None else None,
        "errormsg": error,
        "exitcode": exit_status,
        "http_code": head.status if head is not None else 0,
        "http_version": _version(head),
        "method": last.method if last is not None else log.method,
        "num_redirects": max(0, len(hops) - 1),
        "num_retries": log.retries,
        "remote_ip": ip,
        "remote_port": port,
        "size_download": meta.body_size if meta else (log.received if head else 0),
        "size_header": sum(_head_size(hop.head) for hop in hops if hop.head is not None),
        "size_upload": log.uploaded,
        "url_effective": last.url if last is not None else log.url,
    }
    values["response_code"] = values["http_code"]
    values.update(_times(hops))
    total = values["time_total"]
    size = values["size_download"]
    assert isinstance(total, float) and isinstance(size, int)
    values["speed_download"] = int(size / total) if total > 0 else 0
    return values


def _times(hops: list[Hop]) -> dict[str, Value]:
    """Each request's times from its start, added together over the redirects followed."""
    sums = dict.fromkeys(TIMES, 0.0)
    for number, hop in enumerate(hops, 1):
        if hop.timing is None:
            continue
        for name, seconds in _milestones(hop.timing).items():
            sums[name] += seconds
        if number < len(hops):
            sums["time_redirect"] += hop.timing.end or 0.0
    return dict(sums)


def _milestones(timing: Timing) -> dict[str, float]:
    namelookup = timing.dns_end if timing.dns_end is not None else timing.connect_start
    sent = timing.request_sent is not None
    return {
        "time_namelookup": namelookup or 0.0,
        "time_connect": timing.connect_end or 0.0,
        "time_appconnect": timing.tls_end or 0.0,
        "time_pretransfer": timing.ready if sent else 0.0,
        "time_starttransfer": timing.first_byte or 0.0,
        "time_total": timing.end or 0.0,
    }


def _peer(remote: str | None) -> tuple[str | None, int]:
    """`[::1]:8080` or `127.0.0.1:8080` → the address and the port."""
    if not remote:
        return None, 0
    host, _, port = remote.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else 0


def _version(head: ResponseHead | None) -> str:
    """curl's spelling: 1, 1.1, 2, 3; 0 before any response."""
    if head is None:
        return "0"
    number = head.version.partition("/")[2] or "0"
    return "1" if number == "1.0" else number


def _head_size(head: ResponseHead) -> int:
    """The bytes of a response head as received: status line, header lines, blank line."""
    status = len(f"{head.version} {head.status} {head.reason}".encode("utf-8", "replace"))
    lines = sum(len(name) + len(value) + 4 for name, value in head.raw_headers)  # ": ", CRLF
    return status + 2 + lines + 2


def text_of(name: str, value: Value) -> str:
    """A value as curl prints it: http_code with three digits, seconds to the microsecond,
    nothing for a value that is not known."""
    if value is None:
        return ""
    if name in TIMES:
        return f"{value:.6f}"
    if name in ("http_code", "response_code"):
        return f"{value:03d}"
    return str(value)


def json_of(values: dict[str, Value]) -> str:
    """`%{json}`: every variable in one object, names in order, times as numbers with six
    decimals, null for what is not known, as curl writes it."""
    fields = []
    for name in sorted(values):
        value = values[name]
        if name in TIMES and value is not None:
            text = f"{value:.6f}"
        else:
            text = json.dumps(value, ensure_ascii=False)
        fields.append(f"{json.dumps(name)}:{text}")
    return "{" + ",".join(fields) + "}"


def header_value(head: ResponseHead | None, name: str) -> str:
    value = head.header(name) if head is not None else None
    return value.strip() if value is not None else ""


def write_out(
    pieces: WriteOut,
    values: dict[str, Value],
    head: ResponseHead | None,
    *,
    stdout: BinaryIO,
    stderr: TextIO,
) -> None:
    """The format, filled in, to stdout; what follows %{stderr} to stderr (until a
    %{stdout}); nothing after %{onerror} unless the run failed."""
    to_stderr = False
    for piece in pieces:
        if isinstance(piece, Literal):
            text = piece.text
        elif isinstance(piece, Header):
            text = header_value(head, piece.name)
        elif piece.name in ("stderr", "stdout"):
            to_stderr = piece.name == "stderr"
            continue
        elif piece.name == "onerror":
            if not values["exitcode"]:
                break
            continue
        elif piece.name == "json":
            text = json_of(values)
        else:
            text = text_of(piece.name, values[piece.name])
        if to_stderr:
            stderr.write(text)
        else:
            stdout.write(text.encode("utf-8", errors="replace"))
    stdout.flush()
    stderr.flush()

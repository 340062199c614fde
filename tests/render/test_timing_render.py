"""The phases as text (--timing, --meta) and --write-out's values and format, from given
Timing values: no server, no clock."""

from __future__ import annotations

import json

import pytest

from aiocurl.errors import UsageError
from aiocurl.events import ResponseHead, ResponseMeta, Retry, Timing
from aiocurl.render.timing import (
    BAR_WIDTH,
    bar_text,
    hop_phases,
    meta_phase_lines,
    plain_lines,
    waterfall,
)
from aiocurl.render.transfer import Hop, TransferLog
from aiocurl.render.write_out import json_of, text_of, write_out_values
from aiocurl.request.write_out import Header, Literal, Variable, parse_write_out

# A new TLS connection to a name: every phase happened.
FULL = Timing(
    dns_start=0.001,
    dns_end=0.011,
    connect_start=0.011,
    connect_end=0.021,
    tls_start=0.021,
    tls_end=0.041,
    request_sent=0.042,
    first_byte=0.142,
    end=0.242,
)
# A request on a reused connection.
REUSED = Timing(request_sent=0.001, first_byte=0.101, end=0.102)


def notes(timing: Timing, url: str, *, failed: bool = False) -> dict[str, str]:
    return {p.name: p.note for p in hop_phases(timing, url, failed=failed)}


def test_every_phase_of_a_new_tls_connection() -> None:
    phases = hop_phases(FULL, "https://example.org/")
    assert [(p.name, p.seconds) for p in phases] == [
        ("DNS lookup", pytest.approx(0.010)),
        ("TCP connect", pytest.approx(0.010)),
        ("TLS handshake", pytest.approx(0.020)),
        ("Request sent", pytest.approx(0.001)),
        ("Server processing", pytest.approx(0.100)),
        ("Content transfer", pytest.approx(0.100)),
    ]
    assert all(p.note == "" for p in phases)


def test_phases_that_did_not_happen_say_why() -> None:
    plain_ip = Timing(connect_start=0.0, connect_end=0.001, request_sent=0.002, end=0.003)
    assert notes(plain_ip, "http://127.0.0.1:8/")["DNS lookup"] == "skipped (IP address)"
    assert notes(plain_ip, "http://[::1]:8/")["DNS lookup"] == "skipped (IP address)"
    assert notes(plain_ip, "http://h/")["DNS lookup"] == "skipped (name already resolved)"
    assert notes(plain_ip, "http://h/")["TLS handshake"] == "skipped (plain http)"
    reused = notes(REUSED, "https://h/")
    assert reused["DNS lookup"] == reused["TCP connect"] == "skipped (reused connection)"
    assert reused["TLS handshake"] == "skipped (reused connection)"
    assert reused["Request sent"] == ""


def test_a_failure_marks_the_phase_it_cut_short() -> None:
    refused = Timing(connect_start=0.0, end=0.5)
    phases = {p.name: p for p in hop_phases(refused, "https://127.0.0.1/", failed=True)}
    assert phases["TCP connect"].note == "failed"
    assert phases["TCP connect"].seconds == pytest.approx(0.5)
    assert [phases[n].note for n in ("TLS handshake", "Request sent", "Content transfer")] == [
        "not reached"
    ] * 3
    broken_body = Timing(request_sent=0.001, first_byte=0.01, end=0.3)
    cut = {p.name: p for p in hop_phases(broken_body, "http://h/", failed=True)}
    assert cut["Content transfer"].note == "failed"
    assert cut["Content transfer"].seconds == pytest.approx(0.29)


def test_meta_lines_give_seconds_or_the_reason() -> None:
    assert meta_phase_lines(REUSED, "http://h/") == [
        "DNS lookup: skipped (reused connection)",
        "TCP connect: skipped (reused connection)",
        "TLS handshake: skipped (plain http)",
        "Request sent: 0.001000s",
        "Server processing: 0.100000s",
        "Content transfer: 0.001000s",
    ]


def hop(timing: Timing, status: int = 200, url: str = "https://h/") -> Hop:
    head = ResponseHead.of(url, "HTTP/1.1", status, "OK", (), status < 300)
    return Hop("GET", url, head, ResponseMeta(timing.end or 0, None, 0, timing), timing)


def test_one_request_is_a_row_per_phase_with_bars_left_to_right() -> None:
    rows = waterfall([hop(FULL)])
    assert [row.label for row in rows] == [
        "DNS lookup",
        "TCP connect",
        "TLS handshake",
        "Request sent",
        "Server processing",
        "Content transfer",
        "Total",
    ]
    assert [row.value for row in rows] == [
        "10.00 ms",
        "10.00 ms",
        "20.00 ms",
        "1.00 ms",
        "100.0 ms",
        "100.0 ms",
        "242.0 ms",
    ]
    starts = [row.bar[0] for row in rows if row.bar is not None]
    assert starts == sorted(starts)
    lines = plain_lines(rows)
    assert lines[-1] == "Total              242.0 ms"
    assert lines[3].endswith("|")  # a phase shorter than a column still shows where it was


def test_several_requests_are_a_row_each_and_a_total() -> None:
    rows = waterfall([hop(FULL, 302, "https://h/a"), hop(REUSED, 200, "https://h/b")])
    first, second, total = plain_lines(rows)
    assert first.startswith("1. 302 GET https://h/a  242.0 ms")
    assert "DNS 10.00  TCP 10.00  TLS 20.00  send 1.00  wait 100.00  receive 100.00" in first
    assert second.startswith("2. 200 GET https://h/b  102.0 ms")
    assert "DNS reused  TCP reused  TLS reused  send 1.00" in second
    assert total.startswith("Total (2 requests)") and total.endswith("344.0 ms")
    # The second request's bar starts where the first one's ended.
    assert rows[0].bar == (0.0, pytest.approx(242 / 344))
    assert rows[1].bar == (pytest.approx(242 / 344), pytest.approx(102 / 344))


def test_bars_fit_their_width() -> None:
    assert bar_text((0.0, 1.0)) == "#" * BAR_WIDTH
    assert bar_text((0.5, 0.5)) == " " * (BAR_WIDTH // 2) + "#" * (BAR_WIDTH // 2)
    assert bar_text((1.0, 0.0)) == " " * (BAR_WIDTH - 1) + "|"
    assert bar_text(None) == ""


def test_parse_write_out_into_pieces() -> None:
    assert parse_write_out(r"code=%{http_code}\n%header{ETag}%%\t%{json}") == (
        Literal("code="),
        Variable("http_code"),
        Literal("\n"),
        Header("ETag"),
        Literal("%\t"),
        Variable("json"),
    )
    with pytest.raises(UsageError, match=r"unknown variable %\{HTTP_CODE\}"):
        parse_write_out("%{HTTP_CODE}")  # names are case-sensitive, as in curl


def test_values_are_printed_as_curl_prints_them() -> None:
    assert text_of("http_code", 0) == "000"
    assert text_of("time_total", 1.5) == "1.500000"
    assert text_of("remote_ip", None) == ""
    assert json_of({"b": None, "time_total": 0.25, "a": "x\n"}) == (
        '{"a":"x\\n","b":null,"time_total":0.250000}'
    )


class Quiet:
    """A sink that drops every event."""

    def __getattr__(self, _name: str) -> object:
        return lambda *_args: None


def test_a_retried_status_shown_as_the_answer_counts_once() -> None:
    """When the retry window closes on a retryable status, the transport shows that same
    response again as final: one hop, not two."""
    log = TransferLog(Quiet(), "GET", "http://h/")  # type: ignore[arg-type]
    busy = ResponseHead.of("http://h/", "HTTP/1.1", 503, "Busy", (), final=False)
    meta = ResponseMeta(0.1, "127.0.0.1:80", 4, REUSED)
    log.response_head(busy)
    log.body_chunk(b"busy")
    log.response_end(meta)
    log.retrying(Retry(1, 3, 0.0, "503"))
    log.response_head(busy)
    log.body_chunk(b"busy")
    log.response_end(meta)
    from dataclasses import replace

    log.response_head(replace(busy, final=True))
    log.body_chunk(b"busy")
    log.response_end(meta)
    values = write_out_values(log, log.hops, exit_status=0, error=None)
    assert (values["num_redirects"], values["num_retries"], values["http_code"]) == (0, 1, 503)
    assert values["time_total"] == pytest.approx(REUSED.end)
    assert json.loads(json_of(values))["remote_port"] == 80

"""Renderers on in-memory streams, colour on and off, fed the events the transport sends."""

from __future__ import annotations

import io
import re
import tracemalloc

from aiocurl.events import RequestRecord, ResponseHead, ResponseMeta
from aiocurl.render.output import Renderer
from aiocurl.request.body import RequestBody
from aiocurl.request.plan_output import OutputPlan

ANSI = re.compile(r"\x1b\[[0-9;]*m")
JSON_HEAD = ResponseHead.of(
    url="http://h/x",
    version="HTTP/1.1",
    status=200,
    reason="OK",
    headers=(("Content-Type", "application/json"), ("X-Trace", "1"), ("content-length", "16")),
    final=True,
)
REQUEST = RequestRecord(
    "POST",
    "http://h/x?a=1",
    (("Host", "h"), ("Content-Type", "application/json"), ("Content-Length", "10")),
    RequestBody.of(b'{"a": "b"}'),
)
META = ResponseMeta(0.25, "127.0.0.1:80", 16)


def render(
    plan: OutputPlan,
    *,
    head: ResponseHead = JSON_HEAD,
    body: bytes = b'{"b": 1, "a": [2]}',
    request: RequestRecord | None = None,
    chunks: int = 3,
) -> str:
    out = io.BytesIO()
    renderer = Renderer(plan, out, width=80)
    if request:
        renderer.request(request)
    renderer.response_head(head)
    size = max(1, len(body) // chunks)
    for start in range(0, len(body), size):
        renderer.body_chunk(body[start : start + size])
    renderer.response_end(META)
    renderer.finish()
    return out.getvalue().decode("utf-8")


TERMINAL = OutputPlan(response_headers=True, colors=True, format=True, terminal=True)
PIPE = OutputPlan()


def test_pipe_gets_the_body_byte_for_byte() -> None:
    body = b'{"b": 1,\n "a": [2]}'
    assert render(PIPE, body=body) == body.decode()


def test_terminal_formats_and_colours_json() -> None:
    text = render(TERMINAL)
    assert ANSI.search(text), "expected colour codes"
    plain = ANSI.sub("", text)
    assert plain == (
        "HTTP/1.1 200 OK\n"
        "Content-Type: application/json\n"
        "X-Trace: 1\n"
        "content-length: 16\n"
        "\n"
        '{\n    "a": [\n        2\n    ],\n    "b": 1\n}\n'
    )


def test_format_without_colour() -> None:
    plan = OutputPlan(
        response_headers=True, format=True, terminal=True, json_indent=2, json_sort_keys=False
    )
    text = render(plan)
    assert "\x1b[" not in text
    assert text.endswith('\n\n{\n  "b": 1,\n  "a": [\n    2\n  ]\n}\n')


def test_headers_keep_case_and_order_unless_sorted() -> None:
    plan = OutputPlan(response_headers=True, response_body=False, format=True)
    assert render(plan).splitlines()[1:4] == [
        "Content-Type: application/json",
        "X-Trace: 1",
        "content-length: 16",
    ]
    sorted_plan = OutputPlan(
        response_headers=True, response_body=False, format=True, headers_sort=True
    )
    assert render(sorted_plan).splitlines()[1:4] == [
        "content-length: 16",
        "Content-Type: application/json",
        "X-Trace: 1",
    ]


def test_unformatted_heads_are_wire_format() -> None:
    plan = OutputPlan(request_headers=True, request_body=True, response_headers=True)
    text = render(plan, request=REQUEST)
    assert text.startswith(
        "POST /x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
        'Content-Length: 10\r\n\r\n{"a": "b"}\n\nHTTP/1.1 200 OK\r\n'
    )
    assert text.endswith('\r\n\r\n{"b": 1, "a": [2]}')


def test_binary_body_is_a_notice_on_a_terminal_and_bytes_in_a_pipe() -> None:
    head = ResponseHead.of(
        "http://h/b", "HTTP/1.1", 200, "OK", (("Content-Type", "application/octet-stream"),), True
    )
    body = bytes(range(256))
    assert ANSI.sub("", render(TERMINAL, head=head, body=body)).endswith(
        "[binary data, 256 bytes, not shown on a terminal: use -o FILE or a pipe]\n"
    )
    out = io.BytesIO()
    renderer = Renderer(PIPE, out)
    renderer.response_head(head)
    renderer.body_chunk(body)
    renderer.response_end(META)
    assert out.getvalue() == body


def test_charset_and_mime_overrides() -> None:
    head = ResponseHead.of(
        "http://h/t",
        "HTTP/1.1",
        200,
        "OK",
        (("Content-Type", "text/plain; charset=latin-1"),),
        True,
    )
    plan = OutputPlan(format=True, terminal=True)
    assert render(plan, head=head, body="café".encode("latin-1")) == "café\n"
    override = OutputPlan(format=True, terminal=True, response_charset="utf-8")
    assert render(override, head=head, body="café".encode()) == "café\n"
    as_json = OutputPlan(format=True, terminal=True, response_mime="application/json")
    assert render(as_json, head=head, body=b'{"x":1}') == '{\n    "x": 1\n}\n'


def test_html_is_highlighted_not_reformatted() -> None:
    head = ResponseHead.of(
        "http://h/", "HTTP/1.1", 200, "OK", (("Content-Type", "text/html; charset=utf-8"),), True
    )
    html = "<html><body>hé</body></html>"
    text = render(TERMINAL, head=head, body=html.encode())
    assert ANSI.search(text)
    assert ANSI.sub("", text).endswith("\n\n" + html + "\n")


def test_meta_section() -> None:
    plan = OutputPlan(response_body=False, meta=True, format=True)
    assert render(plan) == "Elapsed time: 0.250000s\nRemote address: 127.0.0.1:80\n"


def test_intermediate_responses_only_with_all() -> None:
    hop = ResponseHead.of("http://h/r", "HTTP/1.1", 302, "Found", (("Location", "/x"),), False)
    for show_all, expected in ((False, 1), (True, 2)):
        out = io.BytesIO()
        plan = OutputPlan(
            request_headers=True,
            response_headers=True,
            response_body=False,
            format=True,
            show_all=show_all,
        )
        renderer = Renderer(plan, out)
        for head in (hop, JSON_HEAD):
            renderer.request(RequestRecord("GET", head.url, (("Host", "h"),), None))
            renderer.response_head(head)
            renderer.response_end(META)
        renderer.finish()
        text = out.getvalue().decode()
        assert text.count("GET /") == expected
        assert text.count("HTTP/1.1 302") == expected - 1


def test_offline_request_is_printed_by_finish() -> None:
    out = io.BytesIO()
    renderer = Renderer(
        OutputPlan(request_headers=True, request_body=True, response_body=False), out
    )
    renderer.request(REQUEST)
    renderer.finish()
    assert out.getvalue().endswith(b'\r\n\r\n{"a": "b"}')


BINARY_HEAD = ResponseHead.of(
    "http://h/b", "HTTP/1.1", 200, "OK", (("Content-Type", "application/octet-stream"),), True
)
TEXT_HEAD = ResponseHead.of(
    "http://h/t", "HTTP/1.1", 200, "OK", (("Content-Type", "text/plain"),), True
)
BINARY_CHUNK = bytes(range(256)) * 256  # 64 KiB with a NUL in it


class Tally(io.RawIOBase):
    """An output that counts what is written instead of keeping it."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0
        self.first = b""

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.first = self.first or bytes(data)
        self.size += len(data)
        return len(data)


def feed(renderer: Renderer, chunk: bytes, times: int) -> int:
    """The same chunk `times` times; returns the peak memory the renderer allocated."""
    tracemalloc.start()
    try:
        for _ in range(times):
            renderer.body_chunk(chunk)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_binary_body_on_a_terminal_is_counted_not_held() -> None:
    out = io.BytesIO()
    renderer = Renderer(TERMINAL, out, width=80)
    renderer.response_head(BINARY_HEAD)
    peak = feed(renderer, BINARY_CHUNK, 512)  # 32 MiB
    assert peak < 1024 * 1024
    renderer.response_end(META)
    notice = "[binary data, 33554432 bytes, not shown on a terminal: use -o FILE or a pipe]\n"
    assert ANSI.sub("", out.getvalue().decode()).endswith("\n\n" + notice)


def test_binary_body_split_before_its_first_nul_is_still_a_notice() -> None:
    body = b"a" * 5000 + b"\0" + b"b" * 5000
    text = ANSI.sub("", render(TERMINAL, head=BINARY_HEAD, body=body, chunks=10))
    assert text.endswith(
        "\n\n[binary data, 10001 bytes, not shown on a terminal: use -o FILE or a pipe]\n"
    )
    assert "aaa" not in text


def test_binary_body_with_pretty_into_a_pipe_goes_through_as_it_arrives() -> None:
    out = Tally()
    renderer = Renderer(OutputPlan(colors=True, format=True), out, width=80)  # --pretty=all
    renderer.response_head(BINARY_HEAD)
    renderer.body_chunk(BINARY_CHUNK)
    assert (out.first, out.size) == (BINARY_CHUNK, len(BINARY_CHUNK))  # before the body ends
    peak = feed(renderer, BINARY_CHUNK, 512)
    assert peak < 1024 * 1024
    renderer.response_end(META)
    assert out.size == 513 * len(BINARY_CHUNK)  # nothing added


def test_unformatted_text_on_a_terminal_goes_through_as_it_arrives() -> None:
    out = io.BytesIO()
    plan = OutputPlan(terminal=True)  # --pretty=none
    renderer = Renderer(plan, out, width=80)
    renderer.response_head(TEXT_HEAD)
    line = b"x" * 99 + b"\n"
    renderer.body_chunk(line * 100)
    assert out.getvalue() == line * 100
    renderer.body_chunk(b"no newline")
    renderer.response_end(META)
    assert out.getvalue() == line * 100 + b"no newline\n"  # the prompt starts on its own line


def test_binary_stream_on_a_terminal_is_a_notice_not_lines() -> None:
    plan = OutputPlan(colors=True, format=True, terminal=True, stream=True)
    out = io.BytesIO()
    renderer = Renderer(plan, out, width=80)
    renderer.response_head(BINARY_HEAD)
    peak = feed(renderer, BINARY_CHUNK, 512)
    assert peak < 1024 * 1024
    renderer.response_end(META)
    assert ANSI.sub("", out.getvalue().decode()) == (
        "[binary data, 33554432 bytes, not shown on a terminal: use -o FILE or a pipe]\n"
    )

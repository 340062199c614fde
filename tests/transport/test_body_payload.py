"""What the transport hands aiohttp: small bodies as bytes, files as a stream read on demand."""

from __future__ import annotations

from pathlib import Path

from aiocurl.events import RequestRecord, ResponseHead, ResponseMeta, Retry
from aiocurl.request.body import FileSegment, RequestBody
from aiocurl.transport.redirects import Hop
from aiocurl.transport.send import body_payload


class Progress:
    def __init__(self) -> None:
        self.reports: list[tuple[int, int | None]] = []

    def request(self, record: RequestRecord) -> None: ...

    def upload_progress(self, sent: int, total: int | None) -> None:
        self.reports.append((sent, total))

    def response_head(self, head: ResponseHead) -> None: ...

    def body_chunk(self, chunk: bytes) -> None: ...

    def response_end(self, meta: ResponseMeta) -> None: ...

    def notice(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def retrying(self, retry: Retry) -> None: ...


def hop(body: RequestBody, chunked: bool = False) -> Hop:
    return Hop("POST", "http://h/", (), frozenset(), body, None, chunked)


async def test_a_file_is_streamed_in_blocks_with_its_length_declared(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (3 * 1024 * 1024 + 5))
    sink = Progress()
    data, header = body_payload(
        hop(RequestBody((FileSegment(str(path), path.stat().st_size),))), sink
    )
    assert header == (("Content-Length", str(3 * 1024 * 1024 + 5)),)
    assert not isinstance(data, bytes)
    sizes = [len(block) async for block in data]  # type: ignore[union-attr]
    assert max(sizes) <= 1024 * 1024 and sum(sizes) == 3 * 1024 * 1024 + 5
    assert sink.reports[-1] == (3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 5)


def test_small_bodies_go_as_bytes_and_chunked_has_no_length() -> None:
    assert body_payload(hop(RequestBody.of(b"abc")), Progress()) == (b"abc", ())
    data, header = body_payload(hop(RequestBody.of(b"abc"), chunked=True), Progress())
    assert header == () and not isinstance(data, bytes)

"""Content-Encoding decoded by aiocurl, so that a body whose coding stops short is an error.

aiohttp's own decoding (auto_decompress) checks that a stream ended only for deflate: a
gzip, br or zstd body cut short (a server that dies mid-body, a lying Content-Length) would
end as a success. Here every coding must reach its own end, and output is handed on in
bounded pieces, so a decompression bomb meets --max-filesize before it meets memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Protocol

PIECE = 1024 * 1024  # the most a single step may decode (brotli may go past it a little)
GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(Exception):
    """The body is not what its coding says (`truncated`: it stopped before the coding's
    end), or this installation has no decoder for it (`missing` names the package)."""

    def __init__(self, coding: str, *, truncated: bool = False, missing: str | None = None):
        super().__init__(coding)
        self.coding, self.truncated, self.missing = coding, truncated, missing


class Decoder(Protocol):
    coding: str

    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> None: ...


def decoder_for(content_encoding: str | None) -> Decoder | None:
    """The decoder for a response's Content-Encoding; None for none, `identity`, or codings
    no one can decode (those bytes are passed on as sent, as aiohttp would)."""
    coding = (content_encoding or "").strip().lower()
    if coding in ("gzip", "x-gzip"):
        return ZlibDecoder("gzip", 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return ZlibDecoder("deflate", zlib.MAX_WBITS)
    if coding == "br":
        return BrotliDecoder()
    if coding == "zstd":
        return ZstdDecoder()
    return None


def decode_whole(body: bytes, content_encoding: str | None) -> bytes:
    """A whole body decoded; as it came when it cannot be (a refused WebSocket handshake
    is shown either way, and its refusal is the error that matters)."""
    try:
        decoder = decoder_for(content_encoding)
        if decoder is None:
            return body
        decoded = b"".join(decoder.decode(body))
        decoder.finish()
    except DecodeError:
        return body
    return decoded


class ZlibDecoder:
    """gzip (members one after another, as gzip allows) and deflate (zlib-wrapped, or raw
    as some servers send it)."""

    def __init__(self, coding: str, wbits: int) -> None:
        self.coding = coding
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._fed = False  # a response without a body (HEAD, 204) has nothing to finish
        self._held = b""  # the start of what may be another gzip member

    def decode(self, data: bytes) -> Iterator[bytes]:
        if data and not self._fed and self.coding == "deflate" and data[0] & 0x0F != 8:
            # No zlib header (its first byte names method 8): raw deflate, as some send it.
            self._wbits = -zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(self._wbits)
        self._fed = self._fed or bool(data)
        data, self._held = self._held + data, b""
        more = False  # a full piece: more output may wait inside zlib
        while data or more:
            if self._zlib.eof:
                # Another gzip member may follow; anything else after the end (padding)
                # is ignored, as browsers and HTTPie do.
                if self.coding == "gzip" and len(data) < len(GZIP_MAGIC):
                    self._held = data if GZIP_MAGIC.startswith(data) else b""
                    return  # the next chunk tells
                if self.coding != "gzip" or not data.startswith(GZIP_MAGIC):
                    return
                self._zlib = zlib.decompressobj(self._wbits)
            try:
                piece = self._zlib.decompress(data, PIECE)
            except zlib.error:
                raise DecodeError(self.coding) from None
            more = len(piece) == PIECE
            if piece:
                yield piece
            data = self._zlib.unconsumed_tail or (self._zlib.unused_data if self._zlib.eof else b"")

    def finish(self) -> None:
        if self._fed and not self._zlib.eof:
            raise DecodeError(self.coding, truncated=True)


class BrotliDecoder:
    coding = "br"

    def __init__(self) -> None:
        try:
            import brotli  # type: ignore[import-untyped]
        except ImportError:
            raise DecodeError("br", missing="Brotli") from None
        self._brotli: Any = brotli.Decompressor()
        self._error: type[Exception] = brotli.error
        self._fed = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        self._fed = self._fed or bool(data)
        try:
            piece = self._brotli.process(data, output_buffer_limit=PIECE)
            while piece:  # drained with empty input until nothing more comes
                yield piece
                piece = self._brotli.process(b"", output_buffer_limit=PIECE)
        except self._error:
            raise DecodeError("br") from None

    def finish(self) -> None:
        if self._fed and not self._brotli.is_finished():
            raise DecodeError("br", truncated=True)


class ZstdDecoder:
    """zstd frames one after another, as the format allows."""

    coding = "zstd"

    def __init__(self) -> None:
        try:
            from compression.zstd import ZstdDecompressor, ZstdError  # type: ignore[import-not-found]
        except ImportError:
            try:
                from backports.zstd import ZstdDecompressor, ZstdError
            except ImportError:
                raise DecodeError("zstd", missing="backports.zstd") from None
        self._new: Any = ZstdDecompressor
        self._error: type[Exception] = ZstdError
        self._zstd: Any = ZstdDecompressor()
        self._fed = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        self._fed = self._fed or bool(data)
        try:
            while True:
                if self._zstd.eof:  # the next frame
                    data = self._zstd.unused_data + data
                    if not data:
                        return
                    self._zstd = self._new()
                piece = self._zstd.decompress(data, PIECE)
                data = b""
                if piece:
                    yield piece
                if self._zstd.needs_input and not self._zstd.eof:
                    return
        except self._error:
            raise DecodeError("zstd") from None

    def finish(self) -> None:
        if self._fed and not self._zstd.eof:
            raise DecodeError("zstd", truncated=True)

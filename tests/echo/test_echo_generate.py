"""The block-at-a-time generator matches random.Random(seed).randbytes(size) at any offset."""

from __future__ import annotations

import random
from collections.abc import AsyncIterable, AsyncIterator

import pytest

from aiocurl.echo.generate import BLOCK, random_range, rechunk


async def collect(pieces: AsyncIterable[bytes]) -> list[bytes]:
    return [piece async for piece in pieces]


async def from_list(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


# Sizes that are not multiples of 4 matter: randbytes keeps a partial last word's high bytes.
@pytest.mark.parametrize("size", [0, 1, 3, 5, BLOCK - 1, BLOCK, BLOCK + 3, 3 * BLOCK + 7])
async def test_whole_range_is_randbytes(size: int) -> None:
    pieces = await collect(random_range(11, size, 0, size))
    assert b"".join(pieces) == random.Random(11).randbytes(size)
    assert all(0 < len(piece) <= BLOCK for piece in pieces)


@pytest.mark.parametrize(
    ("start", "stop"),
    [
        (0, 1),
        (1, 2),
        (BLOCK - 2, BLOCK + 2),  # across a block boundary
        (BLOCK, 2 * BLOCK),
        (BLOCK + 5, 3 * BLOCK + 7),  # ends on the partial last block
        (3 * BLOCK + 6, 3 * BLOCK + 7),
        (7, 7),
    ],
)
async def test_any_slice_matches(start: int, stop: int) -> None:
    size = 3 * BLOCK + 7
    pieces = await collect(random_range(5, size, start, stop))
    assert b"".join(pieces) == random.Random(5).randbytes(size)[start:stop]


async def test_rechunk_gives_exact_sizes_and_same_bytes() -> None:
    data = random.Random(1).randbytes(1000)
    pieces = await collect(rechunk(from_list([data[:10], data[10:700], data[700:]]), 300))
    assert [len(piece) for piece in pieces] == [300, 300, 300, 100]
    assert b"".join(pieces) == data
    assert await collect(rechunk(from_list([]), 5)) == []

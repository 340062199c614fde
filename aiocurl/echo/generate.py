"""Deterministic body bytes: random.Random(seed).randbytes(size), produced a block at a time.

randbytes(n) is getrandbits(8 * n) in little-endian order, built from 32-bit words. Blocks whose
size is a multiple of 4 therefore concatenate to exactly randbytes(size), provided the last
block is asked for at its true length: a trailing partial word keeps the word's *high* bytes,
so slicing a longer block would give different bytes there.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterable, AsyncIterator

BLOCK = 64 * 1024  # a multiple of 4, so no 32-bit word straddles two blocks


async def random_range(seed: int, size: int, start: int, stop: int) -> AsyncIterator[bytes]:
    """Bytes [start, stop) of random.Random(seed).randbytes(size), in pieces of up to BLOCK."""
    if start >= stop:
        return
    rng = random.Random(seed)
    first_block = start // BLOCK
    for _ in range(first_block):
        # Nothing moves the generator on more cheaply. Skipping up to 1 GiB takes about a
        # second, so give other requests a turn between blocks.
        rng.getrandbits(BLOCK * 8)
        await asyncio.sleep(0)
    offset = first_block * BLOCK
    while offset < stop:
        block = rng.randbytes(min(BLOCK, size - offset))
        yield block[max(start - offset, 0) : stop - offset]
        offset += len(block)


async def rechunk(pieces: AsyncIterable[bytes], size: int) -> AsyncIterator[bytes]:
    """The same bytes regrouped into pieces of exactly `size` (the last one may be shorter)."""
    pending = bytearray()
    async for piece in pieces:
        pending += piece
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)

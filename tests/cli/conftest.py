"""The echo server that records each request exactly as it arrived, for the tests that
compare what aiocurl sends with what curl sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from recording_echo import RecordingEcho, recording_echo


@pytest.fixture(scope="module")
def echo() -> Iterator[RecordingEcho]:
    with recording_echo() as server:
        yield server

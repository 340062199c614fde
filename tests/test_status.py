"""The exit-code table."""

from __future__ import annotations

import pytest

from aiocurl.status import ExitStatus, status_for_response


@pytest.mark.parametrize(
    ("code", "expected"),
    [(200, 0), (204, 0), (301, 3), (304, 3), (404, 4), (418, 4), (500, 5), (503, 5), (101, 0)],
)
def test_check_status(code: int, expected: int) -> None:
    assert status_for_response(code, check_status=True) == expected


def test_without_check_status_every_response_is_success() -> None:
    assert all(status_for_response(c, check_status=False) is ExitStatus.OK for c in (302, 404, 500))


def test_documented_values() -> None:
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 4, 5, 6, 129, 130, 143]

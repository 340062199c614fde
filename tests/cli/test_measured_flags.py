"""--timing and --write-out tell of one HTTP exchange: where there is none to tell of, they
are refused in one line before anything is sent, not silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli


@pytest.mark.parametrize("flag", [["--timing"], ["-w", "%{http_code}"]])
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--offline", "http://127.0.0.1:9/x"], "--offline sends none"),
        (["--curl", "http://127.0.0.1:9/x"], "--curl sends none"),
        (["ws://127.0.0.1:9/ws"], "not of a WebSocket session"),
        (["--repeat", "3", "http://127.0.0.1:9/x"], "cannot be used with --repeat or --duration"),
        (["--batch", "{batch}"], "cannot be used with --batch"),
    ],
)
def test_refused_where_nothing_is_measured(
    flag: list[str], argv: list[str], message: str, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.txt"
    batch.write_text("http://127.0.0.1:9/x\n")
    result = run_cli(*flag, *(arg.replace("{batch}", str(batch)) for arg in argv))
    assert result.exit_status == 1 and result.stdout == b""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("aiocurl: error: ")
    named = {"--timing": "--timing", "-w": "--write-out"}[flag[0]]
    assert message in result.stderr and named in result.stderr

"""Reads lines with a ShellPrompt until Ctrl-D and prints each as `read 'LINE'`, for the
tests in test_shell_prompt.py, which run it in a pseudo-terminal. The prompt names the
step (`http://127.0.0.1:8080/step3> `), so a test can wait for a given prompt; a line
ending in `!` stands for a request that failed: the next prompt shows the status 4.

    python shell_prompt_reader.py HISTORY_FILE
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this worktree's aiocurl

from aiocurl.render.shell_prompt import ShellPrompt, Vocabulary

VOCABULARY = Vocabulary(
    commands=("cd", "header", "set", "unset", "show", "exit"),
    methods=("GET", "POST", "DELETE"),
    flags=("--follow", "--timeout", "-v", "--verbose"),
    header_names=lambda: ("Accept", "Authorization", "X-Trace-Id"),
    paths=lambda: ("/users", "/users/1"),
)


async def read_lines(history: Path) -> None:
    prompt = ShellPrompt(VOCABULARY, history, colors=False)
    status: int | None = None
    step = 1
    while (line := await prompt.read(f"http://127.0.0.1:8080/step{step}", status)) is not None:
        print(f"read {line!r}", flush=True)
        status = 4 if line.endswith("!") else 0
        step += 1
    print("end", flush=True)


if __name__ == "__main__":
    asyncio.run(read_lines(Path(sys.argv[1])))

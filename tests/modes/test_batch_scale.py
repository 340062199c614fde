"""A batch's cost grows with its concurrency, not with its length: a fixed set of workers
takes the lines in turn, and what every line would look up again (.netrc) is read once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from helpers import serving

from aiocurl.cli.main import main, parse_args, plan_for
from aiocurl.environment import Environment
from aiocurl.modes.batch import run_batch
from aiocurl.request.batch import BatchPlan


async def test_a_long_batch_runs_on_as_many_tasks_as_its_concurrency(tmp_path: Path) -> None:
    """Run in the test's own loop, so the tasks alive while requests are held can be
    counted: a task per line would be hundreds."""
    all_in = asyncio.Event()  # the first five requests wait for each other
    tasks_alive: list[int] = []
    in_flight = 0

    async def handle(request: web.Request) -> web.Response:
        nonlocal in_flight
        in_flight += 1
        if in_flight == 5 and not all_in.is_set():
            tasks_alive.append(len(asyncio.all_tasks()))
            all_in.set()
        await all_in.wait()
        in_flight -= 1
        return web.Response(text="ok")

    async with serving(handle) as server:
        url = f"http://127.0.0.1:{server.port}/"
        path = tmp_path / "batch.txt"
        path.write_text(f"{url}\n" * 400)
        env = Environment(stdout=io.BytesIO(), stderr=io.StringIO())
        batch = plan_for(parse_args(["--batch", str(path), "--concurrency", "5"]), env)
        assert isinstance(batch, BatchPlan)
        status = await asyncio.wait_for(run_batch(batch, env), 60)

    assert status == 0
    assert env.stdout.getvalue().count(b'"status": 200') == 400  # type: ignore[attr-defined]
    # The batch's 5 workers, the server's 5 handlers, this test, the server's own: far
    # fewer than one per line.
    assert tasks_alive and tasks_alive[0] < 40


async def test_netrc_is_read_once_per_host_however_many_lines(
    echo_url: str, tmp_path: Path
) -> None:
    asked: list[str] = []

    def netrc_login(host: str, variables: Mapping[str, str]) -> tuple[str, str] | None:
        asked.append(host)
        return ("ada", "secret") if host == "127.0.0.1" else None

    other = echo_url.replace("127.0.0.1", "localhost")
    path = tmp_path / "batch.txt"
    path.write_text(f"{echo_url}/headers\n" * 30 + f"{other}/headers\n" * 10)
    out = io.BytesIO()
    env = replace(Environment(stdout=out, stderr=io.StringIO()), netrc_login=netrc_login)
    status = await asyncio.to_thread(
        main, ["--batch", str(path), "--batch-body", "--concurrency", "4"], env
    )

    assert status == 0
    assert sorted(asked) == ["127.0.0.1", "localhost"]
    records = out.getvalue().decode().splitlines()
    with_login = [record for record in records if "Basic YWRhOnNlY3JldA==" in record]
    assert len(records) == 40 and len(with_login) == 30  # ada:secret, on its host only

"""/sse and /ndjson: the records, their fields, and that each one is sent as soon as it is due."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

# Comfortably below the interval used, so the first record cannot be the second one's flush.
FIRST_RECORD_WAIT = 1.5


def parse_events(text: str) -> list[dict[str, Any]]:
    """Events as field -> value; repeated data lines joined with newlines, as EventSource does."""
    assert text.endswith("\n\n")
    events = []
    for block in text[:-2].split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            fields[name] = (
                f"{fields[name]}\n{value}" if name == "data" and name in fields else value
            )
        events.append(fields)
    return events


async def test_sse_default_fields(echo: TestClient) -> None:
    before = time.time()
    resp = await echo.get("/sse?interval=0")
    assert resp.status == 200
    assert resp.content_type == "text/event-stream"
    assert resp.headers["Cache-Control"] == "no-cache"
    events = parse_events(await resp.text())
    assert [set(event) for event in events] == [{"id", "data"}] * 3
    for index, event in enumerate(events):
        assert event["id"] == str(index)
        data = json.loads(event["data"])
        assert data["id"] == index
        assert data["message"] == f"event {index}"
        assert before <= data["time"] <= time.time()


async def test_sse_event_name_and_retry(echo: TestClient) -> None:
    events = parse_events(
        await (await echo.get("/sse?count=2&interval=0&event=tick&retry=1500")).text()
    )
    assert [event["event"] for event in events] == ["tick", "tick"]
    assert events[0]["retry"] == "1500"
    assert "retry" not in events[1]


async def test_sse_multiline_data(echo: TestClient) -> None:
    events = parse_events(await (await echo.get("/sse?count=3&interval=0&multiline=1")).text())
    assert json.loads(events[0]["data"])["id"] == 0
    for index in (1, 2):
        first, *rest = events[index]["data"].split("\n")
        assert json.loads(first)["id"] == index
        assert rest == ["line one", "line two"]


async def test_sse_count_is_capped(echo: TestClient) -> None:
    events = parse_events(await (await echo.get("/sse?count=5000&interval=0")).text())
    assert len(events) == 1000


async def test_sse_first_event_arrives_before_the_second_is_due(echo: TestClient) -> None:
    resp = await echo.get("/sse?count=2&interval=2")
    first = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), FIRST_RECORD_WAIT)
    assert parse_events(first.decode())[0]["id"] == "0"
    resp.close()


@pytest.mark.parametrize(
    "query",
    ["count=x", "count=-1", "interval=-1", "interval=inf", "retry=x", "event=a%0Adata:%20x"],
)
async def test_sse_bad_input(echo: TestClient, query: str) -> None:
    assert (await echo.get(f"/sse?{query}")).status == 400


async def test_ndjson_records(echo: TestClient) -> None:
    resp = await echo.get("/ndjson?count=4&interval=0")
    assert resp.status == 200
    assert resp.content_type == "application/x-ndjson"
    text = await resp.text()
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert records == [{"id": index, "message": f"record {index}"} for index in range(4)]


async def test_ndjson_defaults_and_empty(echo: TestClient) -> None:
    assert await (await echo.get("/ndjson?count=0")).read() == b""
    assert len((await (await echo.get("/ndjson?interval=0")).text()).splitlines()) == 3


async def test_ndjson_first_record_arrives_before_the_second_is_due(echo: TestClient) -> None:
    resp = await echo.get("/ndjson?count=2&interval=2")
    first = await asyncio.wait_for(resp.content.readline(), FIRST_RECORD_WAIT)
    assert json.loads(first) == {"id": 0, "message": "record 0"}
    resp.close()


@pytest.mark.parametrize("query", ["count=x", "interval=x"])
async def test_ndjson_bad_input(echo: TestClient, query: str) -> None:
    assert (await echo.get(f"/ndjson?{query}")).status == 400

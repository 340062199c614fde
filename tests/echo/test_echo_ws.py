"""/ws: echo, subprotocols, pushes, closing, dropping, unanswered pings and refused handshakes."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import ClientWebSocketResponse, ServerTimeoutError, WSMessage, WSMsgType
from aiohttp.client_exceptions import WSServerHandshakeError
from aiohttp.test_utils import TestClient

# Generous: every wait here ends in milliseconds when the feature works.
WAIT = 10.0


async def receive(ws: ClientWebSocketResponse) -> WSMessage:
    return await asyncio.wait_for(ws.receive(), WAIT)


async def test_echoes_text_as_text_and_binary_as_binary(echo: TestClient) -> None:
    async with echo.ws_connect("/ws") as ws:
        await ws.send_str("héllo 👋")
        msg = await receive(ws)
        assert (msg.type, msg.data) == (WSMsgType.TEXT, "héllo 👋")
        await ws.send_bytes(b"\x00\xff\x80")
        msg = await receive(ws)
        assert (msg.type, msg.data) == (WSMsgType.BINARY, b"\x00\xff\x80")
    assert ws.close_code == 1000


async def test_negotiates_an_offered_subprotocol(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?protocols=a,b", protocols=["b"]) as ws:
        assert ws.protocol == "b"
    async with echo.ws_connect("/ws?protocols=a,b", protocols=["c", "a"]) as ws:
        assert ws.protocol == "a"
    async with echo.ws_connect("/ws?protocols=a,b", protocols=["c"]) as ws:
        assert ws.protocol is None
    async with echo.ws_connect("/ws", protocols=["b"]) as ws:
        assert ws.protocol is None


async def test_pushes_arrive_and_the_connection_stays_open(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?count=3&interval=0") as ws:
        pushes = [await receive(ws) for _ in range(3)]
        assert [msg.type for msg in pushes] == [WSMsgType.TEXT] * 3
        assert [json.loads(msg.data) for msg in pushes] == [{"push": i} for i in range(3)]
        await ws.send_str("still here")
        assert (await receive(ws)).data == "still here"


async def test_echo_goes_on_between_pushes(echo: TestClient) -> None:
    # The second push is 10 s away, so the echo can only come from the running conversation.
    async with echo.ws_connect("/ws?count=2&interval=10") as ws:
        assert json.loads((await receive(ws)).data) == {"push": 0}
        await ws.send_str("ping?")
        assert (await receive(ws)).data == "ping?"


async def test_closes_with_code_and_reason_after_n_messages(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?close=1008&reason=token%20expired&after=2") as ws:
        for text in ("a", "b"):
            await ws.send_str(text)
            assert (await receive(ws)).data == text
        msg = await receive(ws)
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1008, "token expired")
        assert ws.close_code == 1008


async def test_close_handshake_completes_when_the_client_sends_ahead(echo: TestClient) -> None:
    # A server that cut the TCP connection right after its close frame would leave this
    # client unable to answer it, and the client would report 1006 instead of 1008.
    async with echo.ws_connect("/ws?close=1008&after=2") as ws:
        await ws.send_str("a")
        await ws.send_str("b")
        messages = [await receive(ws) for _ in range(3)]
        assert [msg.data for msg in messages] == ["a", "b", 1008]
        assert ws.close_code == 1008


async def test_closes_right_away_with_after_0(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?close=4001") as ws:
        msg = await receive(ws)
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4001, "")


async def test_closes_after_the_pushes(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?count=2&interval=0&close=1001&reason=bye") as ws:
        messages = [await receive(ws) for _ in range(3)]
        assert [json.loads(msg.data) for msg in messages[:2]] == [{"push": 0}, {"push": 1}]
        assert (messages[2].type, messages[2].data, messages[2].extra) == (
            WSMsgType.CLOSE,
            1001,
            "bye",
        )


@pytest.mark.parametrize("after", [0, 1])
async def test_drop_loses_the_connection_without_a_close_frame(
    echo: TestClient, after: int
) -> None:
    async with echo.ws_connect(f"/ws?drop=1&after={after}") as ws:
        if after:
            await ws.send_str("last words")
            assert (await receive(ws)).data == "last words"
        msg = await receive(ws)
        assert msg.type is WSMsgType.CLOSED  # a close frame would have come as CLOSE
        assert ws.close_code == 1006


async def test_no_pong_lets_a_client_heartbeat_time_out(echo: TestClient) -> None:
    async with echo.ws_connect("/ws?no_pong=1", heartbeat=0.2) as ws:
        await ws.send_str("echo still works")
        assert (await receive(ws)).data == "echo still works"
        msg = await receive(ws)  # ends only when the heartbeat gives up
        assert msg.type is WSMsgType.ERROR
        assert isinstance(msg.data, ServerTimeoutError)
        assert ws.closed
        assert ws.close_code == 1006


async def test_auth_needs_the_bearer_token(echo: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
        with pytest.raises(WSServerHandshakeError) as info:
            await echo.ws_connect("/ws?auth=s3cret", headers=headers)
        assert info.value.status == 401
    headers = {"Authorization": "Bearer s3cret"}
    async with echo.ws_connect("/ws?auth=s3cret", headers=headers) as ws:
        await ws.send_str("in")
        assert (await receive(ws)).data == "in"


async def test_auth_refusal_is_a_plain_401_with_json(echo: TestClient) -> None:
    resp = await echo.get("/ws?auth=x")
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert await resp.json() == {"error": "token required"}


async def test_status_refuses_the_handshake(echo: TestClient) -> None:
    with pytest.raises(WSServerHandshakeError) as info:
        await echo.ws_connect("/ws?status=403")
    assert info.value.status == 403
    resp = await echo.get("/ws?status=503")
    assert resp.status == 503
    assert await resp.json() == {"error": "refused", "status": 503}


async def test_a_request_without_upgrade_gets_400(echo: TestClient) -> None:
    resp = await echo.get("/ws")
    assert resp.status == 400
    assert await resp.json() == {"error": "/ws needs a WebSocket upgrade"}
    assert (await echo.post("/ws")).status == 405


@pytest.mark.parametrize(
    "query",
    [
        "close=x",
        "close=999",
        "close=5000",
        "close=1005",
        "close=1006",
        "close=1015",
        "close=1000&reason=" + "x" * 124,
        "reason=why",
        "after=1",
        "close=1000&drop=1",
        "close=1000&after=-1",
        "count=x",
        "interval=-1",
        "status=200",
        "status=x",
        "auth=",
    ],
)
async def test_bad_parameters_fail_before_the_upgrade(echo: TestClient, query: str) -> None:
    with pytest.raises(WSServerHandshakeError) as info:
        await echo.ws_connect(f"/ws?{query}")
    assert info.value.status == 400
    body = await (await echo.get(f"/ws?{query}")).json()
    assert set(body) == {"error"}


async def test_index_lists_ws(echo: TestClient) -> None:
    text = await (await echo.get("/")).text()
    for fragment in ("/ws?protocols=", "close=1008", "drop=1", "no_pong=1", "auth=TOKEN"):
        assert fragment in text

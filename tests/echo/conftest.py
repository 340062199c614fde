"""Fixtures for the echo server tests: a test client on a fresh app, optionally logging."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from aiocurl.echo.app import make_app


@pytest.fixture
async def echo(aiohttp_client: AiohttpClient) -> TestClient:
    return await aiohttp_client(make_app())


@pytest.fixture
def log_lines() -> list[str]:
    return []


@pytest.fixture
async def logged_echo(aiohttp_client: AiohttpClient, log_lines: list[str]) -> TestClient:
    return await aiohttp_client(make_app(log=log_lines.append))

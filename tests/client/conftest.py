"""ConsoleClient against a real sandbox on loopback, with the delays shrunk for tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio

from crisp_console.api import RetryPolicy
from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.realtime import ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.sandbox.conftest import admin, rtm, sandbox  # noqa: F401 - fixtures reused here

FAST = ClientConfig(
    retry=RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.05,
                      rate_limit_min_delay=0.05, rate_limit_max_wait=30.0),
    reconnect=ReconnectPolicy(base=0.05, cap=0.3, auth_timeout=5.0, connect_timeout=5.0),
    rebind_interval=0.1, send_retry_delay=0.01, send_retry_window=60.0,
    websites_refresh=3600.0, catchup_margin_ms=2000, compose_interval=5.0,
    rtm_connect_timeout=10.0, bucket_timeout=5.0,
)


def make_client(sb: Sandbox, *, key: str | None = None,
                config: ClientConfig = FAST) -> ConsoleClient:
    info = sb.info()
    return ConsoleClient(info["rest"], Credentials(info["identifier"], key or info["key"]),
                         config=config)


@pytest_asyncio.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ConsoleClient]:  # noqa: F811
    """A started client."""
    c = make_client(sandbox)
    await c.start()
    try:
        yield c
    finally:
        await c.aclose()


async def until(pred: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``pred`` on the running loop until it is true (events arrive asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not pred():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or pred}")
        await asyncio.sleep(0.01)

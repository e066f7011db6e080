"""``retry_at`` tells the UI when the next reconnect attempt starts (its countdown)."""

from __future__ import annotations

import asyncio
import time

import pytest

from crisp_console.realtime import ConnectionState, RealtimeGateway, ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials

pytestmark = pytest.mark.asyncio


async def test_retry_at_is_set_only_while_waiting(sandbox: Sandbox) -> None:
    info = sandbox.info()
    gateway = RealtimeGateway(Credentials(info["identifier"], info["key"]), lambda n, p: None,
                              policy=ReconnectPolicy(first_delay=0.0, base=1.0, cap=1.0,
                                                     jitter=0.0))
    seen: list[float] = []
    try:
        await gateway.connect(info["rtm"])
        assert gateway.retry_at is None
        restart = asyncio.get_running_loop().create_task(sandbox.restart(0.6))
        deadline = time.monotonic() + 5
        while gateway.state is not ConnectionState.CONNECTED or not seen:
            if gateway.retry_at is not None:
                seen.append(gateway.retry_at - time.monotonic())
            assert time.monotonic() < deadline, "never reconnected"
            await asyncio.sleep(0.02)
        await restart
        assert gateway.retry_at is None
        assert 0 < max(seen) <= 1.0  # the 1 s delay after the immediate first retry failed
    finally:
        await gateway.aclose()

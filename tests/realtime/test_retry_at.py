"""``retry_at`` tells the UI when the next reconnect attempt starts (its countdown)."""

from __future__ import annotations

import asyncio

import pytest

from crisp_console.realtime import (
    NO_LIVENESS,
    Backoff,
    ConnectionState,
    RealtimeGateway,
    ReconnectPolicy,
)
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.clock import VirtualClock

pytestmark = pytest.mark.asyncio


async def test_retry_at_is_set_only_while_waiting(sandbox: Sandbox) -> None:
    info = sandbox.info()
    clock = VirtualClock()
    gateway = RealtimeGateway(Credentials(info["identifier"], info["key"]), lambda n, p: None,
                              policy=ReconnectPolicy(Backoff(first_delay=1.0, base=1.0,
                                                             cap=1.0, jitter=0.0),
                                                     liveness=NO_LIVENESS),
                              sleep=clock.sleep, monotonic=clock.monotonic)
    try:
        await gateway.connect(info["rtm"])
        assert gateway.retry_at is None
        assert sandbox.rtm is not None
        await sandbox.rtm.drop_all()
        async with asyncio.timeout(5):
            while not clock.sleeping:  # the drop noticed: waiting for the clock
                await asyncio.sleep(0.01)
        assert gateway.state is ConnectionState.RECONNECTING
        assert clock.sleeps == [1.0]
        assert gateway.retry_at == clock.now + 1.0  # when the next attempt starts
        clock.advance(1.0)
        async with asyncio.timeout(5):
            while gateway.state is not ConnectionState.CONNECTED:
                await asyncio.sleep(0.01)
        assert gateway.retry_at is None
    finally:
        await gateway.aclose()

"""Every wait of ConsoleClient runs on the clocks it is given: the send path's backoff, the
websites poll, the typing throttle. With a FakeTime each wait is seen pending, and it ends
only when the test moves the clock (a part on real time would not show in ``sleeping``)."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from crisp_console.core import MessageStatus
from crisp_console.sandbox.server import Sandbox
from tests.api.helpers import set_faults
from tests.client.conftest import FAST, CountingTransport, FakeTime, make_client, until
from tests.client.test_commands import open_conv
from tests.sandbox.conftest import RtmProbe

pytestmark = pytest.mark.asyncio

SEND_DELAY = 7.0  # the send path's first backoff: jittered down to half of it at most


async def test_the_send_path_waits_on_the_clients_sleep(sandbox: Sandbox,
                                                         admin: httpx.AsyncClient) -> None:
    time = FakeTime()
    config = dataclasses.replace(FAST, send_retry_delay=SEND_DELAY)
    client = make_client(sandbox, config=config, sleep=time.sleep, clock=time.clock)
    try:
        await client.start()
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        conv = open_conv(sandbox, client)
        await set_faults(admin, error_rate=1.0)
        sending = asyncio.ensure_future(client.replies.send_text(conv.session_id, "paused"))
        await until(lambda: any(SEND_DELAY / 2 <= d <= SEND_DELAY for d in time.sleeping),
                    what="the send path's backoff")
        await set_faults(admin, error_rate=0.0)
        assert not sending.done()
        time.advance(SEND_DELAY)
        message = await sending  # read before retry (the 503 was ambiguous), then posted
        assert message.status is MessageStatus.SENT
        assert [m.content for m in conv.messages].count("paused") == 1
        assert client.sender.stats.posts == 2 and client.sender.stats.reads == 1
    finally:
        await client.aclose()


async def test_the_websites_poll_and_the_typing_throttle_run_on_the_clients_clock(
        sandbox: Sandbox, rtm) -> None:  # type: ignore[no-untyped-def]
    time = FakeTime()
    counted = CountingTransport()
    client = make_client(sandbox, transport=counted, sleep=time.sleep, clock=time.clock)
    try:
        await client.start()
        await until(lambda: FAST.websites_refresh in time.sleeping, what="the websites poll")
        since = ("GET", "/v1/plugin/connect/websites/since")
        before = counted.sent.count(since)
        time.advance(FAST.websites_refresh)
        await until(lambda: counted.sent.count(since) == before + 1, what="a refresh")
        await until(lambda: FAST.websites_refresh in time.sleeping, what="the next poll")

        conv = open_conv(sandbox, client)
        probe: RtmProbe = await rtm()
        await probe.authenticate(["message:compose:receive"])
        await client.commands.compose(conv.session_id, True)
        await client.commands.compose(conv.session_id, True)  # within the interval: dropped
        time.advance(FAST.compose_interval)
        await client.commands.compose(conv.session_id, True)  # an interval later: sent
        await probe.settle()
        kinds = [d["type"] for n, d in probe.received if n == "message:compose:receive"]
        assert kinds == ["start", "start"]
    finally:
        await client.aclose()

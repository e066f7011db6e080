"""A spent daily quota: owed work waits for the gate (one probe a minute) instead of looping,
and ``health`` says when the quota resets. The REST layer's clock and sleep are injected: the
minute between probes passes when the test says so."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from crisp_console.client import Health
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import CountingTransport, FakeTime, make_client, until

pytestmark = pytest.mark.asyncio

PROBE = 60.0  # QuotaGate's default probe interval


async def test_spent_quota_waits_for_the_reset_without_a_request_loop(
    sandbox: Sandbox, admin: httpx.AsyncClient
) -> None:
    time = FakeTime()
    counted = CountingTransport()
    client = make_client(sandbox, transport=counted, sleep=time.sleep, clock=time.clock)
    seen: list[Health] = []
    client.add_health_observer(seen.append)
    try:
        await client.start()
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        await admin.patch("faults", json={"daily_quota": 1})  # more than that is used
        before = len(counted.sent)
        assert sandbox.rtm is not None
        await sandbox.rtm.drop_all()  # a catch-up is owed: its first request meets the quota
        await until(lambda: client.health.quota_resets_at is not None, what="quota seen")
        # A visitor arrives: its conversation's fetch is owed too, and waits as well.
        answer = await admin.post("simulate", json={"action": "conversation", "text": "hi"})
        session_id = answer.json()["data"]["session_id"]
        await until(lambda: session_id in client.fetches, what="owed fetch")
        await until(lambda: PROBE in time.sleeping, what="waiting for the probe slot")
        await until(lambda: client.connection_state is ConnectionState.CONNECTED, what="live")
        resets = (await admin.get("quota")).json()["data"]["resets_at"]
        health = client.health
        assert health.catching_up
        assert health.quota_resets_at == datetime.fromtimestamp(resets / 1000, UTC)
        assert "quota" in health.catchup_problem
        assert len(counted.sent) - before == 1  # the request that met the spent quota
        # A minute later: one probe, refused again; then the next minute is waited for.
        time.advance(PROBE)
        await until(lambda: len(counted.sent) - before == 2 and PROBE in time.sleeping,
                    what="one probe")
        assert counted.sent[-1] == ("HEAD", "/v1/plugin/connect/session")
        # The visitor shows all the same, from their message, until the quota is back.
        assert client.health.catching_up and client.store.is_provisional(session_id)
        assert client.store.conversations[session_id].last_message == "hi"
        # The quota is back: the next probe succeeds and the owed work is done.
        await admin.post("quota/reset")
        await admin.patch("faults", json={"daily_quota": 0})
        time.advance(PROBE)
        await until(lambda: not client.health.catching_up, what="paid off")
        assert client.health.quota_resets_at is None
        assert session_id in client.store.conversations
        assert not client.store.is_provisional(session_id)
        spent = [h for h in seen if h.quota_resets_at is not None]
        assert spent and all(h.catching_up for h in spent)
    finally:
        await client.aclose()

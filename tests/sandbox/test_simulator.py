"""The visitor simulator: each action's RTM events, typing, the background loop, its rate."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.simulator import MAX_RATE, Simulator
from tests.clock import VirtualClock
from tests.sandbox.conftest import RtmProbe

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio

SIM_EVENTS = [
    "message:send", "message:compose:send", "session:update_availability",
    "session:sync:pages", "session:set_state", "website:update_visitors_count",
    "website:update_operators_availability", "people:profile:created",
]


async def listening(rtm: Factory) -> RtmProbe:
    probe = await rtm()
    assert await probe.authenticate(SIM_EVENTS) == ("authenticated", True)
    return probe


def events_of(probe: RtmProbe, session_id: str) -> list[tuple[str, Any]]:
    return [(n, d) for n, d in probe.received
            if isinstance(d, dict) and d.get("session_id") == session_id]


def open_conversation(sb: Sandbox) -> Conversation:
    subscribed = set(sb.state.subscribed_website_ids())
    return next(c for c in sb.state.conversations.values()
                if c.website_id in subscribed and c.state != "resolved" and not c.is_blocked)


async def simulate(admin: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    resp = await admin.post("simulate", json=body)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


async def test_typed_message_sequence(sandbox: Sandbox, rtm: Factory, api: httpx.AsyncClient,
                                      admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    conv = open_conversation(sandbox)
    text = "Hello, could you help me with my invoice?"
    result = await simulate(admin, action="message", session_id=conv.session_id, text=text,
                            typing=True, duration=0.3)
    assert result["session_id"] == conv.session_id
    await probe.settle()
    seq = [(n, d) for n, d in events_of(probe, conv.session_id)
           if n in ("message:compose:send", "message:send")]

    assert seq[0][0] == "message:compose:send"
    assert seq[0][1]["type"] == "start" and "excerpt" not in seq[0][1]
    excerpts = [d["excerpt"] for n, d in seq[1:-2]]
    assert all(n == "message:compose:send" and d["type"] == "start" for n, d in seq[1:-2])
    assert 1 <= len(excerpts) <= 3
    assert all(text.startswith(e) and e for e in excerpts)
    assert [len(e) for e in excerpts] == sorted({len(e) for e in excerpts})  # growing
    name, sent = seq[-2]
    assert name == "message:send"
    assert (sent["content"], sent["from"], sent["type"], sent["fingerprint"]) == \
        (text, "user", "text", result["fingerprint"])
    assert seq[-1][0] == "message:compose:send" and seq[-1][1]["type"] == "stop"

    # The REST view agrees.
    resp = await api.get(f"website/{conv.website_id}/conversation/{conv.session_id}/messages")
    assert resp.status_code == 200
    assert resp.json()["data"][-1]["fingerprint"] == result["fingerprint"]


async def test_untyped_message_and_reopening(sandbox: Sandbox, rtm: Factory,
                                             admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    conv = open_conversation(sandbox)
    sandbox.state.set_state(conv, "resolved")
    result = await simulate(admin, action="message", session_id=conv.session_id, text="Back!")
    await probe.settle()
    seen = [(n, d.get("state")) for n, d in events_of(probe, conv.session_id)]
    assert seen == [("session:set_state", "resolved"), ("message:send", None),
                    ("session:set_state", "unresolved")]
    assert conv.messages[-1].fingerprint == result["fingerprint"]


async def test_new_conversation(sandbox: Sandbox, rtm: Factory, api: httpx.AsyncClient,
                                admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    results = [await simulate(admin, action="conversation") for _ in range(6)]
    await probe.settle()
    for result in results:
        session_id = result["session_id"]
        names = [n for n, _ in events_of(probe, session_id)]
        assert names == ["session:update_availability", "message:send"]
        resp = await api.get(f"website/{result['website_id']}/conversation/{session_id}")
        assert resp.status_code == 200
        conv = resp.json()["data"]
        assert conv["meta"]["nickname"]
        assert conv["meta"]["device"]["geolocation"]["country"]
        assert conv["people_id"] == (result["people_id"] or "")
    created = {d["people_id"] for n, d in probe.received if n == "people:profile:created"}
    assert created <= {r["people_id"] for r in results}
    assert any(r["people_id"] for r in results)  # with this seed some visitors are contacts


async def test_browsing_actions(sandbox: Sandbox, rtm: Factory,
                                admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    conv = open_conversation(sandbox)
    sid = conv.session_id
    pages = await simulate(admin, action="pages", session_id=sid)
    avail = await simulate(admin, action="availability", session_id=sid, availability="online")
    visitors = await simulate(admin, action="visitors", website_id=conv.website_id, count=12)
    operator = await simulate(admin, action="operator", website_id=conv.website_id,
                              availability="away")
    _, data = await probe.wait_for(lambda n, d: n == "session:sync:pages")
    assert data["session_id"] == sid and data["pages"][0]["page_url"] == pages["page_url"]
    _, data = await probe.wait_for(lambda n, d: n == "session:update_availability")
    assert (data["session_id"], data["availability"]) == (sid, avail["availability"])
    _, data = await probe.wait_for(lambda n, d: n == "website:update_visitors_count")
    assert data == {"website_id": conv.website_id, "visitors_count": visitors["visitors_count"]}
    assert visitors["visitors_count"] == 12
    _, data = await probe.wait_for(lambda n, d: n == "website:update_operators_availability")
    assert data["user_id"] == operator["user_id"]
    assert data["availability"] == {"type": "away"}


async def test_typing_does_not_block_other_actions(sandbox: Sandbox, rtm: Factory) -> None:
    probe = await listening(rtm)
    conv = open_conversation(sandbox)
    typing = asyncio.create_task(sandbox.simulator.act(
        "message", session_id=conv.session_id, text="a long message", typing=True,
        duration=0.4))
    await probe.wait_for(lambda n, d: n == "message:compose:send")
    await sandbox.simulator.act("visitors", count=3)
    await typing
    await probe.settle()
    names = probe.names()
    assert names.index("website:update_visitors_count") < names.index("message:send")


async def on_clock(sim: Simulator) -> VirtualClock:
    """The simulation, restarted on a VirtualClock (its rate kept)."""
    clock = VirtualClock()
    await sim.stop()
    sim.sleep = clock.sleep
    sim.start()
    return clock


async def test_off_by_default(sandbox: Sandbox, rtm: Factory, admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    clock = await on_clock(sandbox.simulator)
    await clock.elapse(60)  # a minute: at any rate, ticks would have come
    await probe.settle()
    assert probe.names() == ["authenticated"]
    assert clock.sleeps == []
    data = (await admin.get("simulator")).json()["data"]
    assert data == {"rate": 0.0, "max_rate": MAX_RATE, "running": False}


@pytest.mark.sandbox_config(simulator_rate=25.0)
async def test_configured_rate_produces_events(sandbox: Sandbox, rtm: Factory) -> None:
    probe = await listening(rtm)
    await probe.wait_for(lambda n, d: n in ("message:send", "session:sync:pages",
                                           "session:update_availability"), timeout=3)
    assert sandbox.simulator.running


async def test_rate_changes_live(sandbox: Sandbox, rtm: Factory,
                                 admin: httpx.AsyncClient) -> None:
    probe = await listening(rtm)
    clock = await on_clock(sandbox.simulator)
    resp = await admin.patch("simulator", json={"rate": 30})
    assert resp.json()["data"] == {"rate": 30.0, "max_rate": MAX_RATE, "running": True}
    for _ in range(10):  # a second of ticks, some typing sequences among them
        clock.advance(0.1)
        await asyncio.sleep(0)
    await probe.wait_for(lambda n, d: n != "authenticated", timeout=3)
    await admin.patch("simulator", json={"rate": 0})
    await clock.run_out()  # typing sequences already started finish; no tick is waiting
    await probe.settle()
    seen = len(probe.received)
    await clock.elapse(60)  # ~1,800 ticks' time at the old rate
    await probe.settle()
    assert len(probe.received) == seen
    assert clock.sleeping == 0


async def test_survives_its_own_errors(sandbox: Sandbox, rtm: Factory,
                                       caplog: pytest.LogCaptureFixture,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sim = sandbox.simulator
    real_act = sim.act
    calls = [0]

    async def flaky(action: str, **kw: Any) -> dict[str, Any]:
        calls[0] += 1
        if calls[0] <= 3:
            raise RuntimeError("boom")
        return await real_act(action, **kw)

    monkeypatch.setattr(sim, "act", flaky)
    probe = await listening(rtm)
    with caplog.at_level(logging.ERROR, logger="crisp_console.sandbox.simulator"):
        sim.set_rate(40)
        await probe.wait_for(lambda n, d: n != "authenticated", timeout=3)
    assert calls[0] > 3
    assert sum("boom" in r.exc_text for r in caplog.records if r.exc_text) == 3
    assert sim.running


async def test_stop_cancels_cleanly_and_start_resumes(sandbox: Sandbox, rtm: Factory) -> None:
    sim = sandbox.simulator
    clock = await on_clock(sim)
    sim.set_rate(MAX_RATE)
    for _ in range(20):  # ticks, and typing sequences in flight
        clock.advance(0.02)
        await asyncio.sleep(0)
    assert clock.sleeping
    await sim.stop()
    assert not sim.running
    assert not sim._tasks  # noqa: SLF001 - no task left behind
    assert clock.sleeping == 0  # every wait was cancelled with its task
    probe = await listening(rtm)
    await clock.elapse(60)
    await probe.settle()
    assert probe.names() == ["authenticated"]
    sim.sleep = asyncio.sleep  # back on the wall clock
    sim.start()
    await probe.wait_for(lambda n, d: n != "authenticated", timeout=3)


async def test_rate_is_validated_and_capped(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    assert sandbox.simulator.set_rate(1000) == MAX_RATE
    with pytest.raises(ValueError, match="rate"):
        sandbox.simulator.set_rate(-1)
    sandbox.simulator.set_rate(0)
    for body in ({"rate": MAX_RATE + 1}, {"rate": -0.5}, {"rate": "fast"}, {}):
        resp = await admin.patch("simulator", json=body)
        assert resp.status_code == 400
        assert resp.json()["reason"] == "invalid_data"
        assert "rate" in resp.json()["data"]["message"]


async def test_act_errors(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    cases = [
        ({"action": "dance"}, 400, "data.action"),
        ({"action": "message", "session_id": "session_nope"}, 404, "session_nope"),
        ({"action": "visitors", "website_id": "nope"}, 404, "nope"),
        ({"action": "message", "count": 3}, 400, "count"),
        ({"action": "availability", "availability": "away"}, 400, "availability"),
        ({"action": "message", "typing": "yes"}, 400, "data.typing"),
        ({}, 400, "action"),
    ]
    for body, status, needle in cases:
        resp = await admin.post("simulate", json=body)
        assert resp.status_code == status, (body, resp.text)
        assert needle in resp.json()["data"]["message"], (body, resp.text)


async def test_same_seed_same_simulation() -> None:
    config = SandboxConfig(seed=7, sizes=Sizes.tiny(), base_time=1_700_000_000_000)

    async def run() -> list[dict[str, Any]]:
        state = build_state(config)
        state.clock = lambda: 1_700_000_100_000
        sim = Simulator(state)
        return [await sim.act(action) for action in
                ("conversation", "message", "pages", "visitors", "operator", "conversation")]

    assert await run() == await run()

"""Reconnects with gap fill, refused credentials, rate limits, faults, websites at run time."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from crisp_console.client import LIVE_FEED, ConsoleClient
from crisp_console.core import MessageStatus
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.world import PluginToken
from tests.client.conftest import assert_store_matches, until
from tests.clock import VirtualClock

pytestmark = pytest.mark.asyncio


async def test_gap_after_a_drop_is_filled(sandbox: Sandbox, client: ConsoleClient,
                                          admin: httpx.AsyncClient) -> None:
    state = sandbox.state
    opened = [s for s in list(client.store.conversations)[:5] if state.conversations[s].messages]
    for session_id in opened:
        await client.loader.open_conversation(session_id)
    clock = VirtualClock()  # the simulation's time: as much activity as the test lets pass
    await sandbox.simulator.stop()
    sandbox.simulator.sleep = clock.sleep
    sandbox.simulator.start()
    await admin.patch("simulator", json={"rate": 20})
    await clock.elapse(0.3)
    catchups = client.catchup.completed
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    await clock.elapse(0.3)  # the simulation goes on while the client is cut off
    # While the client is cut off: replies in opened conversations and a brand-new one.
    for session_id in opened:
        conv = state.conversations[session_id]
        state.add_message(conv, type="text", from_="user", origin="chat",
                          content="sent during the gap", user=conv.visitor)
    fresh = state.create_conversation(state.subscribed_website_ids()[0])
    state.add_message(fresh, type="text", from_="user", origin="chat", content="new in gap",
                      user=fresh.visitor)
    await until(lambda: client.connection_state is ConnectionState.RECONNECTING
                or client.connection_state is ConnectionState.CONNECTED, what="noticed")
    await until(lambda: client.catchup.completed > catchups, what="the automatic catch-up")
    await admin.patch("simulator", json={"rate": 0})
    await clock.run_out()  # in-flight simulated typing ends and arrives live
    await sandbox.rtm.flush()
    await until(lambda: len(client.tasks) <= 1, what="follow-up fetches")  # only the poller
    assert fresh.session_id in client.store.conversations
    for session_id in opened:
        assert any(m.content == "sent during the gap"
                   for m in client.store.messages(session_id)), session_id
    assert_store_matches(sandbox, client)


async def test_unauthorized_after_a_reconnect_stops_retrying(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    states: list[ConnectionState] = []
    client.gateway.add_state_observer(states.append)
    assert client.gateway.running
    sandbox.state.token = dataclasses.replace(sandbox.state.token, key="rotated")
    rtm = sandbox.rtm
    assert rtm is not None
    await rtm.drop_all()
    await until(lambda: client.connection_state is ConnectionState.UNAUTHORIZED, what="refused")
    # The gateway's loop has ended: a storm would keep it running, and no attempt can follow.
    await until(lambda: not client.gateway.running, what="the gateway gives up")
    assert states.count(ConnectionState.AUTHENTICATING) <= 2  # no reconnect storm
    assert client.connection_state is ConnectionState.UNAUTHORIZED
    await until(lambda: not rtm.clients, what="our socket closed")
    # Said in health; no catch-up stays owed for a feed that will not come back.
    words = client.health.denied_for(LIVE_FEED)
    assert words is not None and "refused" in words
    assert not client.health.catching_up


async def test_rate_limit_burst_loses_no_command(sandbox: Sandbox, client: ConsoleClient,
                                                 admin: httpx.AsyncClient) -> None:
    convs = [sandbox.state.conversations[s] for s in list(client.store.conversations)[:4]]
    await admin.patch("faults", json={"burst_429": 15, "retry_after": 0.05})
    sends = [client.replies.send_text(c.session_id, f"burst {i}") for i, c in enumerate(convs * 3)]
    commands = client.commands
    others = [commands.resolve(convs[0].session_id),
              commands.assign(convs[1].session_id, sandbox.state.operators[0].user_id),
              commands.block(convs[2].session_id, True)]
    results = await asyncio.gather(*sends, *others)
    assert (await admin.get("faults")).json()["data"]["burst_429"] == 0
    for message in results[:len(sends)]:
        assert message.status is MessageStatus.SENT
    contents = [m.content for c in convs for m in c.messages if str(m.content).startswith("burst")]
    assert sorted(contents) == sorted(f"burst {i}" for i in range(len(sends)))
    assert convs[0].state == "resolved"
    assert convs[1].assigned == sandbox.state.operators[0].user_id
    assert convs[2].is_blocked


async def test_thousand_sends_under_errors_and_resets_land_exactly_once(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient
) -> None:
    convs = [sandbox.state.conversations[s] for s in list(client.store.conversations)[:5]]
    await admin.patch("faults", json={"error_rate": 0.2, "reset_rate": 0.1, "seed": 7})
    gate = asyncio.Semaphore(25)

    async def send(i: int) -> int:
        async with gate:
            msg = await client.replies.send_text(convs[i % len(convs)].session_id, f"load {i}")
            return msg.fingerprint

    fingerprints = await asyncio.gather(*(send(i) for i in range(1000)))
    await admin.post("faults/reset")
    on_server = [m for c in convs for m in c.messages if str(m.content).startswith("load ")]
    assert len(on_server) == 1000
    assert sorted(m.content for m in on_server) == sorted(f"load {i}" for i in range(1000))
    assert {m.fingerprint for m in on_server} == set(fingerprints)
    mine = [m for c in convs for m in client.store.messages(c.session_id)
            if str(m.content).startswith("load ")]
    assert len(mine) == 1000 and all(m.status is MessageStatus.SENT for m in mine)


async def test_websites_added_and_removed_while_running(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient
) -> None:
    unbound = next(w for w in sandbox.state.websites.values() if not w.subscribed)
    waiting = sandbox.state.create_conversation(unbound.website_id)
    sandbox.state.add_message(waiting, type="text", from_="user", origin="chat",
                              content="anyone?", user=waiting.visitor)
    await admin.post(f"websites/{unbound.website_id}/subscription", json={"bound": True})
    await until(lambda: unbound.website_id in client.store.websites, what="added")
    await until(lambda: any(c.website_id == unbound.website_id
                            for c in client.store.conversations.values()), what="its pages")
    # Its live events now reach the client.
    conv = next(c for c in sandbox.state.website_conversations(unbound.website_id)
                if c.session_id in client.store.conversations)
    rtm = sandbox.rtm
    assert rtm is not None
    await until(lambda: any(c.authenticated and (c.rooms is None or unbound.website_id in c.rooms)
                            for c in rtm.clients.values()), what="the (throttled) rebind")
    sandbox.state.set_block(conv, True)
    await until(lambda: client.store.conversations[conv.session_id].is_blocked, what="event")
    gone = client.store.websites[sandbox.state.subscribed_website_ids()[0]].website_id
    await admin.post(f"websites/{gone}/subscription", json={"bound": False})
    await until(lambda: gone not in client.store.websites, what="removed")
    assert all(c.website_id != gone for c in client.store.conversations.values())


async def test_rotated_rest_token_is_an_auth_error(sandbox: Sandbox,
                                                   client: ConsoleClient) -> None:
    sandbox.state.token = PluginToken(sandbox.state.token.identifier, "rotated",
                                      sandbox.state.token.plugin_id)
    conv = next(iter(client.store.conversations))
    from crisp_console.errors import AuthError

    with pytest.raises(AuthError):
        await client.commands.resolve(conv)
    assert client.store.conversations[conv].state != "resolved"  # the optimistic change undone

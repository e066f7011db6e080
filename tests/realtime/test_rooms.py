"""set_rooms(): throttled socket:bind, latest rooms win, rooms survive re-authentication."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from crisp_console.realtime import DEFAULT_EVENTS, ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.realtime.conftest import (
    GatewayFactory,
    ServerSpy,
    authenticated_clients,
    settle,
    subscribed,
    visitors,
)

pytestmark = pytest.mark.asyncio
S = ConnectionState
INTERVAL = 0.2


def server_rooms(sb: Sandbox) -> set[str] | None:
    [client] = authenticated_clients(sb)
    return client.rooms


async def test_first_change_binds_at_once_and_events_follow(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, rec = make_gateway(events=["website:update_visitors_count"], rebind_interval=INTERVAL)
    await gw.connect(sandbox.rtm_url, [first])
    gw.set_rooms([second])
    assert gw.rooms == (second,)
    await rec.until(lambda: len(spy.binds) == 1)
    assert spy.binds == [{"events": ["website:update_visitors_count"], "rooms": [second]}]
    await settle(sandbox)
    assert server_rooms(sandbox) == {second}
    visitors(sandbox, first, 1)
    visitors(sandbox, second, 2)
    await rec.until(lambda: len(rec.events) >= 1)
    await settle(sandbox)
    assert [p["website_id"] for _, p in rec.events] == [second]


async def test_a_burst_coalesces_and_the_latest_rooms_win(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    choices = [[second], [first, second], [first]]
    gw, rec = make_gateway(rebind_interval=INTERVAL)
    await gw.connect(sandbox.rtm_url, [first])
    loop = asyncio.get_running_loop()
    started = loop.time()
    wanted: list[str] = []
    for i in range(25):  # a change every 20 ms for half a second, ending on [second]
        wanted = choices[i % 3]
        gw.set_rooms(wanted)
        await asyncio.sleep(0.02)
    final = {"events": list(DEFAULT_EVENTS), "rooms": wanted}
    await rec.until(lambda: bool(spy.binds) and spy.binds[-1] == final, timeout=5)
    elapsed = loop.time() - started
    await asyncio.sleep(INTERVAL * 1.5)  # no stray bind after the last one
    # Sends are at least INTERVAL apart and all fall within ``elapsed``.
    assert 2 <= len(spy.binds) <= int(elapsed / INTERVAL) + 1
    assert spy.binds[-1] == final
    assert server_rooms(sandbox) == set(wanted)
    # Throttling waits went through the injected sleep, each at most one interval.
    assert rec.sleeps and all(0 < s <= INTERVAL for s in rec.sleeps)


async def test_the_same_set_in_another_order_sends_nothing(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, _ = make_gateway(rebind_interval=INTERVAL)
    await gw.connect(sandbox.rtm_url, [first, second])
    gw.set_rooms([second, first, second])
    assert gw.rooms == (second, first)  # de-duplicated, order kept
    await asyncio.sleep(INTERVAL)
    await settle(sandbox)
    assert spy.binds == []


async def test_rooms_set_while_disconnected_ride_on_the_reauthentication(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, rec = make_gateway(rebind_interval=INTERVAL)

    def switch_on_reconnect(state: ConnectionState) -> None:
        if state is S.RECONNECTING:
            gw.set_rooms([second])

    gw.add_state_observer(switch_on_reconnect)
    gw.set_rooms([second])  # before connect(): connect's rooms take over
    await gw.connect(sandbox.rtm_url, [first])
    assert server_rooms(sandbox) == {first}
    await admin.post("sockets/drop")
    await rec.until_count(S.CONNECTED, 2)
    assert server_rooms(sandbox) == {second}
    await asyncio.sleep(INTERVAL)
    assert spy.binds == []  # the authentication carried them: no bind needed


async def test_rooms_changed_during_authentication_are_bound_right_after(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    assert sandbox.rtm is not None
    rtm = sandbox.rtm
    answer = asyncio.Event()

    async def slow_authentication(sid: str, data: Any = None) -> None:
        await answer.wait()
        await rtm._on_authentication(sid, data)  # noqa: SLF001 - the sandbox's own answer

    rtm.sio.on("authentication", slow_authentication)
    gw, rec = make_gateway(rebind_interval=INTERVAL)
    connecting = asyncio.create_task(gw.connect(sandbox.rtm_url, [first]))
    await rec.until_state(S.AUTHENTICATING)
    gw.set_rooms([second])  # the authentication already went out with [first]
    await asyncio.sleep(0.05)
    assert spy.binds == []  # not connected yet: nothing sent
    answer.set()
    await connecting
    await rec.until(lambda: len(spy.binds) == 1)
    assert spy.binds[0]["rooms"] == [second]
    await settle(sandbox)
    assert server_rooms(sandbox) == {second}


async def test_a_bind_pending_over_a_drop_is_not_sent_twice(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, rec = make_gateway(rebind_interval=0.5)
    await gw.connect(sandbox.rtm_url, [first])
    gw.set_rooms([second])
    await rec.until(lambda: len(spy.binds) == 1)
    gw.set_rooms([first, second])  # waits ~0.5 s for its turn...
    await admin.post("sockets/drop")  # ...while the socket drops and re-authenticates
    await rec.until_count(S.CONNECTED, 2)
    assert server_rooms(sandbox) == {first, second}
    await asyncio.sleep(0.6)
    assert len(spy.binds) == 1  # the pending bind found nothing left to do

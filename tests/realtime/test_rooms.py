"""set_rooms(): throttled socket:bind, latest rooms win, rooms survive re-authentication."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from crisp_console.realtime import DEFAULT_EVENTS, ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.clock import VirtualClock
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
INTERVAL = 0.25  # on a VirtualClock: binary fractions keep its arithmetic exact


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
    await rec.until(lambda: server_rooms(sandbox) == {second})
    visitors(sandbox, first, 1)
    visitors(sandbox, second, 2)
    # One socket, in order: an event of the first website would come before the second's.
    await rec.until(lambda: len(rec.events) >= 1)
    assert [p["website_id"] for _, p in rec.events] == [second]


async def test_a_burst_coalesces_and_the_latest_rooms_win(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    choices = [[second], [first, second], [first]]
    clock = VirtualClock()
    gw, rec = make_gateway(rebind_interval=INTERVAL, clock=clock)
    await gw.connect(sandbox.rtm_url, [first])
    wanted: list[str] = []
    for i in range(25):  # a change every 1/32 s for ~0.8 s, ending on [second]
        wanted = choices[i % 3]
        gw.set_rooms(wanted)
        await asyncio.sleep(0)  # the binder takes its turn, if it has one
        clock.advance(1 / 32)
    clock.advance(INTERVAL)  # whatever waits is due: the latest rooms go out
    final = {"events": list(DEFAULT_EVENTS), "rooms": wanted}
    await rec.until(lambda: bool(spy.binds) and spy.binds[-1] == final)
    sent = len(spy.binds)
    # Sends are at least INTERVAL apart on the clock, and all fall within its time so far.
    assert 2 <= sent <= int(clock.now / INTERVAL) + 1 < 25
    await rec.until(lambda: server_rooms(sandbox) == set(wanted))
    clock.advance(INTERVAL)  # the binder's next turn...
    await asyncio.sleep(0)  # ...taken
    await settle(sandbox)
    assert len(spy.binds) == sent  # no stray bind after the last one
    # Throttling waits went through the injected sleep, each at most one interval.
    assert clock.sleeps and all(0 < s <= INTERVAL for s in clock.sleeps)


async def test_the_same_set_in_another_order_sends_nothing(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    clock = VirtualClock()
    gw, _ = make_gateway(rebind_interval=INTERVAL, clock=clock)
    await gw.connect(sandbox.rtm_url, [first, second])
    gw.set_rooms([second, first, second])
    assert gw.rooms == (second, first)  # de-duplicated, order kept
    await asyncio.sleep(0)  # a bind scheduled for it would take its first step (send) now
    await settle(sandbox)
    assert spy.binds == []


async def test_rooms_set_while_disconnected_ride_on_the_reauthentication(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    clock = VirtualClock()
    gw, rec = make_gateway(rebind_interval=INTERVAL, clock=clock)

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
    await asyncio.sleep(0)  # a bind scheduled on CONNECTED would take its first step now
    await settle(sandbox)
    assert spy.binds == []  # the authentication carried [second]: no bind was needed


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
    clock = VirtualClock()
    gw, rec = make_gateway(rebind_interval=INTERVAL, clock=clock)
    connecting = asyncio.create_task(gw.connect(sandbox.rtm_url, [first]))
    await rec.until_state(S.AUTHENTICATING)
    gw.set_rooms([second])  # the authentication already went out with [first]
    await asyncio.sleep(0)  # a bind scheduled for it would take its first step (send) now
    await settle(sandbox)
    assert spy.binds == []  # not connected yet: nothing sent
    answer.set()
    await connecting
    await rec.until(lambda: len(spy.binds) == 1)
    assert spy.binds[0]["rooms"] == [second]
    await rec.until(lambda: server_rooms(sandbox) == {second})


async def test_a_bind_pending_over_a_drop_is_not_sent_twice(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    clock = VirtualClock()
    gw, rec = make_gateway(rebind_interval=INTERVAL, clock=clock)
    await gw.connect(sandbox.rtm_url, [first])
    gw.set_rooms([second])
    await rec.until(lambda: len(spy.binds) == 1)
    gw.set_rooms([first, second])  # waits for its turn (the clock stands still)...
    await admin.post("sockets/drop")  # ...while the socket drops and re-authenticates
    await rec.until_count(S.CONNECTED, 2)
    assert server_rooms(sandbox) == {first, second}
    assert clock.sleeping == 1  # the pending bind, still waiting for its turn
    clock.advance(INTERVAL)  # its turn...
    await asyncio.sleep(0)  # ...taken
    await settle(sandbox)
    assert len(spy.binds) == 1  # the pending bind found nothing left to do
    assert clock.sleeping == 0

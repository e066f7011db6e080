"""Drops, restarts, refusals and timeouts: the gateway's own reconnect loop."""

from __future__ import annotations

import asyncio
import random
import socket
from itertools import islice
from typing import Any

import httpx
import pytest

from crisp_console.errors import ClosedError, RealtimeUnauthorized
from crisp_console.realtime import NO_LIVENESS, Backoff, ConnectionState, ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from tests.realtime.conftest import (
    FAST,
    SEED,
    GatewayFactory,
    ServerSpy,
    authenticated_clients,
    credentials_of,
    subscribed,
    visitors,
)

pytestmark = pytest.mark.asyncio
S = ConnectionState


def expected_delays(n: int, policy: ReconnectPolicy = FAST) -> list[float]:
    """What the gateway must sleep: the policy's own sequence with the factory's seed."""
    return list(islice(policy.backoff.delays(random.Random(SEED)), n))


async def wait_down(admin: httpx.AsyncClient) -> None:
    """Wait until the sandbox refuses connections (it restarts a moment after answering)."""
    for _ in range(100):
        try:
            await admin.get("info")
        except httpx.TransportError:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the sandbox never went down")


async def test_drop_reconnects_reauthenticates_and_events_flow_again(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    first = subscribed(sandbox)[0]
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, [first])
    visitors(sandbox, first, 1)
    await rec.until(lambda: len(rec.events) == 1)

    response = await admin.post("sockets/drop")
    assert response.json()["data"] == {"dropped": 1}
    await rec.until_count(S.CONNECTED, 2)
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.CONNECTED,
                          S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    assert rec.sleeps == [0.0]  # the first retry is immediate
    assert spy.connects == 2
    [client] = authenticated_clients(sandbox)
    assert client.rooms == {first} and client.events == {"website:update_visitors_count"}

    visitors(sandbox, first, 2)
    await rec.until(lambda: len(rec.events) == 2)
    assert [p["visitors_count"] for _, p in rec.events] == [1, 2]


async def test_success_resets_the_backoff(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient
) -> None:
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url)
    for connections in (2, 3, 4):
        await admin.post("sockets/drop")
        await rec.until_count(S.CONNECTED, connections)
    assert rec.sleeps == [0.0, 0.0, 0.0]


async def test_server_side_disconnect_also_reconnects(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url)
    assert sandbox.rtm is not None
    [sid] = sandbox.rtm.clients
    await sandbox.rtm.sio.disconnect(sid)
    await rec.until_count(S.CONNECTED, 2)
    assert rec.states[3:] == [S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]


async def test_restart_retries_immediately_then_backs_off(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient
) -> None:
    first = subscribed(sandbox)[0]
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, [first])
    await admin.post("restart", json={"down_ms": 300})
    await rec.until_count(S.CONNECTED, 2, timeout=10)
    # RECONNECTING is published once, however many attempts fail while the server is down.
    assert rec.states[3:] == [S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    # 0, then ~0.05, ~0.1, ~0.2...: at least one backed-off retry covers 300 ms of downtime.
    assert len(rec.sleeps) >= 3
    assert rec.sleeps == expected_delays(len(rec.sleeps))
    assert rec.sleeps[0] == 0.0 and 0.035 <= rec.sleeps[1] <= 0.065

    visitors(sandbox, first, 9)  # the restarted server's RTM delivers to the new socket
    await rec.until(lambda: len(rec.events) == 1)
    assert rec.events[0][1]["visitors_count"] == 9


async def test_a_refused_first_connect_keeps_retrying_until_the_server_is_up(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient
) -> None:
    gw, rec = make_gateway()
    await admin.post("restart", json={"down_ms": 300})
    await wait_down(admin)
    await asyncio.wait_for(gw.connect(sandbox.rtm_url), 10)
    assert rec.states == [S.CONNECTING, S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    # Refused from the start, so the backoff never reset: the policy's sequence, in order.
    assert len(rec.sleeps) >= 2 and rec.sleeps == expected_delays(len(rec.sleeps))
    assert len(authenticated_clients(sandbox)) == 1


async def test_cancelling_connect_leaves_the_retries_running(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient
) -> None:
    gw, rec = make_gateway()
    await admin.post("restart", json={"down_ms": 300})
    await wait_down(admin)
    connecting = asyncio.create_task(gw.connect(sandbox.rtm_url))
    await rec.until(lambda: S.RECONNECTING in rec.states)  # refused: it is retrying
    connecting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await connecting
    await rec.until_state(S.CONNECTED, timeout=10)
    assert gw.state is S.CONNECTED


async def test_unauthorized_first_connect_raises_and_never_retries(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    gw, rec = make_gateway(credentials=credentials_of(sandbox, key="wrong-key"))
    with pytest.raises(RealtimeUnauthorized, match="invalid credentials"):
        await gw.connect(sandbox.rtm_url)
    assert gw.state is S.UNAUTHORIZED
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.UNAUTHORIZED]
    await rec.until(lambda: not gw.running)  # the loop ended: no attempt is left to come
    assert spy.connects == 1
    assert rec.sleeps == []
    rtm = sandbox.rtm
    assert rtm is not None
    await rec.until(lambda: rtm.clients == {})  # we closed our socket
    await gw.aclose()
    assert rec.states[-1] is S.CLOSED


async def test_unauthorized_after_a_reconnect_stops_the_loop(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient, spy: ServerSpy
) -> None:
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url)
    assert gw.running
    sandbox.state.token.key = "rotated-key"  # the token was revoked meanwhile
    await admin.post("sockets/drop")
    await rec.until_state(S.UNAUTHORIZED)
    assert rec.states[3:] == [S.RECONNECTING, S.AUTHENTICATING, S.UNAUTHORIZED]
    await rec.until(lambda: not gw.running)  # the loop ended: no attempt is left to come
    assert spy.connects == 2
    assert rec.sleeps == [0.0]
    assert gw.state is S.UNAUTHORIZED
    rtm = sandbox.rtm
    assert rtm is not None
    await rec.until(lambda: rtm.clients == {})


async def test_a_silent_server_times_authentication_out_and_retries(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    assert sandbox.rtm is not None
    rtm = sandbox.rtm
    ignored: list[str] = []

    async def deaf_then_normal(sid: str, data: Any = None) -> None:
        if len(ignored) < 2:
            ignored.append(sid)
            return
        await rtm._on_authentication(sid, data)  # noqa: SLF001 - the sandbox's own answer

    rtm.sio.on("authentication", deaf_then_normal)
    policy = ReconnectPolicy(Backoff(base=0.05, cap=0.2), auth_timeout=0.2, connect_timeout=2.0,
                             liveness=NO_LIVENESS)
    gw, rec = make_gateway(policy=policy)
    await asyncio.wait_for(gw.connect(sandbox.rtm_url), 5)
    assert len(ignored) == 2
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.RECONNECTING, S.AUTHENTICATING,
                          S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    assert rec.sleeps == expected_delays(2, policy)
    assert len(rtm.clients) == 1  # the timed-out sockets were closed, not left open


async def test_aclose_while_backing_off_is_prompt_and_final(
    sandbox: Sandbox, make_gateway: GatewayFactory, admin: httpx.AsyncClient
) -> None:
    slow = ReconnectPolicy(Backoff(base=30.0, cap=30.0), connect_timeout=2.0, liveness=NO_LIVENESS)
    gw, rec = make_gateway(policy=slow)
    await admin.post("restart", json={"down_ms": 1000})
    await wait_down(admin)
    connecting = asyncio.create_task(gw.connect(sandbox.rtm_url))
    await rec.until(lambda: len(rec.sleeps) >= 2)  # now sleeping ~30 s
    await asyncio.wait_for(gw.aclose(), 2)
    with pytest.raises(ClosedError):
        await connecting
    assert rec.states == [S.CONNECTING, S.RECONNECTING, S.CLOSED]


async def test_a_drop_before_the_answer_is_retried(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    assert sandbox.rtm is not None
    rtm = sandbox.rtm
    hung_up: list[str] = []

    async def hang_up_once(sid: str, data: Any = None) -> None:
        if not hung_up:
            hung_up.append(sid)
            await rtm.sio.disconnect(sid)
            return
        await rtm._on_authentication(sid, data)  # noqa: SLF001 - the sandbox's own answer

    rtm.sio.on("authentication", hang_up_once)
    gw, rec = make_gateway()
    await asyncio.wait_for(gw.connect(sandbox.rtm_url), 5)
    assert len(hung_up) == 1
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.RECONNECTING, S.AUTHENTICATING,
                          S.CONNECTED]
    assert rec.sleeps == [0.0]


async def test_an_internal_error_closes_the_gateway_and_fails_connect(
    make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_sleep(seconds: float) -> None:
        raise RuntimeError("sleep bug")

    with socket.socket() as probe:  # a loopback port nobody listens on: refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gw, rec = make_gateway(sleep=broken_sleep)
    with pytest.raises(ClosedError, match="internal error") as caught:
        await gw.connect(f"http://127.0.0.1:{port}/rtm/")
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert rec.states == [S.CONNECTING, S.RECONNECTING, S.CLOSED]
    assert any("supervisor stopped" in r.getMessage() for r in caplog.records)
    await gw.aclose()
    assert rec.states.count(S.CLOSED) == 1

"""RealtimeGateway against a real sandbox: connect, authenticate, deliver, observe, close."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from crisp_console.errors import ClosedError
from crisp_console.realtime import DEFAULT_EVENTS, ConnectionState
from crisp_console.realtime.gateway import RealtimeGateway
from crisp_console.sandbox.server import Sandbox
from tests.realtime.conftest import (
    GatewayFactory,
    ServerSpy,
    authenticated_clients,
    conversation_of,
    credentials_of,
    settle,
    subscribed,
    visitors,
)

pytestmark = pytest.mark.asyncio
S = ConnectionState


def our_tasks(tasks: set[asyncio.Task[Any]]) -> list[str]:
    """Tasks running gateway or socket.io *client* code (the sandbox's server tasks excluded)."""
    mine = []
    for task in tasks:
        code = getattr(task.get_coro(), "cr_code", None)
        filename = code.co_filename if code is not None else ""
        if (task.get_name().startswith("crisp-rtm-") or "crisp_console/realtime" in filename
                or filename.endswith(("engineio/async_client.py", "socketio/async_client.py"))):
            mine.append(f"{task.get_name()} {code.co_qualname if code else '?'}")
    return mine


async def test_connect_authenticates_with_events_and_rooms(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    gw, rec = make_gateway()
    initial = gw.state
    first = subscribed(sandbox)[0]
    await gw.connect(sandbox.rtm_url, [first])
    assert (initial, gw.state) == (S.IDLE, S.CONNECTED)
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.CONNECTED]
    [client] = authenticated_clients(sandbox)
    assert client.events == set(DEFAULT_EVENTS)
    assert client.rooms == {first}
    assert gw.rooms == (first,)


async def test_only_subscribed_names_and_rooms_reach_the_sink(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, rec = make_gateway(events=["session:set_block", "website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, [first])
    conv = conversation_of(sandbox, first)
    inbox = conv.inbox_id
    sandbox.state.set_block(conv, True)
    sandbox.state.set_inbox(conv, "inbox-x")  # a name we did not subscribe to
    visitors(sandbox, second, 5)  # another room
    visitors(sandbox, first, 7)
    await rec.until(lambda: len(rec.events) >= 2)
    await settle(sandbox)
    assert rec.events == [
        ("session:set_block", {"website_id": first, "session_id": conv.session_id,
                               "inbox_id": inbox, "is_blocked": True}),
        ("website:update_visitors_count", {"website_id": first, "visitors_count": 7}),
    ]


async def test_names_the_server_sends_unasked_are_not_handed_on(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url)
    assert sandbox.rtm is not None
    [sid] = sandbox.rtm.clients
    await sandbox.rtm.sio.emit("message:send", {"website_id": "w"}, to=sid)
    await sandbox.rtm.sio.emit("website:update_visitors_count", {"visitors_count": 1}, to=sid)
    await rec.until(lambda: len(rec.events) >= 1)
    await settle(sandbox)
    assert rec.events == [("website:update_visitors_count", {"visitors_count": 1})]


@pytest.mark.parametrize("rooms", [None, []])
async def test_rooms_left_out_mean_every_subscribed_website_even_later_ones(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy, rooms: list[str] | None
) -> None:
    sites = subscribed(sandbox)
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, rooms)
    assert gw.rooms is None
    assert len(spy.auths) == 1 and "rooms" not in spy.auths[0]  # not even an empty list
    for i, site in enumerate(sites):
        visitors(sandbox, site, i)
    await rec.until(lambda: len(rec.events) == len(sites))
    assert [p["website_id"] for _, p in rec.events] == sites
    later = next(w for w in sandbox.state.websites.values() if not w.subscribed)
    sandbox.state.set_subscribed(later, True)  # bound after we authenticated
    visitors(sandbox, later.website_id, 42)
    await rec.until(lambda: rec.events[-1][1]["website_id"] == later.website_id)
    gw.set_rooms(None)
    gw.set_rooms([])
    assert gw.rooms is None and gw.state is S.CONNECTED
    assert spy.binds == [] and spy.connects == 1  # nothing was narrowed: nothing to send


async def test_sink_receives_a_burst_in_arrival_order(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    first = subscribed(sandbox)[0]
    conv = conversation_of(sandbox, first)
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url, [first])
    for i in range(150):  # two kinds of event interleaved, emitted back to back
        visitors(sandbox, first, i)
        sandbox.state.update_meta(conv, {"subject": f"s{i}"})
    await rec.until(lambda: len(rec.events) >= 300)
    expected: list[tuple[str, Any]] = []
    for i in range(150):
        expected.append(("website:update_visitors_count", i))
        expected.append(("session:set_subject", f"s{i}"))
    got = [(n, p.get("visitors_count", p.get("subject"))) for n, p in rec.events]
    assert got == expected


async def test_a_failing_sink_is_logged_once_per_event_name_and_delivery_goes_on(
    sandbox: Sandbox, make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    first = subscribed(sandbox)[0]
    conv = conversation_of(sandbox, first)
    seen: list[str] = []

    def sink(name: str, payload: Any) -> None:
        seen.append(name)
        if name == "session:set_block" or payload.get("visitors_count", 0) % 2:
            raise RuntimeError(f"sink bug\n{name}")

    gw, rec = make_gateway(sink=sink, events=["website:update_visitors_count",
                                              "session:set_block"])
    await gw.connect(sandbox.rtm_url)
    with caplog.at_level(logging.DEBUG, logger="crisp_console.realtime"):
        for i in range(6):
            visitors(sandbox, first, i)
            sandbox.state.set_block(conv, bool(i % 2 == 0))
        await rec.until(lambda: len(seen) == 12)
    records = [r for r in caplog.records if r.name == "crisp_console.realtime"]
    # A failing sink is our bug: its traceback once per event name (at ERROR), then counted.
    first = [r for r in records if r.levelno >= logging.WARNING]
    assert sorted(r.getMessage().split(":")[0] for r in first) == [
        "RTM sink failed on session", "RTM sink failed on website"]
    assert all(r.levelno == logging.ERROR and r.exc_info for r in first)
    assert all("\n" not in r.getMessage() for r in records)  # one line each
    assert gw.problems == {"RTM sink failed on website:update_visitors_count": 3,
                           "RTM sink failed on session:set_block": 6}
    assert gw.state is S.CONNECTED


async def test_observers_see_each_change_once_and_can_unsubscribe(
    sandbox: Sandbox, make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    gw, rec = make_gateway()
    later: list[ConnectionState] = []

    def broken(state: ConnectionState) -> None:
        raise RuntimeError("observer bug")

    gw.add_state_observer(broken)
    unsubscribe = gw.add_state_observer(later.append)
    with caplog.at_level(logging.ERROR, logger="crisp_console.realtime"):
        await gw.connect(sandbox.rtm_url)
    assert later == rec.states == [S.CONNECTING, S.AUTHENTICATING, S.CONNECTED]
    assert sum("observer failed" in r.getMessage() for r in caplog.records) == 3
    unsubscribe()
    unsubscribe()  # harmless twice
    await gw.aclose()
    assert rec.states[-1] is S.CLOSED and later[-1] is S.CONNECTED


async def test_aclose_is_idempotent_and_leaves_nothing_behind(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    before = asyncio.all_tasks()
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url, subscribed(sandbox)[:1])
    assert our_tasks(asyncio.all_tasks() - before)  # the check below can see our tasks
    await asyncio.gather(gw.aclose(), gw.aclose())
    await gw.aclose()
    assert gw.state is S.CLOSED
    assert rec.states.count(S.CLOSED) == 1
    assert our_tasks(asyncio.all_tasks() - before) == []
    assert not gw.running
    rtm = sandbox.rtm
    assert rtm is not None
    await rec.until(lambda: rtm.clients == {})  # the server saw the socket go
    # Nothing reaches the sink once closed: the server has no socket left to send to.
    visitors(sandbox, subscribed(sandbox)[0], 1)
    await settle(sandbox)
    assert rec.events == []


async def test_aclose_before_connect_and_connect_after_aclose(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    gw, rec = make_gateway()
    await gw.aclose()
    assert rec.states == [S.CLOSED]
    with pytest.raises(ClosedError):
        await gw.connect(sandbox.rtm_url)


async def test_connect_twice_is_refused(sandbox: Sandbox, make_gateway: GatewayFactory) -> None:
    gw, _ = make_gateway()
    await gw.connect(sandbox.rtm_url)
    with pytest.raises(RuntimeError, match="once"):
        await gw.connect(sandbox.rtm_url)
    assert gw.state is S.CONNECTED


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/rtm/", "/rtm/", "http:///rtm/"])
async def test_bad_urls_are_refused(make_gateway: GatewayFactory, url: str) -> None:
    gw, rec = make_gateway()
    with pytest.raises(ValueError, match="RTM URL"):
        await gw.connect(url)
    assert rec.states == []


async def test_the_key_is_never_logged(
    sandbox: Sandbox, make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = sandbox.state.token.key
    gw, rec = make_gateway()
    await gw.connect(sandbox.rtm_url)
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    await rec.until_count(S.CONNECTED, 2)
    await gw.aclose()
    assert key not in caplog.text
    assert key not in repr(gw.__dict__.get("_credentials"))


async def test_default_arguments_build_a_working_gateway(sandbox: Sandbox) -> None:
    got: list[str] = []
    gw = RealtimeGateway(credentials_of(sandbox), lambda n, p: got.append(n))
    try:
        await gw.connect(sandbox.rtm_url)
        visitors(sandbox, subscribed(sandbox)[0], 3)
        await settle(sandbox)
        assert got == ["website:update_visitors_count"]
    finally:
        await gw.aclose()


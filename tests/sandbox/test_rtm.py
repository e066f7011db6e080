"""RTM protocol: authentication, its deadline, binding, and per-socket event filtering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio


def first_conversation(sb: Sandbox, website_id: str) -> Conversation:
    return next(c for c in sb.state.conversations.values() if c.website_id == website_id)


def subscribed(sb: Sandbox) -> list[str]:
    return sb.state.subscribed_website_ids()


async def test_authentication_succeeds_with_the_token(rtm: Factory) -> None:
    probe = await rtm()
    assert await probe.authenticate(["message:send"]) == ("authenticated", True)


@pytest.mark.parametrize(
    "override",
    [{"password": "wrong"}, {"username": "nobody"}, {"tier": "user"}, {"events": "message:send"}],
)
async def test_bad_credentials_get_unauthorized(rtm: Factory, override: dict[str, str]) -> None:
    probe = await rtm()
    events = override.pop("events", ["message:send"])
    name, data = await probe.authenticate(events, **override)  # type: ignore[arg-type]
    assert name == "unauthorized"
    assert isinstance(data["message"], str) and data["message"]


async def test_non_object_authentication_is_unauthorized(rtm: Factory) -> None:
    probe = await rtm()
    await probe.sio.emit("authentication", "hello")
    _, data = await probe.wait_for(lambda n, d: n == "unauthorized")
    assert "object" in data["message"]


async def test_unauthorized_socket_receives_nothing(sandbox: Sandbox, rtm: Factory) -> None:
    probe = await rtm()
    await probe.authenticate(["session:set_state"], password="wrong")
    sandbox.state.set_state(first_conversation(sandbox, subscribed(sandbox)[0]), "resolved")
    await probe.settle()
    assert probe.names() == ["unauthorized"]


@pytest.mark.sandbox_config(auth_timeout=0.3)
async def test_socket_without_authentication_is_closed(sandbox: Sandbox, rtm: Factory) -> None:
    probe = await rtm()
    assert probe.sio.connected
    for _ in range(50):
        if not probe.sio.connected:
            break
        await asyncio.sleep(0.05)
    assert not probe.sio.connected
    assert sandbox.rtm is not None and not sandbox.rtm.clients


@pytest.mark.sandbox_config(auth_timeout=0.3)
async def test_authenticated_socket_outlives_the_deadline(rtm: Factory) -> None:
    probe = await rtm()
    await probe.authenticate(["message:send"])
    await asyncio.sleep(0.6)
    assert probe.sio.connected


async def test_only_subscribed_event_names_are_delivered(sandbox: Sandbox, rtm: Factory) -> None:
    probe = await rtm()
    await probe.authenticate(["session:set_block"])
    conv = first_conversation(sandbox, subscribed(sandbox)[0])
    sandbox.state.set_state(conv, "resolved" if conv.state != "resolved" else "pending")
    sandbox.state.set_block(conv, True)
    await probe.settle()
    assert probe.names() == ["authenticated", "session:set_block"]
    payload = probe.received[1][1]
    assert payload == {"website_id": conv.website_id, "session_id": conv.session_id,
                       "inbox_id": conv.inbox_id, "is_blocked": True}


async def test_rooms_restrict_websites(sandbox: Sandbox, rtm: Factory) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    await probe.authenticate(["session:set_block"], rooms=[second])
    sandbox.state.set_block(first_conversation(sandbox, first), True)
    sandbox.state.set_block(first_conversation(sandbox, second), True)
    await probe.settle()
    sites = [d["website_id"] for n, d in probe.received if n == "session:set_block"]
    assert sites == [second]


async def test_unsubscribed_websites_never_deliver(sandbox: Sandbox, rtm: Factory) -> None:
    unbound = next(w for w in sandbox.state.websites.values() if not w.subscribed)
    conv = sandbox.state.create_conversation(unbound.website_id)
    probe = await rtm()
    # Even naming the unbound website as a room does not let its events through.
    await probe.authenticate(["session:set_block"], rooms=[unbound.website_id])
    sandbox.state.set_block(conv, True)
    await probe.settle()
    assert probe.names() == ["authenticated"]


async def test_bind_replaces_events_and_rooms(sandbox: Sandbox, rtm: Factory) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    await probe.authenticate(["session:set_block"], rooms=[first])
    await probe.sio.emit("socket:bind", {"events": ["session:set_state"], "rooms": [second]})
    await asyncio.sleep(0.05)
    conv1, conv2 = first_conversation(sandbox, first), first_conversation(sandbox, second)
    sandbox.state.set_block(conv1, True)
    sandbox.state.set_block(conv2, True)
    sandbox.state.set_state(conv1, "resolved" if conv1.state != "resolved" else "pending")
    sandbox.state.set_state(conv2, "resolved" if conv2.state != "resolved" else "pending")
    await probe.settle()
    got = [(n, d["website_id"]) for n, d in probe.received[1:]]
    assert got == [("session:set_state", second)]


@pytest.mark.parametrize("empty", [{}, ""])
async def test_empty_bind_rebinds_to_all_subscribed(
    sandbox: Sandbox, rtm: Factory, empty: object
) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    await probe.authenticate(["session:set_block"], rooms=[first])
    await probe.sio.emit("socket:bind", empty)
    await asyncio.sleep(0.05)
    sandbox.state.set_block(first_conversation(sandbox, first), True)
    sandbox.state.set_block(first_conversation(sandbox, second), True)
    await probe.settle()
    sites = {d["website_id"] for n, d in probe.received if n == "session:set_block"}
    assert sites == {first, second}


async def test_bind_push_and_pop_edit_the_event_list(sandbox: Sandbox, rtm: Factory) -> None:
    conv = first_conversation(sandbox, subscribed(sandbox)[0])
    probe = await rtm()
    await probe.authenticate(["session:set_block"])
    await probe.sio.emit("socket:bind:push", {"events": ["session:set_inbox"]})
    await probe.sio.emit("socket:bind:pop", {"events": ["session:set_block"]})
    await asyncio.sleep(0.05)
    sandbox.state.set_block(conv, True)
    sandbox.state.set_inbox(conv, "inbox-1")
    await probe.settle()
    assert probe.names() == ["authenticated", "session:set_inbox"]


async def test_bind_before_authentication_is_refused(rtm: Factory) -> None:
    probe = await rtm()
    await probe.sio.emit("socket:bind", {"events": ["message:send"]})
    _, data = await probe.wait_for(lambda n, d: n == "unauthorized")
    assert data == {"message": "not authenticated"}


async def test_events_keep_their_order(sandbox: Sandbox, rtm: Factory) -> None:
    conv = first_conversation(sandbox, subscribed(sandbox)[0])
    probe = await rtm()
    await probe.authenticate(["session:set_nickname"])
    for i in range(30):
        sandbox.state.update_meta(conv, {"nickname": f"n{i}"})
    await probe.settle()
    names = [d["nickname"] for n, d in probe.received if n == "session:set_nickname"]
    assert names == [f"n{i}" for i in range(30)]


async def test_subscription_change_reaches_sockets_with_rooms(
    sandbox: Sandbox, rtm: Factory
) -> None:
    unbound = next(w for w in sandbox.state.websites.values() if not w.subscribed)
    probe = await rtm()
    await probe.authenticate(["plugin:subscription:updated"], rooms=subscribed(sandbox)[:1])
    sandbox.state.set_subscribed(unbound, True)
    _, data = await probe.wait_for(lambda n, d: n == "plugin:subscription:updated")
    assert data == {"website_id": unbound.website_id, "plugin_id": sandbox.state.token.plugin_id,
                    "bound": True, "target": unbound.website_id}


async def test_two_sockets_filter_independently(sandbox: Sandbox, rtm: Factory) -> None:
    conv = first_conversation(sandbox, subscribed(sandbox)[0])
    a, b = await rtm(), await rtm()
    await a.authenticate(["session:set_block"])
    await b.authenticate(["session:set_inbox"])
    sandbox.state.set_block(conv, True)
    sandbox.state.set_inbox(conv, None)
    await a.settle()
    assert a.names() == ["authenticated", "session:set_block"]
    assert b.names() == ["authenticated", "session:set_inbox"]

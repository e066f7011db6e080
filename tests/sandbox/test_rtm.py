"""RTM protocol: authentication, its deadline, binding, and per-socket event filtering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.rtm import RtmClient
from crisp_console.sandbox.scopes import revoke
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe

Factory = Callable[..., Awaitable[RtmProbe]]
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
async def test_authenticated_socket_outlives_the_deadline(sandbox: Sandbox,
                                                         rtm: Factory) -> None:
    probe = await rtm()
    await probe.authenticate(["message:send"])
    assert sandbox.rtm is not None
    [client] = sandbox.rtm.clients.values()
    # The deadline's timer is gone, not merely not yet due: nothing is left to close it.
    assert client.authenticated and client.deadline is None
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


@pytest.mark.sandbox_config(behaviours=Behaviours(strict_rooms=False))
async def test_lenient_rooms_accept_an_unbound_website_but_never_deliver_it(
    sandbox: Sandbox, rtm: Factory
) -> None:
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
    await bound(sandbox, lambda c: c.events == {"session:set_state"} and c.rooms == {second})
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
    await bound(sandbox, lambda c: c.authenticated and c.rooms is None)
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
    await bound(sandbox, lambda c: c.events == {"session:set_inbox"})
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


# ---- strict_rooms (row 3) -------------------------------------------------------------------


async def bound(sb: Sandbox, pred: Callable[[RtmClient], bool]) -> None:
    """Wait until the server holds a socket matching ``pred`` (a bind has no answer)."""
    assert sb.rtm is not None
    async with asyncio.timeout(5):
        while not any(pred(c) for c in sb.rtm.clients.values()):
            await asyncio.sleep(0.01)


def unbound_id(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


async def block_then_nudge(sb: Sandbox, probe: RtmProbe, blocked: Conversation,
                           nudged: Conversation) -> list[str]:
    """Block ``blocked``, then re-authenticate ``probe`` without rooms and block ``nudged``:
    events reach a socket in the order they happened, so once the second arrives the first
    would have arrived before it. The websites of the ``session:set_block`` events received."""
    sb.state.set_block(blocked, True)
    assert await probe.authenticate(["session:set_block"]) == ("authenticated", True)
    sb.state.set_block(nudged, True)
    await probe.wait_for(lambda n, d: n == "session:set_block"
                         and d["session_id"] == nudged.session_id)
    return [d["session_id"] for n, d in probe.received if n == "session:set_block"]


@pytest.mark.parametrize("rooms", ["unbound", "unknown", "empty", "not a list"])
async def test_strict_rooms_refuse_authentication(
    sandbox: Sandbox, rtm: Factory, rooms: str
) -> None:
    first = subscribed(sandbox)[0]
    given = {"unbound": [first, unbound_id(sandbox)], "unknown": ["no-such-website"],
             "empty": [], "not a list": first}[rooms]
    probe = await rtm()
    name, data = await probe.authenticate(["session:set_block"], rooms=given)  # type: ignore[arg-type]
    assert name == "unauthorized"
    assert isinstance(data["message"], str) and data["message"]
    # The refused socket heard nothing: the event before the good authentication is missing.
    a, b = (first_conversation(sandbox, w) for w in subscribed(sandbox)[:2])
    assert await block_then_nudge(sandbox, probe, a, b) == [b.session_id]


@pytest.mark.sandbox_config(behaviours=Behaviours(strict_rooms=False))
async def test_lenient_empty_rooms_mean_every_subscribed_website(
    sandbox: Sandbox, rtm: Factory
) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    assert await probe.authenticate(["session:set_state"], rooms=[]) == ("authenticated", True)
    await probe.sio.emit("socket:bind", {"events": ["session:set_block"], "rooms": []})
    await bound(sandbox, lambda c: c.events == {"session:set_block"} and c.rooms is None)
    sandbox.state.set_block(first_conversation(sandbox, first), True)
    sandbox.state.set_block(first_conversation(sandbox, second), True)
    await probe.wait_for(lambda n, d: n == "session:set_block" and d["website_id"] == second)
    sites = [d["website_id"] for n, d in probe.received if n == "session:set_block"]
    assert sites == [first, second]


async def test_strict_rooms_omitted_follow_websites_bound_later(
    sandbox: Sandbox, rtm: Factory
) -> None:
    unbound = sandbox.state.websites[unbound_id(sandbox)]
    conv = sandbox.state.create_conversation(unbound.website_id)
    probe = await rtm()
    assert await probe.authenticate(["session:set_block"]) == ("authenticated", True)
    sandbox.state.set_subscribed(unbound, True)
    sandbox.state.set_block(conv, True)
    _, data = await probe.wait_for(lambda n, d: n == "session:set_block")
    assert data["website_id"] == unbound.website_id


async def test_strict_rooms_accept_bound_websites(sandbox: Sandbox, rtm: Factory) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    assert await probe.authenticate(["session:set_block"], rooms=[second]) == \
        ("authenticated", True)
    sandbox.state.set_block(first_conversation(sandbox, first), True)
    sandbox.state.set_block(first_conversation(sandbox, second), True)
    await probe.wait_for(lambda n, d: n == "session:set_block")
    assert [d["website_id"] for n, d in probe.received if n == "session:set_block"] == [second]


@pytest.mark.parametrize("rooms", [["unbound"], []])
async def test_strict_rooms_refused_bind_silences_the_socket_until_it_authenticates(
    sandbox: Sandbox, rtm: Factory, rooms: list[str]
) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    await probe.authenticate(["session:set_block"], rooms=[first])
    given = [unbound_id(sandbox) if r == "unbound" else r for r in rooms]
    name, data = await probe.answer("socket:bind",
                                    {"events": ["session:set_block"], "rooms": given})
    assert name == "unauthorized" and data["message"]
    assert probe.sio.connected
    a, b = first_conversation(sandbox, first), first_conversation(sandbox, second)
    assert await block_then_nudge(sandbox, probe, a, b) == [b.session_id]


@pytest.mark.sandbox_config(auth_timeout=0.3)
async def test_strict_rooms_refused_bind_rearms_the_auth_deadline(
    sandbox: Sandbox, rtm: Factory
) -> None:
    probe = await rtm()
    await probe.authenticate(["session:set_block"])
    await probe.answer("socket:bind", {"rooms": []})
    async with asyncio.timeout(5):
        while probe.sio.connected:
            await asyncio.sleep(0.05)
    assert sandbox.rtm is not None and not sandbox.rtm.clients


async def test_strict_rooms_bind_without_rooms_means_every_subscribed_website(
    sandbox: Sandbox, rtm: Factory
) -> None:
    first, second = subscribed(sandbox)[:2]
    probe = await rtm()
    await probe.authenticate(["session:set_state"], rooms=[first])
    await probe.sio.emit("socket:bind", {"events": ["session:set_block"]})
    await bound(sandbox, lambda c: c.events == {"session:set_block"} and c.rooms is None)
    sandbox.state.set_block(first_conversation(sandbox, first), True)
    sandbox.state.set_block(first_conversation(sandbox, second), True)
    await probe.wait_for(lambda n, d: n == "session:set_block" and d["website_id"] == second)
    sites = [d["website_id"] for n, d in probe.received if n == "session:set_block"]
    assert sites == [first, second]


# ---- scopes, event side (row 6) -------------------------------------------------------------

VISITORS = "website:update_visitors_count"


async def test_events_outside_the_grants_are_never_sent(sandbox: Sandbox, rtm: Factory) -> None:
    website = sandbox.state.websites[subscribed(sandbox)[0]]
    conv = first_conversation(sandbox, website.website_id)
    probe = await rtm()
    await probe.authenticate([VISITORS, "session:set_block", "plugin:subscription:updated"])
    # Grants are read at emit time: revoking after authentication takes effect at once.
    sandbox.config.grants = revoke(sandbox.config.grants, ["website:visitors:read"])
    sandbox.state.set_visitors_count(website, 5)
    sandbox.state.set_block(conv, True)
    await probe.wait_for(lambda n, d: n == "session:set_block")
    assert probe.names() == ["authenticated", "session:set_block"]
    # Plugin events need no scope: they arrive with no grant at all.
    sandbox.config.grants = {}
    sandbox.state.set_visitors_count(website, 6)
    sandbox.state.set_subscribed(sandbox.state.websites[unbound_id(sandbox)], True)
    await probe.wait_for(lambda n, d: n == "plugin:subscription:updated")
    assert probe.names() == ["authenticated", "session:set_block", "plugin:subscription:updated"]


@pytest.mark.sandbox_config(behaviours=Behaviours(scopes=False))
async def test_lenient_scopes_send_every_event(sandbox: Sandbox, rtm: Factory) -> None:
    website = sandbox.state.websites[subscribed(sandbox)[0]]
    probe = await rtm()
    await probe.authenticate([VISITORS])
    sandbox.config.grants = {}
    sandbox.state.set_visitors_count(website, 5)
    _, data = await probe.wait_for(lambda n, d: n == VISITORS)
    assert data["visitors_count"] == 5

"""The start-up sequence and live events changing the store."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest

from crisp_console.client import ConsoleClient, StartupError
from crisp_console.client.words import local_hhmm
from crisp_console.errors import AuthError, ProtocolError, QuotaExceededError
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client, until

pytestmark = pytest.mark.asyncio


async def test_start_loads_websites_conversations_operators_then_goes_live(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    state = sandbox.state
    assert client.websites.plugin_id == state.token.plugin_id
    assert set(client.store.websites) == set(state.subscribed_website_ids())
    for website_id, website in client.store.websites.items():
        assert website.settings == state.websites[website_id].settings
        assert website.name == state.websites[website_id].name
    # The first page (50, newest activity first, non-empty) of each website is in the store.
    for website_id in state.subscribed_website_ids():
        expected = sorted((c for c in state.website_conversations(website_id) if c.messages),
                          key=lambda c: (-c.updated_at, c.session_id))[:50]
        assert {c.session_id for c in expected} <= set(client.store.conversations)
    assert set(client.store.operators) == {op.user_id for op in state.operators}
    assert client.connection_state is ConnectionState.CONNECTED


async def test_events_between_loading_and_going_live_are_not_lost(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    website_id = sandbox.state.subscribed_website_ids()[0]
    original = client.api.connect_endpoints

    async def slow_endpoints() -> dict[str, object]:
        # The REST snapshot is done, the live feed is not up yet: a visitor writes now.
        conv = sandbox.state.create_conversation(website_id)
        sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                                  content="in the start-up gap", user=conv.visitor)
        slow_endpoints.session_id = conv.session_id  # type: ignore[attr-defined]
        return await original()

    client.api.connect_endpoints = slow_endpoints  # type: ignore[method-assign]
    try:
        await client.start()
        session_id = slow_endpoints.session_id  # type: ignore[attr-defined]
        await until(lambda: session_id in client.store.conversations, what="gap filled")
        assert client.store.conversations[session_id].last_message == "in the start-up gap"
    finally:
        await client.aclose()


async def test_wrong_key_fails_at_the_first_step(sandbox: Sandbox) -> None:
    client = make_client(sandbox, key="wrong")
    try:
        with pytest.raises(AuthError) as caught:  # what app.py tells apart: sign in again
            await client.start()
        assert isinstance(caught.value, StartupError)
        assert caught.value.message.startswith("Could not check the token: Crisp refused "
                                               "the token")
        assert str(caught.value) == caught.value.message
        assert isinstance(caught.value.error, AuthError)
        assert not client.store.conversations
    finally:
        await client.aclose()


async def test_an_unreadable_answer_at_start_up_is_said_in_words(sandbox: Sandbox) -> None:
    client = make_client(sandbox)

    async def account() -> dict[str, object]:
        raise ProtocolError("plugin_id should be a non-empty string, not a number",
                            where="GET plugin/connect/account")

    client.api.connect_account = account  # type: ignore[method-assign]
    async with client:
        with pytest.raises(StartupError) as caught:
            await client.start()
    error = caught.value
    assert not isinstance(error, AuthError)
    assert error.step == "read the plugin's account"
    assert error.message == (
        "Could not read the plugin's account: Crisp answered something this console cannot "
        "read (GET plugin/connect/account: plugin_id should be a non-empty string, not a "
        "number).")
    assert isinstance(error.__cause__, ProtocolError)


async def test_a_spent_quota_at_start_up_gives_the_reset_time(
    sandbox: Sandbox, admin: httpx.AsyncClient
) -> None:
    await admin.patch("faults", json={"daily_quota": 1})
    await admin.post("quota/reset")
    client = make_client(sandbox)
    async with client:
        with pytest.raises(StartupError) as caught:
            await client.start()
    assert isinstance(caught.value.error, QuotaExceededError)
    assert caught.value.step == "read the plugin's account"  # check_session spent the last
    resets_at = caught.value.error.resets_at
    assert f"daily API quota is spent; it resets at {local_hhmm(resets_at)} (midnight UTC)" \
        in caught.value.message


async def test_hostile_events_are_reported_once_per_kind(
    client: ConsoleClient, caplog: pytest.LogCaptureFixture
) -> None:
    conv = next(iter(client.store.conversations.values()))
    # An optimistic change is waiting for its echo: echoes are compared with it.
    client.store.change_state(conv.session_id, "resolved", hold=60.0)
    client.add_event_listener(lambda name, payload: 1 / 0)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="crisp_console"):
        for _ in range(200):
            client.events.on_event("session:set_state", {"session_id": ["un", "hashable"],
                                                         "fingerprint": {}, "state": []})
            client.events.on_event("bucket:url:upload:generated", {"id": {"x": 1}})
            client.events.on_event("message:send", {"session_id": 7, "website_id": None})
    # Once per kind (then a line at 10, 100...): 600 failures of the listener's bug give one
    # traceback; the store's drops of the bad payloads are counted the same way.
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    failures = [r.getMessage() for r in logged if "listener failed" in r.getMessage()]
    assert len(failures) == 3 and "100 times so far" in failures[-1]
    traced = [r.getMessage() for r in logged if r.exc_info]
    assert len(traced) == 1 and traced[0] == failures[0]
    assert client.events.problems.counts() == {"an RTM event listener failed": 600}
    assert len(logged) <= 12
    assert len(client.fetches) == 0


async def test_a_refusal_refreshes_the_websites_and_keeps_rooms_out(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient
) -> None:
    unbound = next(w for w in sandbox.state.websites.values() if not w.subscribed)
    await admin.post(f"websites/{unbound.website_id}/subscription", json={"bound": True})
    assert await client.websites.refresh() is None  # rooms stay out: every bound website
    assert unbound.website_id in client.store.websites
    sandbox.state.token = dataclasses.replace(sandbox.state.token, key="rotated")
    with pytest.raises(AuthError):  # a refresh that fails makes the refusal final
        await client.websites.refresh()


async def test_a_website_bound_again_during_a_refresh_gets_its_conversations_back(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    """Plugin events heard while a websites refresh is under way ask for another one: that
    refresh read the changes before them (once, a website unbound and bound again in that
    window never got its conversations back until the next poll, an hour later)."""
    state = sandbox.state
    store = client.store
    await until(lambda: client.catchup.completed > 0, what="the start-up's catch-up")
    site = next(state.websites[c.website_id] for c in store.conversations.values())
    other = next(w for w in state.websites.values() if not w.subscribed)
    original = client.api.connect_websites_since
    answered = 0

    async def changes_then_more(since: object) -> list[dict[str, object]]:
        nonlocal answered
        changes = await original(since)  # type: ignore[arg-type]
        answered += 1
        if answered == 1:  # read: now the website is unbound and bound again, both heard
            state.set_subscribed(site, False)
            await until(lambda: not store.websites[site.website_id].subscribed,
                        what="the unbinding heard")
            state.set_subscribed(site, True)
            await until(lambda: store.websites[site.website_id].subscribed,
                        what="the binding heard")
        return changes

    client.api.connect_websites_since = changes_then_more  # type: ignore[method-assign]
    state.set_subscribed(other, True)  # its event starts a refresh
    await until(lambda: answered >= 2 and any(c.website_id == site.website_id
                                              for c in store.conversations.values()),
                what="another refresh, and the website's conversations back")
    assert store.websites[other.website_id].subscribed


async def test_aclose_is_idempotent(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    await client.start()
    await client.aclose()
    await client.aclose()
    assert client.connection_state is ConnectionState.CLOSED
    assert len(client.tasks) == 0


async def test_visitor_message_for_an_unknown_conversation_is_fetched(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    website_id = sandbox.state.subscribed_website_ids()[0]
    conv = sandbox.state.create_conversation(website_id, meta={"nickname": "Newcomer",
                                                               "segments": [], "data": {}})
    sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                              content="Hello?", user=conv.visitor)
    await until(lambda: conv.session_id in client.store.conversations, what="fetched")
    row = client.store.conversations[conv.session_id]
    assert row.nickname == "Newcomer"
    assert row.last_message == "Hello?"

"""The start-up sequence and live events changing the store."""

from __future__ import annotations

import pytest

from crisp_console.client import ConsoleClient
from crisp_console.errors import AuthError
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client, until

pytestmark = pytest.mark.asyncio


async def test_start_loads_websites_conversations_operators_then_goes_live(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    state = sandbox.state
    assert client.plugin_id == state.token.plugin_id
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
        with pytest.raises(AuthError):
            await client.start()
        assert not client.store.conversations
    finally:
        await client.aclose()


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

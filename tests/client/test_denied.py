"""A 403 on one route disables that feature, in words, and never aborts start-up or a whole
panel. Scopes are revoked on the sandbox (``PATCH /_sandbox/scopes``); the two plugin routes
no scope governs (subscription settings, connect endpoints) are refused by replacing the
client's route method with one that raises what Crisp's 403 becomes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.client import (
    LIVE_FEED,
    OPERATORS,
    ConsoleClient,
    conversations_of,
    team_settings_of,
    website_details_of,
)
from crisp_console.client.team_settings import TeamSettings
from crisp_console.errors import NotAllowedError
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client, until

pytestmark = pytest.mark.asyncio


async def revoke(admin: httpx.AsyncClient, *scopes: str) -> None:
    resp = await admin.patch("scopes", json={"revoke": list(scopes)})
    assert resp.status_code == 200, resp.text


def not_allowed(*_: Any, **__: Any) -> Any:
    async def refuse() -> Any:
        raise NotAllowedError(403, "not_allowed", "the token may not do that")
    return refuse()


async def test_start_without_operators_or_website_details(sandbox: Sandbox,
                                                          admin: httpx.AsyncClient) -> None:
    await revoke(admin, "website:operators", "website:settings")
    async with make_client(sandbox) as client:
        await client.start()
        assert client.connection_state is ConnectionState.CONNECTED
        subscribed = sandbox.state.subscribed_website_ids()
        denied = client.health.denied
        assert "operators" in denied[OPERATORS] and "assigned" in denied[OPERATORS]
        assert not client.store.operators and client.me is None
        for website_id in subscribed:
            assert client.store.websites[website_id].name == website_id
            assert website_id in denied[website_details_of(website_id)]
            assert conversations_of(website_id) not in denied
        assert client.store.conversations  # the rest loaded as usual
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")


async def test_start_without_conversations(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    await revoke(admin, "website:conversation:sessions")
    async with make_client(sandbox) as client:
        await client.start()
        assert not client.store.conversations
        for website_id in sandbox.state.subscribed_website_ids():
            words = client.health.denied_for(conversations_of(website_id))
            assert words is not None and "conversations" in words
        assert client.store.operators
        # The owed catch-up is not stuck on the refusal: it skips what is not allowed.
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        assert client.catchup.completed == 1
        # A visitor's live event names an unknown conversation: its fetch is refused, dropped.
        answer = await admin.post("simulate", json={"action": "conversation", "text": "hi"})
        assert answer.status_code == 200
        await until(lambda: len(client.fetches) == 0 and not client.health.catching_up,
                    what="no owed fetch left")


async def test_start_without_the_live_feed(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    client.api.connect_endpoints = not_allowed  # type: ignore[method-assign]
    async with client:
        await client.start()
        assert client.connection_state is ConnectionState.IDLE
        words = client.health.denied_for(LIVE_FEED)
        assert words is not None and "live" in words
        assert not client.health.catching_up  # nothing arrives live: nothing to catch up with
        assert client.store.conversations and client.store.operators


async def test_start_without_subscription_settings(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    client.api.subscription_settings = not_allowed  # type: ignore[method-assign]
    async with client:
        await client.start()
        team = TeamSettings(client)
        for website_id in sandbox.state.subscribed_website_ids():
            words = client.health.denied_for(team_settings_of(website_id))
            assert words is not None and "canned responses" in words
            with pytest.raises(NotAllowedError):
                await team.load(website_id)
        assert await team.load_all() == {}
        team.close()
        assert client.connection_state is ConnectionState.CONNECTED


async def test_a_scope_granted_again_lifts_the_denial(sandbox: Sandbox,
                                                      admin: httpx.AsyncClient) -> None:
    await revoke(admin, "website:conversation:sessions")
    async with make_client(sandbox) as client:
        await client.start()
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        assert client.health.denied
        await admin.patch("scopes", json={"reset": True})
        assert sandbox.rtm is not None
        await sandbox.rtm.drop_all()  # the next catch-up lists the conversations again
        await until(lambda: not client.health.denied and client.store.conversations,
                    what="allowed again")


# scope revoked -> the section of ConversationDetails.denied it disables
SECTION_SCOPES = {
    "messages": "website:conversation:messages",
    "pages": "website:conversation:pages",
    "events": "website:conversation:events",
    "profile": "website:people:profiles",
    "data": "website:people:data",
    "person_events": "website:people:events",
    "past_conversations": "website:people:conversations",
}


@pytest.mark.parametrize("section", list(SECTION_SCOPES))
async def test_people_panel_sections_are_denied_one_by_one(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient, section: str
) -> None:
    state = sandbox.state
    conv = next(state.conversations[s] for s in client.store.conversations
                if state.conversations[s].people_id and state.conversations[s].messages)
    await revoke(admin, SECTION_SCOPES[section])
    opened = await client.loader.open_conversation(conv.session_id)
    found = await client.details.load(conv.session_id)  # the people panel, shown
    denied = {**opened.denied, **found.denied}
    assert set(denied) == {section}
    assert "not allow" in denied[section]
    loaded = {"messages": bool(client.store.messages(conv.session_id)),
              "profile": found.profile is not None,
              "past_conversations": conv.session_id in found.past_conversations}
    for name, present in loaded.items():
        assert present is (name != section), name
    assert client.store.timeline_loaded(conv.session_id) is (section != "messages")

"""Timelines against the strict sandbox: opening loads the newest page once, older pages go
back from the store's cursor, and a conversation removed and back starts afresh (issue 12:
its thread was empty, and older pages went back from a stale cursor)."""

from __future__ import annotations

import httpx
import pytest

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import until

pytestmark = pytest.mark.asyncio

LINES = 90  # more than two batches of the sandbox's history (40)


def long_conversation(sb: Sandbox, client: ConsoleClient) -> Conversation:
    """A conversation the client listed, with more history than one batch."""
    conv = next(sb.state.conversations[s] for s in client.store.conversations
                if sb.state.conversations[s].messages)
    for i in range(LINES):
        sb.state.add_message(conv, type="text", from_="user", origin="chat",
                             content=f"line {i}", user=conv.visitor)
    return conv


async def read_it_all(client: ConsoleClient, conv: Conversation) -> None:
    """Open the conversation, then page back to its start, as the thread does."""
    sid = conv.session_id
    await client.loader.open_conversation(sid)
    # The newest page at least (a catch-up may have brought more), in the server's order.
    mine = [m.fingerprint for m in client.store.messages(sid)]
    server = [m.fingerprint for m in conv.messages]
    assert mine and mine[-1] == server[-1]
    assert mine == [fp for fp in server if fp in set(mine)]
    while await client.loader.load_older(sid):
        pass
    assert client.store.at_history_start(sid)
    assert [m.fingerprint for m in client.store.messages(sid)] == [
        m.fingerprint for m in conv.messages]


async def test_open_loads_the_newest_page_once_and_older_pages_reach_the_start(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = long_conversation(sandbox, client)
    sid = conv.session_id
    assert not client.store.timeline_loaded(sid)
    await read_it_all(client, conv)
    assert client.store.history_cursor(sid) == conv.messages[0].timestamp
    held = client.store.messages(sid)
    await client.loader.open_conversation(sid)  # loaded: no page again, nothing changes
    assert client.store.messages(sid) == held


async def test_a_conversation_unbound_and_bound_again_shows_its_thread(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient) -> None:
    conv = long_conversation(sandbox, client)
    sid, website = conv.session_id, conv.website_id
    await read_it_all(client, conv)
    await admin.post(f"websites/{website}/subscription", json={"bound": False})
    await until(lambda: sid not in client.store.conversations, what="its removal")
    assert not client.store.timeline_loaded(sid) and client.store.history_cursor(sid) is None
    await admin.post(f"websites/{website}/subscription", json={"bound": True})
    await until(lambda: sid in client.store.conversations, what="its return")
    assert client.store.messages(sid) == [] and not client.store.at_history_start(sid)
    await read_it_all(client, conv)  # the newest page first, then back to the start


async def test_a_conversation_removed_and_back_shows_its_thread(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = long_conversation(sandbox, client)
    sid = conv.session_id
    await read_it_all(client, conv)
    # Crisp says it is gone (the sandbox keeps it, so that it can come back)...
    sandbox.state.emit("session:removed", {"website_id": conv.website_id, "session_id": sid,
                                           "inbox_id": conv.inbox_id})
    await until(lambda: sid not in client.store.conversations, what="its removal")
    # ...and the visitor writes again: the live event names it, the client fetches it.
    sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                              content="still there?", user=conv.visitor)
    await until(lambda: sid in client.store.conversations, what="its return")
    await read_it_all(client, conv)
    assert client.store.messages(sid)[-1].content == "still there?"

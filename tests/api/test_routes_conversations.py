"""Conversation routes of CrispApi (list, get, exists, create, remove, state, routing, meta,
block, sub-lists), against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crisp_console.api import CrispApi
from crisp_console.errors import NotFoundError, ValidationError
from crisp_console.sandbox.server import Sandbox
from tests.api.helpers import bound_website

pytestmark = pytest.mark.asyncio


def listed(sb: Sandbox, website_id: str) -> set[str]:
    """Conversations List Conversations shows by default (those with messages)."""
    return {c.session_id for c in sb.state.website_conversations(website_id) if c.messages}


async def test_list_conversations_pages_and_filters(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    first = await crisp.list_conversations(wid)
    assert len(first) == 20  # the default per_page
    assert all(c["website_id"] == wid for c in first)
    updated = [c["updated_at"] for c in first]
    assert updated == sorted(updated, reverse=True)
    assert len(await crisp.list_conversations(wid, per_page=25)) == 25

    unread = await crisp.list_conversations(wid, per_page=50, filter_unread=True)
    assert {c["session_id"] for c in unread} == {
        c.session_id for c in sandbox.state.website_conversations(wid)
        if c.messages and c.unread_operator > 0}
    resolved = await crisp.list_conversations(wid, per_page=50, filter_resolved=True)
    assert resolved and all(c["state"] == "resolved" for c in resolved)
    # Booleans go as 1/0: filter_resolved=False filters nothing.
    everything = await crisp.list_conversations(wid, per_page=50, filter_resolved=False)
    assert {c["session_id"] for c in everything} == listed(sandbox, wid)
    with_empty = await crisp.list_conversations(wid, per_page=50, include_empty=True)
    assert len(with_empty) > len(everything)

    # A datetime goes as ISO Z: conversations updated at or after it.
    pivot = sorted(c["updated_at"] for c in everything)[len(everything) // 2]
    start = datetime.fromtimestamp(pivot / 1000, UTC)
    recent = await crisp.list_conversations(wid, per_page=50, filter_date_start=start)
    assert {c["session_id"] for c in recent} == {
        c["session_id"] for c in everything if c["updated_at"] >= pivot}

    created = await crisp.list_conversations(wid, per_page=50, order_date_created=True)
    stamps = [c["created_at"] for c in created]
    assert stamps == sorted(stamps, reverse=True)

    name = first[0]["meta"]["nickname"]
    found = await crisp.list_conversations(wid, search_query=name, search_type="text")
    assert first[0]["session_id"] in {c["session_id"] for c in found}

    with pytest.raises(ValidationError) as err:
        await crisp.list_conversations(wid, per_page=10)
    assert "per_page" in err.value.message


async def test_iter_conversations_reaches_the_end_once_each(crisp: CrispApi,
                                                            sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    seen = [c["session_id"] async for c in crisp.iter_conversations(wid, per_page=20)]
    assert len(seen) == len(set(seen))
    assert set(seen) == listed(sandbox, wid)
    later = datetime.now(UTC) + timedelta(days=1)
    assert [c async for c in crisp.iter_conversations(wid, filter_date_start=later)] == []


async def test_get_create_remove(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    session_id = await crisp.create_conversation(wid)
    assert session_id.startswith("session_")
    assert session_id in sandbox.state.conversations
    conv = await crisp.get_conversation(wid, session_id)
    assert conv["session_id"] == session_id and conv["state"] == "pending"

    await crisp.remove_conversation(wid, session_id)
    assert session_id not in sandbox.state.conversations
    with pytest.raises(NotFoundError):
        await crisp.get_conversation(wid, session_id)


async def test_state_routing_meta_block(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    sid = await crisp.create_conversation(wid)
    conv = sandbox.state.conversations[sid]

    assert conv.state == "pending"
    await crisp.set_state(wid, sid, "resolved")
    assert conv.state == "resolved"

    operator = sandbox.state.operators[1].user_id
    assert conv.assigned is None
    await crisp.assign(wid, sid, operator)
    assert conv.assigned == operator
    await crisp.assign(wid, sid, None)
    assert conv.assigned is None

    await crisp.update_meta(wid, sid, {"nickname": "Ada", "segments": ["vip"],
                                       "data": {"plan": "pro"}})
    meta = conv.meta
    assert (meta["nickname"], meta["segments"], meta["data"]) == ("Ada", ["vip"],
                                                                 {"plan": "pro"})
    with pytest.raises(ValidationError) as err:
        await crisp.update_meta(wid, sid, {"email": "not an email"})
    assert err.value.message.startswith("data.email")

    assert conv.is_blocked is False
    await crisp.set_block(wid, sid, True)
    assert conv.is_blocked is True


async def test_pages_events_files_lists(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    convs = list(sandbox.state.website_conversations(wid))
    with_pages = next(c for c in convs if c.pages)
    with_events = next(c for c in convs if c.events)
    with_files = next(c for c in convs if c.files)

    pages = await crisp.list_pages(wid, with_pages.session_id)
    assert {p["page_url"] for p in pages} == {p["page_url"] for p in with_pages.pages[-20:]}
    assert await crisp.list_pages(wid, with_pages.session_id, 99) == []
    events = await crisp.list_events(wid, with_events.session_id)
    assert len(events) == min(20, len(with_events.events))
    assert all("text" in e for e in events)
    files = await crisp.list_files(wid, with_files.session_id)
    assert {f["fingerprint"] for f in files} == {f["fingerprint"] for f in with_files.files}
    assert await crisp.list_files(wid, with_files.session_id, 2) == []

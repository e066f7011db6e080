"""Crisp's text search through the client, and the merge with local hits."""

from __future__ import annotations

import pytest

from crisp_console.client.search import merge
from crisp_console.core import Store
from crisp_console.sandbox.config import Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit
from tests.client.conftest import make_client


def mentions_vat(conv: object) -> bool:
    return any(m.type in ("text", "note") and isinstance(m.content, str)
               and "vat" in m.content.casefold() for m in conv.messages)  # type: ignore[attr-defined]


@pytest.mark.asyncio
@pytest.mark.sandbox_config(sizes=Sizes())
async def test_server_search_finds_conversations_never_loaded(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    try:
        await client.start()
        ids = client.websites.ids()
        state = sandbox.state
        expected = {c.session_id for wid in ids for c in state.website_conversations(wid)
                    if c.messages and mentions_vat(c)}
        assert expected - set(client.store.conversations)  # some were never loaded
        before = client.api.requests_by_purpose()["search"]
        answer = await client.search.server("VAT", ids)
        assert set(answer.session_ids) >= expected
        assert not answer.problem
        assert set(answer.session_ids) <= set(client.store.conversations)  # merged in
        assert client.api.requests_by_purpose()["search"] - before == len(ids)
        assert (await client.search.server("v", ids)).session_ids == ()  # one letter: no ask
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_a_failing_website_is_said_and_the_others_count(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    try:
        await client.start()
        ids = client.websites.ids()
        answer = await client.search.server("refund", [*ids, "no-such-website"])
        assert answer.problem
        assert answer.session_ids
    finally:
        await client.aclose()


def test_merge_marks_both_sources_and_appends_server_only_conversations() -> None:
    store = Store()
    store.upsert_conversations([
        {"session_id": f"session_{n}", "website_id": "w", "last_message": f"last {n}",
         "updated_at": 1000 + n, "state": "pending"} for n in range(3)])
    local = [LocalHit("session_1", "w", 7, 500, f"a {HIT_START}vat{HIT_END}", "message", 1.0),
             LocalHit("session_2", "w", None, 400, "x", "name", 2.0)]
    rows = merge(local, ["session_0", "session_1", "session_unknown"], store)
    assert [(r.session_id, r.local, r.server) for r in rows] == [
        ("session_1", True, True), ("session_2", True, False), ("session_0", False, True)]
    assert rows[2].fingerprint is None and rows[2].snippet == "last 0"

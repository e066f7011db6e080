"""Owed work survives REST outages: the catch-up after a drop and the fetch of a
conversation heard of live are retried until they succeed, and say so in ``health``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.client import ConsoleClient, Health
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import assert_store_matches, until

pytestmark = pytest.mark.asyncio


def visitor_says(sandbox: Sandbox, session_id: str, text: str) -> None:
    conv = sandbox.state.conversations[session_id]
    sandbox.state.add_message(conv, type="text", from_="user", origin="chat", content=text,
                              user=conv.visitor)


def new_conversation(sandbox: Sandbox, text: str) -> str:
    state = sandbox.state
    conv = state.create_conversation(state.subscribed_website_ids()[0])
    visitor_says(sandbox, conv.session_id, text)
    return conv.session_id


@pytest.mark.parametrize("outage", [{"error_rate": 1.0}, {"reset_rate": 1.0}],
                         ids=["5xx", "resets"])
async def test_no_new_conversation_is_lost_to_a_rest_outage(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient, outage: dict[str, Any]
) -> None:
    # The start-up's catch-up (events between the REST snapshot and going live) is owed.
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    seen: list[Health] = []
    client.add_health_observer(seen.append)
    await admin.patch("faults", json=outage)
    # Visitors arrive live while REST is down: their conversations are unknown to the store.
    live = []
    for i in range(6):
        answer = await admin.post("simulate", json={"action": "conversation",
                                                    "text": f"live {i}"})
        live.append(answer.json()["data"]["session_id"])
    await until(lambda: all(s in client.fetches for s in live), what="owed fetches")
    # The feed drops too, and more visitors come while it is down.
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    gap = [new_conversation(sandbox, f"in the gap {i}") for i in range(4)]
    await until(lambda: client.connection_state is ConnectionState.CONNECTED
                and client.catchup.owed and client.catchup.problem != "",
                what="a catch-up failing while connected")
    health = client.health
    assert health.catching_up and health.catchup_problem
    # The visitors heard live show at once, from their messages (provisional rows); those
    # who came while the feed was down wait for the catch-up.
    store = client.store
    assert all(store.is_provisional(s) and store.conversations[s].last_message.startswith(
        "live ") and store.conversations[s].unread_operator == 1 for s in live)
    assert not any(s in store.conversations for s in gap)
    # A visitor writes again in a conversation whose fetch is still owed.
    visitor_says(sandbox, live[0], "still there?")
    await admin.post("faults/reset")
    await until(lambda: not client.health.catching_up, timeout=10, what="paid off")
    await sandbox.rtm.flush()
    for session_id in live + gap:
        assert session_id in store.conversations, session_id
        assert not store.is_provisional(session_id), session_id  # Crisp's own copy now
    assert client.store.conversations[live[0]].last_message == "still there?"
    assert_store_matches(sandbox, client)
    assert any(h.catching_up and h.catchup_problem for h in seen)
    assert seen[-1] == client.health and not seen[-1].catchup_problem


async def test_a_failed_catch_up_is_redone(sandbox: Sandbox, client: ConsoleClient,
                                           admin: httpx.AsyncClient) -> None:
    opened = next(s for s in client.store.conversations
                  if sandbox.state.conversations[s].messages)
    await client.loader.open_conversation(opened)
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    done = client.catchup.completed
    await admin.patch("faults", json={"error_rate": 1.0})
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    visitor_says(sandbox, opened, "said during the gap")
    fresh = new_conversation(sandbox, "new during the gap")
    failed = client.catchup.failures
    await until(lambda: client.catchup.failures >= failed + 3 and client.connection_state
                is ConnectionState.CONNECTED, what="failed attempts")
    assert client.catchup.completed == done and client.health.catching_up
    await admin.post("faults/reset")
    await until(lambda: not client.health.catching_up, timeout=10, what="redone")
    assert client.catchup.completed == done + 1
    assert fresh in client.store.conversations
    assert any(m.content == "said during the gap" for m in client.store.messages(opened))


async def test_drops_during_a_failing_catch_up_keep_the_earliest_gap(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient
) -> None:
    await admin.patch("faults", json={"error_rate": 1.0})
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    first = new_conversation(sandbox, "first gap")
    await until(lambda: client.catchup.problem != "", what="a failure")
    since = client.catchup.since
    assert since is not None
    await until(lambda: client.connection_state is ConnectionState.CONNECTED, what="back")
    await sandbox.rtm.drop_all()
    second = new_conversation(sandbox, "second gap")
    await until(lambda: client.connection_state is ConnectionState.CONNECTED, what="back")
    assert client.catchup.since == since  # the earliest gap wins
    await admin.post("faults/reset")
    await until(lambda: not client.health.catching_up, timeout=10, what="paid off")
    assert first in client.store.conversations and second in client.store.conversations


async def test_a_drop_during_a_catch_up_is_owed_after_it(
    sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient
) -> None:
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    done = client.catchup.completed
    await admin.patch("faults", json={"latency_ms": 150})  # a run takes a while
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    await until(lambda: client.catchup.running, what="a run under way")
    await sandbox.rtm.drop_all()  # during the run: what the run read may predate this gap
    late = new_conversation(sandbox, "during the run")
    await until(lambda: client.catchup.completed > done, timeout=10, what="the first run")
    await admin.post("faults/reset")
    await until(lambda: not client.health.catching_up, timeout=10, what="the second run")
    assert client.catchup.completed >= done + 2
    assert late in client.store.conversations


@pytest.mark.parametrize("behaviours", [strict_except(), strict_except("after_newest")],
                         ids=["after_newest", "after_oldest"])
async def test_messages_of_a_long_gap_are_caught_up_whatever_timestamp_after_does(
    sandbox: Sandbox, client: ConsoleClient, behaviours: Any
) -> None:
    sandbox.config.behaviours.update(behaviours.to_dict())
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    opened = [s for s in client.store.conversations
              if sandbox.state.conversations[s].messages][:2]
    for session_id in opened:
        await client.loader.open_conversation(session_id)
    before = {s: len(client.store.messages(s)) for s in opened}
    done = client.catchup.completed
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    for i in range(100):  # two and a half batches of 40 in the first one
        visitor_says(sandbox, opened[0], f"gap message {i}")
    visitor_says(sandbox, opened[1], "one in the gap")
    await until(lambda: client.catchup.completed > done, what="the catch-up")
    first = [m.content for m in client.store.messages(opened[0])]
    assert [c for c in first if str(c).startswith("gap message")] == \
        [f"gap message {i}" for i in range(100)]
    assert len(first) == before[opened[0]] + 100
    assert [m.fingerprint for m in client.store.messages(opened[0])] == \
        [m.fingerprint for m in sandbox.state.conversations[opened[0]].messages][-len(first):]
    assert "one in the gap" in [m.content for m in client.store.messages(opened[1])]


async def test_events_after_the_fetch_answered_are_not_lost(sandbox: Sandbox,
                                                            client: ConsoleClient) -> None:
    """An unknown conversation's events that arrive after Crisp answered its fetch (so the
    answer lacks them) reach the row: it is fetched again."""
    # Else the start-up catch-up may list it first (an owed fetch waits a moment: fetches.py).
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    heard: list[tuple[str, Any]] = []
    client.add_event_listener(lambda name, payload: heard.append((name, payload)))
    original = client.api.get_conversation
    calls: list[str] = []

    async def answer_then_visitor_writes(website_id: str, session_id: str) -> dict[str, Any]:
        payload = await original(website_id, session_id)
        calls.append(session_id)
        if len(calls) == 1:  # after the snapshot, before the client applies it
            start = len(heard)
            visitor_says(sandbox, session_id, "after the snapshot")
            await until(lambda: any(n == "message:send" for n, _ in heard[start:]),
                        what="the event, while the fetch is out")
        return payload

    client.api.get_conversation = answer_then_visitor_writes  # type: ignore[method-assign]
    session_id = new_conversation(sandbox, "first words")
    await until(lambda: session_id in client.store.conversations and not client.fetches
                and not client.store.is_provisional(session_id), what="fetched")
    assert calls == [session_id, session_id]
    row = client.store.conversations[session_id]
    conv = sandbox.state.conversations[session_id]
    assert row.last_message == "after the snapshot"
    assert (row.updated_at, row.unread_operator) == (conv.updated_at, conv.unread_operator)


async def test_a_catch_up_answer_older_than_live_events_does_not_undo_them(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    """A message arrives live after Crisp answered the catch-up's page: the page's row would
    undo its unread count and preview, so that conversation is fetched again."""
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    website_id = sandbox.state.subscribed_website_ids()[0]
    target = next(c for c in sandbox.state.website_conversations(website_id)
                  if c.session_id in client.store.conversations)
    row = client.store.conversations[target.session_id]
    visitor_says(sandbox, target.session_id, "before the catch-up")  # first on its page
    await until(lambda: row.last_message == "before the catch-up", what="live")
    original = client.api.list_conversations
    pages: list[int] = []

    async def page_then_visitor_writes(wid: str, page: int = 1,
                                       **kw: Any) -> list[dict[str, Any]]:
        answer = await original(wid, page, **kw)
        if wid == website_id and not pages:
            pages.append(page)
            assert any(c["session_id"] == target.session_id for c in answer)
            visitor_says(sandbox, target.session_id, "live after the page")
            await until(lambda: row.last_message == "live after the page", what="live")
        return answer  # as Crisp answered it: older than the message

    client.api.list_conversations = page_then_visitor_writes  # type: ignore[method-assign]
    done = client.catchup.completed
    client.catchup.owe()
    await until(lambda: client.catchup.completed > done, what="the catch-up")
    assert pages == [1]
    assert row.last_message == "live after the page"
    assert (row.updated_at, row.unread_operator) == (target.updated_at, target.unread_operator)


async def test_a_long_catch_up_goes_in_slices_and_never_undoes_a_live_event_between_them(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    """The catch-up's rows go into the store a slice at a time, each after the live frame;
    a visitor writing live between two slices is not undone by the page's older row."""
    from crisp_console.client.page_slices import APPLY_SLICE, Turns

    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    website_id = sandbox.state.subscribed_website_ids()[0]
    known = [c.session_id for c in sandbox.state.website_conversations(website_id)
             if c.session_id in client.store.conversations][:3 * APPLY_SLICE]
    assert len(known) == 3 * APPLY_SLICE
    target = known[0]  # written first in the gap: the oldest of the catch-up's rows, last
    row = client.store.conversations[target]
    turns = 0

    async def after() -> None:  # the client's own turns, and a visitor between two slices
        nonlocal turns
        turns += 1
        if turns == 2:
            visitor_says(sandbox, target, "live between two slices")
            await until(lambda: row.last_message == "live between two slices", what="live")
        await client.batch.settled()

    client.catchup._turns = Turns(after)  # noqa: SLF001 - a hook between two slices
    slices: list[int] = []
    upsert = client.store.upsert_conversations

    def recorded(items: Any) -> Any:
        items = list(items)
        if any(isinstance(c, dict) and c.get("session_id") in known for c in items):
            slices.append(len(items))
        return upsert(items)

    client.store.upsert_conversations = recorded  # type: ignore[method-assign]
    done = client.catchup.completed
    assert sandbox.rtm is not None
    await sandbox.rtm.drop_all()
    for session_id in known:
        visitor_says(sandbox, session_id, f"in the gap {session_id}")
    await until(lambda: client.catchup.completed > done, timeout=10, what="the catch-up")
    assert turns >= 3 and len(slices) >= 3 and max(slices) <= APPLY_SLICE
    assert row.last_message == "live between two slices"  # fetched again, not undone
    conv = sandbox.state.conversations[target]
    assert (row.updated_at, row.unread_operator) == (conv.updated_at, conv.unread_operator)
    for session_id in known[1:]:
        assert client.store.conversations[session_id].last_message == \
            f"in the gap {session_id}"

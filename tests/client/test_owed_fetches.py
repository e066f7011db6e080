"""Fetches owed to live events about conversations the store does not know: what they cost
in REST requests, counted on the sandbox's side."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FAST, FakeTime, make_client, until

pytestmark = pytest.mark.asyncio

# A gather the test's clock moves over (the default is none: the frame gathers the burst).
GATHER = replace(FAST, owed_fetch_gather=0.016)


@pytest_asyncio.fixture
async def time() -> FakeTime:
    return FakeTime()


@pytest_asyncio.fixture
async def client(sandbox: Sandbox, time: FakeTime) -> AsyncIterator[ConsoleClient]:
    """A started client whose owed fetches wait for the rest of a burst, on a clock the
    test moves (so the whole burst is heard before the fetch asks)."""
    c = make_client(sandbox, config=GATHER, clock=time.clock, sleep=time.sleep)
    await c.start()
    try:
        await until(lambda: not c.health.catching_up and len(c.tasks) <= 1,
                    what="the start-up")
        yield c
    finally:
        await c.aclose()


def fetches_of(sandbox: Sandbox, mark: int, session_id: str) -> int:
    return sum(1 for r in sandbox.requests.since(mark)
               if r.method == "GET" and r.path.endswith(f"/conversation/{session_id}"))


async def quiet(client: ConsoleClient) -> None:
    await until(lambda: len(client.tasks) <= 1, what="start-up requests")  # only the poller


def burst(sandbox: Sandbox, conv: Conversation, events: int) -> None:
    """What announcing a new conversation looks like: typing, presence, then its message."""
    st = sandbox.state
    for i in range(events):
        st.compose(conv, kind="start", from_="user", excerpt="hello there"[: 1 + i % 10])
        st.set_availability(conv, "online" if i % 2 else "offline")
    st.add_message(conv, type="text", from_="user", origin="chat", content="hello there",
                   user=conv.visitor)


async def test_a_burst_about_one_new_conversation_fetches_it_once(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    st = sandbox.state
    mark = sandbox.requests.total
    conv = st.create_conversation(st.subscribed_website_ids()[0], meta={"nickname": "Newcomer"})
    sends: list[str] = []
    client.add_event_listener(lambda name, _: sends.extend([name] if name == "message:send"
                                                            else []))
    frames: list[bool] = []  # whether the conversation was in the store at each frame's end
    client.store.subscribe_frames(
        lambda: frames.append(conv.session_id in client.store.conversations))
    burst(sandbox, conv, 40)
    await until(lambda: sends, what="the burst heard")
    await until(lambda: GATHER.owed_fetch_gather in time.sleeping, what="the fetch waiting")
    time.advance(GATHER.owed_fetch_gather)
    await until(lambda: conv.session_id in client.store.conversations and not client.fetches,
                what="the new conversation fetched")
    assert client.store.conversations[conv.session_id].last_message == "hello there"
    assert fetches_of(sandbox, mark, conv.session_id) == 1
    # The answer ends a frame of the feed (FrameBatch.changed): the list shows the new row
    # with that flush, though no event came after it.
    await until(lambda: bool(frames) and frames[-1], what="a frame after the answer")


async def test_requests_follow_new_conversations_not_events(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    st = sandbox.state
    mark = sandbox.requests.total
    website_id = st.subscribed_website_ids()[0]
    fresh = [st.create_conversation(website_id) for _ in range(12)]
    sends: list[str] = []
    client.add_event_listener(lambda name, _: sends.extend([name] if name == "message:send"
                                                            else []))
    for _ in range(3):
        for conv in fresh:
            burst(sandbox, conv, 5)
    await until(lambda: len(sends) == 3 * len(fresh), what="every burst heard")
    await until(lambda: GATHER.owed_fetch_gather in time.sleeping, what="the fetches waiting")
    time.advance(GATHER.owed_fetch_gather)
    await until(lambda: all(c.session_id in client.store.conversations for c in fresh)
                and not client.fetches, what="every new conversation")
    for conv in fresh:
        assert fetches_of(sandbox, mark, conv.session_id) == 1, conv.session_id
    assert sum(1 for r in sandbox.requests.since(mark)) == len(fresh)  # nothing else either


async def test_a_conversation_found_gone_is_not_asked_again(sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=GATHER)
    await client.start()
    try:
        await quiet(client)
        st = sandbox.state
        conv = st.create_conversation(st.subscribed_website_ids()[0])
        session_id, mark = conv.session_id, sandbox.requests.total
        st.conversations.pop(session_id)  # gone on the server, unannounced: its fetch 404s
        seen: list[str] = []
        client.add_event_listener(lambda name, payload: seen.append(name))
        st.set_state(conv, "unresolved")
        await until(lambda: fetches_of(sandbox, mark, session_id) == 1 and not client.fetches,
                    what="the fetch that finds it gone")
        for i in range(5):
            st.set_state(conv, "unresolved" if i % 2 else "pending")
        await until(lambda: seen.count("session:set_state") == 6, what="its events")
        assert sandbox.rtm is not None
        await sandbox.rtm.flush()
        assert fetches_of(sandbox, mark, session_id) == 1
        assert not client.fetches
    finally:
        await client.aclose()


async def test_at_most_a_window_of_fetches_is_out_at_once(sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=replace(GATHER, owed_fetches_in_flight=2))
    await client.start()
    try:
        await quiet(client)
        st = sandbox.state
        website_id = st.subscribed_website_ids()[0]
        fresh = [st.create_conversation(website_id) for _ in range(8)]
        peak = 0
        for conv in fresh:
            st.set_state(conv, "unresolved")

        async def watch() -> None:
            nonlocal peak
            while client.fetches or not all(c.session_id in client.store.conversations
                                           for c in fresh):
                peak = max(peak, client.fetches.in_flight)
                await asyncio.sleep(0)

        await asyncio.wait_for(watch(), 10)
        assert 1 <= peak <= 2
    finally:
        await client.aclose()


async def test_typing_presence_and_reading_owe_no_fetch(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    """What changes nothing the list sorts or filters by spends no request; the message
    that follows does, once."""
    st = sandbox.state
    mark = sandbox.requests.total
    conv = st.create_conversation(st.subscribed_website_ids()[0])
    heard: list[str] = []
    client.add_event_listener(lambda name, _: heard.append(name))
    st.compose(conv, kind="start", from_="user", excerpt="Hel")
    st.set_availability(conv, "online")
    st.acknowledge(conv, kind="read", from_="user", origin="chat", fingerprints=None)
    st.sync_pages(conv, [{"page_title": "Pricing", "page_url": "https://example.com/p",
                          "page_referrer": "", "timestamp": st.clock()}])
    st.set_visitors_count(st.websites[conv.website_id], 3)  # the last, heard after the rest
    await until(lambda: "website:update_visitors_count" in heard, what="the events")
    assert not client.fetches and fetches_of(sandbox, mark, conv.session_id) == 0
    assert GATHER.owed_fetch_gather not in time.sleeping
    st.add_message(conv, type="text", from_="user", origin="chat", content="Hello",
                   user=conv.visitor)
    await until(lambda: GATHER.owed_fetch_gather in time.sleeping, what="the fetch waiting")
    time.advance(GATHER.owed_fetch_gather)
    await until(lambda: conv.session_id in client.store.conversations and not client.fetches,
                what="the conversation fetched")
    assert fetches_of(sandbox, mark, conv.session_id) == 1


async def test_a_new_visitor_shows_at_once_and_a_gone_one_leaves_no_row(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    """The message makes a provisional row in the frame that applies it, before any request;
    the fetch that finds the conversation gone (404) takes that row away."""
    st = sandbox.state
    mark = sandbox.requests.total
    website_id = st.subscribed_website_ids()[0]
    kept, gone = st.create_conversation(website_id), st.create_conversation(website_id)
    store = client.store
    shown: list[tuple[bool, bool, int]] = []  # at each frame's end: shown, provisional, asked
    store.subscribe_frames(lambda: shown.append((
        kept.session_id in store.conversations, store.is_provisional(kept.session_id),
        fetches_of(sandbox, mark, kept.session_id))))
    for conv in (kept, gone):
        st.add_message(conv, type="text", from_="user", origin="chat", content="Hi there",
                       user=conv.visitor)
    st.conversations.pop(gone.session_id)  # gone on the server before its fetch asks
    await until(lambda: GATHER.owed_fetch_gather in time.sleeping, what="the fetches waiting")
    # Both rows are shown while their fetches wait: nothing has been asked yet, and the
    # status bar has no reason to say "catching up" (the list lacks nothing).
    assert shown[0] == (True, True, 0)
    assert store.is_provisional(gone.session_id)
    assert len(client.fetches) == 2 and not client.health.catching_up
    assert store.conversations[gone.session_id].last_message == "Hi there"
    time.advance(GATHER.owed_fetch_gather)
    await until(lambda: not client.fetches, what="both fetches answered")
    assert kept.session_id in store.conversations and not store.is_provisional(kept.session_id)
    assert gone.session_id not in store.conversations and store.messages(gone.session_id) == []
    assert fetches_of(sandbox, mark, gone.session_id) == 1


async def test_past_the_owed_limit_no_provisional_row_stays_the_catch_up_lists_them(
        sandbox: Sandbox) -> None:
    """A flood of new conversations (or of invented ids) leaves no row without a fetch
    owed behind it: past ``max_owed_fetches`` the catch-up lists the real ones instead."""
    client = make_client(sandbox, config=replace(FAST, max_owed_fetches=2))
    await client.start()
    try:
        await quiet(client)
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        st = sandbox.state
        website_id = st.subscribed_website_ids()[0]
        fresh = [st.create_conversation(website_id) for _ in range(6)]
        for conv in fresh:
            st.add_message(conv, type="text", from_="user", origin="chat", content="Hello",
                           user=conv.visitor)
        store = client.store
        unowed: list[str] = []  # provisional rows seen at a frame's end with no fetch owed
        store.subscribe_frames(lambda: unowed.extend(
            c.session_id for c in fresh if store.is_provisional(c.session_id)
            and c.session_id not in client.fetches))
        await until(lambda: all(c.session_id in store.conversations
                                and not store.is_provisional(c.session_id) for c in fresh)
                    and not client.fetches and not client.health.catching_up,
                    what="every new conversation, from its fetch or the catch-up")
        assert client.catchup.completed >= 2  # the start-up's, and the overflow's
        assert unowed == []
    finally:
        await client.aclose()


async def test_an_unknown_conversation_without_a_message_is_caught_up_on(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    """A state change names a conversation the list lacks and cannot show: the status bar
    says "catching up" until its fetch brings it."""
    st = sandbox.state
    conv = st.create_conversation(st.subscribed_website_ids()[0])
    st.set_state(conv, "unresolved")
    await until(lambda: GATHER.owed_fetch_gather in time.sleeping, what="the fetch waiting")
    assert conv.session_id not in client.store.conversations and client.health.catching_up
    time.advance(GATHER.owed_fetch_gather)
    await until(lambda: not client.health.catching_up, what="the fetch")
    assert client.store.conversations[conv.session_id].state == "unresolved"
    assert not client.store.is_provisional(conv.session_id)

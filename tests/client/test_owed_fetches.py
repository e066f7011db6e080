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

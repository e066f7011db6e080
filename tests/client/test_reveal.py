"""Revealing a message (client/reveal.py) against the strict sandbox over loopback: the message
lands in the store's timeline with context, the timeline stays contiguous (it equals a slice
of the server's history ending at the newest message), and the requests are the ones
expected: ``timestamp_around`` first, then pages back with ``timestamp_before``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.routes_messages import AROUND_SIDE, MESSAGE_BATCH
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client

pytestmark = pytest.mark.asyncio

LINES = 240  # six batches of history on top of what the conversation had
FINGERPRINTS = 900_000_000_000_000


class Recorder(httpx.AsyncBaseTransport):
    """The real transport, recording the message-history requests' cursors."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[dict[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/messages"):
            self.sent.append(dict(request.url.params))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def kinds(self) -> list[str]:
        """Each history request as "newest", "around" or "before"."""
        return ["around" if "timestamp_around" in p else "before" if "timestamp_before" in p
                else "newest" for p in self.sent]


def long_history(sb: Sandbox) -> Conversation:
    """A conversation of the first website with ``LINES`` more messages, each at its own
    millisecond (so the batches' edges are exact) and with its own fingerprint (the
    sandbox's repeat after 100 messages in one millisecond)."""
    website = sb.state.subscribed_website_ids()[0]
    conv = next(c for c in sb.state.website_conversations(website) if c.messages)
    start = conv.messages[-1].timestamp + 1
    for i in range(LINES):
        sb.state.add_message(conv, type="text", from_="user", origin="chat",
                             content=f"line {i}", user=conv.visitor, timestamp=start + i,
                             fingerprint=FINGERPRINTS + i)
    return conv


@pytest_asyncio.fixture
async def setup(sandbox: Sandbox) -> AsyncIterator[tuple[ConsoleClient, Conversation, Recorder]]:
    """A client that knows the long conversation (no live feed: only what it asks for
    reaches its store), and the recorder of its requests."""
    conv = long_history(sandbox)
    recorder = Recorder()
    client = make_client(sandbox, transport=recorder)
    try:
        payload = await client.api.get_conversation(conv.website_id, conv.session_id)
        client.store.upsert_conversations([payload])
        yield client, conv, recorder
    finally:
        await client.aclose()


def held(client: ConsoleClient, conv: Conversation) -> list[int]:
    return [m.fingerprint for m in client.store.messages(conv.session_id)]


def contiguous_from(client: ConsoleClient, conv: Conversation, first: int) -> None:
    """The timeline is exactly the server's history from index ``first`` to the newest, and
    its cursor is that message's timestamp (no hole, nothing else)."""
    assert held(client, conv) == [m.fingerprint for m in conv.messages[first:]]
    assert client.store.history_cursor(conv.session_id) == conv.messages[first].timestamp


async def opened(client: ConsoleClient, conv: Conversation, recorder: Recorder) -> int:
    """Open the conversation (its newest batch); the index of the oldest message held."""
    await client.loader.open_conversation(conv.session_id)
    recorder.sent.clear()
    first = len(conv.messages) - MESSAGE_BATCH
    contiguous_from(client, conv, first)
    return first


async def test_a_message_already_loaded_costs_nothing(setup: Any) -> None:
    client, conv, recorder = setup
    await opened(client, conv, recorder)
    msg = conv.messages[-3]
    assert await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
    assert recorder.sent == [] and client.reveal.problem == ""


async def test_a_message_just_older_than_the_window_comes_with_one_around_request(
        setup: Any) -> None:
    client, conv, recorder = setup
    first = await opened(client, conv, recorder)
    target = first - 5
    msg = conv.messages[target]
    assert await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
    assert recorder.kinds() == ["around"]
    assert recorder.sent[0]["timestamp_around"] == str(msg.timestamp)
    contiguous_from(client, conv, target - AROUND_SIDE)  # context older than it, too
    assert client.api.requests_by_purpose()["open"] == 2  # the newest page, the around


async def test_a_message_three_batches_back_is_reached_by_pages_without_a_gap(
        setup: Any) -> None:
    client, conv, recorder = setup
    first = await opened(client, conv, recorder)
    # Three pages back from the cursor hold it; the around batch (20 newer) does not reach
    # the window, so it is kept until the pages reach it.
    target = first - 3 * MESSAGE_BATCH + 10
    msg = conv.messages[target]
    before = client.api.requests_by_purpose()
    assert await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
    assert recorder.kinds() == ["around", "before", "before", "before"]
    contiguous_from(client, conv, target - AROUND_SIDE)
    spent = {k: v - before[k] for k, v in client.api.requests_by_purpose().items()
             if v != before[k]}
    assert spent == {"open": 1, "history": 3}
    assert client.reveal.problem == ""


async def test_a_conversation_not_loaded_is_opened_first(setup: Any) -> None:
    client, conv, recorder = setup
    msg = conv.messages[len(conv.messages) - MESSAGE_BATCH - 2]
    assert not client.store.timeline_loaded(conv.session_id)
    assert await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
    assert recorder.kinds() == ["newest", "around"]
    contiguous_from(client, conv, len(conv.messages) - MESSAGE_BATCH - 2 - AROUND_SIDE)


async def test_an_unknown_fingerprint_returns_false_and_says_why(setup: Any) -> None:
    client, conv, recorder = setup
    first = await opened(client, conv, recorder)
    near = conv.messages[first - 60]
    assert not await client.reveal_message(conv.session_id, 12345, near.timestamp)
    assert client.reveal.problem == "Crisp no longer has that message"
    # What was read on the way is merged without a hole all the same.
    assert recorder.kinds() == ["around", "before"]
    contiguous_from(client, conv, first - 60 - AROUND_SIDE)


async def test_too_far_back_gives_up_after_the_bound(sandbox: Sandbox, setup: Any) -> None:
    client, conv, recorder = setup
    first = await opened(client, conv, recorder)
    client.reveal._max_batches = 2  # noqa: SLF001 - a small bound, for a short test
    msg = conv.messages[first - 4 * MESSAGE_BATCH]
    assert not await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
    assert "more than 2 pages" in client.reveal.problem
    assert recorder.kinds() == ["around", "before", "before"]
    contiguous_from(client, conv, first - 2 * MESSAGE_BATCH)  # the pages read stay, no gap


async def test_offline_returns_false_with_words(sandbox: Sandbox, setup: Any) -> None:
    client, conv, recorder = setup
    first = await opened(client, conv, recorder)
    await sandbox.stop()  # the network is gone
    try:
        msg = conv.messages[first - 5]
        assert not await client.reveal_message(conv.session_id, msg.fingerprint, msg.timestamp)
        assert "could not be reached" in client.reveal.problem
        contiguous_from(client, conv, first)  # nothing changed
        assert await client.reveal.newest_match(conv.session_id,
                                                lambda m: m.content == "nowhere") is None
        assert "could not be reached" in client.reveal.problem
    finally:
        await sandbox.start()


async def test_the_newest_match_of_a_text_is_found_in_older_pages(setup: Any) -> None:
    client, conv, recorder = setup
    sid = conv.session_id
    # Not loaded: opened first; "line 7" is far back (four pages), "line 2…" newer matches.
    assert await client.reveal.newest_match(
        sid, lambda m: m.content == f"line {LINES - 1}") == conv.messages[-1].fingerprint
    assert recorder.kinds() == ["newest"]
    target = next(m for m in conv.messages if m.content == "line 50")
    found = await client.reveal.newest_match(sid, lambda m: m.content == "line 50")
    assert found == target.fingerprint
    assert recorder.kinds() == ["newest", "before", "before", "before", "before"]
    contiguous_from(client, conv, len(conv.messages) - 5 * MESSAGE_BATCH)
    recorder.sent.clear()
    assert await client.reveal.newest_match(sid, lambda m: m.content == "never said",
                                            max_batches=1) is None
    assert recorder.kinds() == ["before"] and client.reveal.problem == ""

"""A visitor's past conversations against the sandbox (strict profile, loopback): the ones the
store lacks (older than the first page) are fetched once into the store (client/past.py),
where they count once in every view and open like any other; a conversation named by its
id alone reaches the store through loader.ensure_conversation, the one path. What was asked
is read off the sandbox's own request log."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from crisp_console.client import ConsoleClient, TaskOwner
from crisp_console.client.past import PastLookups
from crisp_console.core import Store
from crisp_console.errors import QuotaExceededError, ServerError
from crisp_console.present.filters import Filter, matches
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.cache import load_snapshot
from tests.client.conftest import FAST, FakeTime, make_client, until
from tests.client.db_runner import ThreadRunner
from tests.client.test_denied import revoke
from tests.client.test_details import Spent

pytestmark = pytest.mark.asyncio

WINDOW = 300.0  # the default freshness window, seconds
FIRST_PAGE = dataclasses.replace(FAST, per_page=20)  # the smallest page Crisp allows


@pytest_asyncio.fixture
async def time() -> FakeTime:
    return FakeTime()


async def started(client: ConsoleClient) -> ConsoleClient:
    await client.start()
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    return client


@pytest_asyncio.fixture
async def client(sandbox: Sandbox, time: FakeTime) -> AsyncIterator[ConsoleClient]:
    """A started client whose first pages hold 20 conversations per website (the sandbox's
    busiest website has 44: the others are older than the first page)."""
    c = make_client(sandbox, config=FIRST_PAGE, clock=time.clock, sleep=time.sleep)
    try:
        yield await started(c)
    finally:
        await c.aclose()


def older_of_a_contact(sandbox: Sandbox, client: ConsoleClient) -> tuple[str, str]:
    """(a conversation the store holds, another of its contact the store lacks)."""
    store, convs = client.store, sandbox.state.conversations
    for conv in convs.values():
        if conv.session_id not in store.conversations or not conv.people_id:
            continue
        for other in convs.values():
            if other.people_id == conv.people_id and other.website_id == conv.website_id \
                    and other.session_id not in store.conversations:
                return conv.session_id, other.session_id
    raise AssertionError("the dataset has no contact with an older conversation")


def counts(client: ConsoleClient) -> dict[Filter, int]:
    """Every quick filter's count over the store's rows (what the list's counts read)."""
    rows = [client.store.conversations[sid] for sid in client.store.conversation_ids()]
    return {kind: sum(matches(kind, conv, client.me) for conv in rows) for kind in Filter}


def get_path(client: ConsoleClient, website_id: str, session_id: str) -> str:
    return f"website/{website_id}/conversation/{session_id}"


async def answered(client: ConsoleClient, session_id: str) -> str:
    await until(lambda: (found := client.past.lookup(session_id)) is not None
                and found.state != "loading", what=f"the lookup of {session_id}")
    found = client.past.lookup(session_id)
    assert found is not None
    return found.state


async def test_an_older_past_conversation_joins_the_store_once_and_opens(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    sid, older = older_of_a_contact(sandbox, client)
    website_id = client.store.conversations[sid].website_id
    details = await client.details.load(sid, ("past_conversations",))
    assert older in details.past_conversations and older not in client.store.conversations
    before, rows = counts(client), len(client.store.conversation_ids())

    spent = Spent(sandbox, client)
    assert client.past.want(website_id, [sid, older]) == [older]  # the known one costs nothing
    lookup = client.past.lookup(older)
    assert lookup is not None and lookup.state == "loading"
    assert await answered(client, older) == "done"
    assert spent.paths() == [get_path(client, website_id, older)]
    assert spent.counted() == {"open": 1}

    # In the store as Crisp has it, once, and counted once by every view it matches.
    row, server = client.store.conversations[older], sandbox.state.conversations[older]
    assert (row.state, row.updated_at, row.last_message, row.people_id) == \
        (server.state, server.updated_at, server.to_payload()["last_message"], server.people_id)
    assert client.store.conversation_ids().count(older) == 1
    assert len(client.store.conversation_ids()) == rows + 1
    after = counts(client)
    assert after == {kind: before[kind] + matches(kind, row, client.me) for kind in Filter}
    assert after[Filter.ALL] == before[Filter.ALL] + 1

    # Never asked again: not by the panel, not by opening it, not by the contact's list.
    spent = Spent(sandbox, client)
    assert client.past.want(website_id, [older]) == []
    assert await client.loader.ensure_conversation(older) is True
    assert client.details.stale(sid, ("past_conversations",)) == []
    assert spent.paths() == []

    # It opens like any other: its newest messages load, and still count once.
    await client.loader.open_conversation(older)
    assert client.store.timeline_loaded(older)
    mine = [m.fingerprint for m in client.store.messages(older)]
    assert mine and mine[-1] == server.messages[-1].fingerprint
    assert counts(client) == after and client.store.conversation_ids().count(older) == 1


async def test_a_conversation_named_by_id_alone_is_looked_for_in_each_website(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    """A notification or a search result may name only the session: every website is asked
    until one has it; one that none has is gone (False), not an error."""
    store = client.store
    missing = next(c for c in sandbox.state.conversations.values()
                   if c.website_id in store.websites and c.session_id not in store.conversations)
    websites = list(store.websites)
    asked = websites[:websites.index(missing.website_id) + 1]
    spent = Spent(sandbox, client)
    assert await client.loader.ensure_conversation(missing.session_id) is True
    assert store.conversations[missing.session_id].website_id == missing.website_id
    assert spent.paths() == [get_path(client, w, missing.session_id) for w in asked]
    assert spent.counted() == {"open": len(asked)}

    bogus = "session_00000000-0000-4000-8000-00000000dead"
    spent = Spent(sandbox, client)
    assert await client.loader.ensure_conversation(bogus) is False
    assert spent.paths() == [get_path(client, w, bogus) for w in websites]
    assert bogus not in store.conversations


async def test_a_failed_lookup_shows_why_and_is_not_asked_again_within_the_window(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime,
        admin: httpx.AsyncClient) -> None:
    sid, older = older_of_a_contact(sandbox, client)
    website_id = client.store.conversations[sid].website_id
    bogus = "session_00000000-0000-4000-8000-00000000dead"
    client.past.want(website_id, [bogus])
    assert await answered(client, bogus) == "gone"

    await revoke(admin, "website:conversation:sessions")
    client.past.want(website_id, [older])
    assert await answered(client, older) == "denied"
    found = client.past.lookup(older)
    assert found is not None and "not allowed" in found.words and "Traceback" not in found.words

    time.advance(WINDOW - 1)
    spent = Spent(sandbox, client)
    assert client.past.want(website_id, [bogus, older]) == []
    assert spent.paths() == []

    time.advance(1)  # the window is over: asked again, once
    assert client.past.lookup(older) is None
    spent = Spent(sandbox, client)
    assert client.past.want(website_id, [bogus, older]) == [bogus, older]
    assert await answered(client, older) == "denied"
    assert await answered(client, bogus) == "denied"  # the scope is refused for all now
    assert sorted(spent.paths()) == sorted(get_path(client, website_id, s) for s in (bogus, older))
    assert older not in client.store.conversations


async def test_nothing_is_asked_while_the_quota_is_low(sandbox: Sandbox,
                                                       client: ConsoleClient) -> None:
    sid, older = older_of_a_contact(sandbox, client)
    website_id = client.store.conversations[sid].website_id
    gate = client.api.gate
    gate.close(gate.now() + timedelta(hours=1))
    spent = Spent(sandbox, client)
    assert client.past.want(website_id, [older]) == []
    found = client.past.lookup(older)
    assert found is not None and found.state == "quota"
    assert client.past.want(website_id, [older]) == []
    assert spent.paths() == []

    gate.reopen()  # Crisp counts again: the skipped one may be asked
    assert client.past.lookup(older) is None
    assert client.past.want(website_id, [older]) == [older]
    assert await answered(client, older) == "done"


async def test_at_most_a_few_lookups_per_ask(sandbox: Sandbox, client: ConsoleClient) -> None:
    store = client.store
    website_id = next(iter(store.websites))
    missing = [c.session_id for c in sandbox.state.conversations.values()
               if c.website_id == website_id and c.session_id not in store.conversations]
    assert len(missing) > 5
    asked = client.past.want(website_id, missing)
    assert asked == missing[:5]
    for session_id in asked:
        assert await answered(client, session_id) == "done"
    assert client.past.lookup(missing[5]) is None


async def test_a_fetched_past_conversation_is_cached_on_disk(sandbox: Sandbox,
                                                             tmp_path: Path) -> None:
    runner = ThreadRunner(tmp_path / "console.db")
    client = make_client(sandbox, config=FIRST_PAGE, cache=runner)
    try:
        await started(client)
        sid, older = older_of_a_contact(sandbox, client)
        client.past.want(client.store.conversations[sid].website_id, [older])
        assert await answered(client, older) == "done"
        assert client.persister is not None
        await client.persister.flush()
        saved = runner.run(lambda conn: load_snapshot(conn, conversations=10_000,
                                                      timelines=10, messages=10))
        rows = [c for c in saved.snapshot.conversations if c.session_id == older]
        assert len(rows) == 1 and rows[0].state == sandbox.state.conversations[older].state
    finally:
        await client.aclose()
        runner.close()


# ---- the rules on a stand-in fetch, one step at a time ---------------------------------------


async def tasks_done(tasks: TaskOwner) -> None:
    for _ in range(100):
        if len(tasks) == 0:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{len(tasks)} task(s) still running")


class Fetches:
    """Stands in for Loader.fetch_conversation: each fetch waits until the test answers it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.answers: dict[str, asyncio.Future[bool]] = {}

    async def __call__(self, website_id: str, session_id: str) -> bool:
        self.asked.append((website_id, session_id))
        future = self.answers[session_id] = asyncio.get_running_loop().create_future()
        return await future


async def test_an_error_is_kept_in_words_and_observers_hear_each_change() -> None:
    fetch, tasks, heard = Fetches(), TaskOwner(), []
    past = PastLookups(fetch, Store(), tasks, low=lambda: False, clock=lambda: 0.0)
    past.observe(lambda ids: heard.append(sorted(ids)))
    assert past.want("w", ["s1", "s2", "s1"]) == ["s1", "s2"]
    assert heard == [["s1", "s2"]]
    await asyncio.sleep(0)
    assert fetch.asked == [("w", "s1"), ("w", "s2")]
    fetch.answers["s1"].set_exception(ServerError(503, "service_unavailable", "down\nTraceback"))
    fetch.answers["s2"].set_exception(QuotaExceededError(
        429, "quota_limited", "spent", resets_at=datetime.now(UTC) + timedelta(hours=1)))
    await tasks_done(tasks)
    assert heard[1:] == [["s1"], ["s2"]]
    failed, quota = past.lookup("s1"), past.lookup("s2")
    assert failed is not None and failed.state == "failed"
    assert "Traceback" not in failed.words and "\n" not in failed.words
    assert quota is None  # quota refusals hold only while the quota is low (it is not now)
    await tasks.aclose()


async def test_closing_mid_fetch_leaves_no_standing_lookup() -> None:
    fetch, tasks = Fetches(), TaskOwner()
    past = PastLookups(fetch, Store(), tasks, low=lambda: False)
    past.want("w", ["s1"])
    await asyncio.sleep(0)
    await tasks.aclose()
    assert past.lookup("s1") is None


async def test_only_the_newest_lookups_are_remembered() -> None:
    fetch, tasks = Fetches(), TaskOwner()
    past = PastLookups(fetch, Store(), tasks, low=lambda: True, keep=3)
    for n in range(5):
        past.want("w", [f"s{n}"])
    assert [past.lookup(f"s{n}") is not None for n in range(5)] == [False, False, True, True, True]
    await tasks.aclose()

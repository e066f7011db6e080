"""The people panel's extras (client/details.py) against the sandbox: each is asked once
within the freshness window, a contact's sections serve every conversation of that contact,
and a live event that says a section changed makes it be asked again. What was asked is
read off the sandbox's own request log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from crisp_console.client import ConsoleClient
from crisp_console.client.details import EXTRAS
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FakeTime, make_client, until
from tests.client.test_catchup import visitor_says
from tests.client.test_denied import revoke
from tests.sandbox.conftest import HeldSleep

pytestmark = pytest.mark.asyncio

WINDOW = 300.0  # the default freshness window, seconds


@pytest_asyncio.fixture
async def time() -> FakeTime:
    return FakeTime()


@pytest_asyncio.fixture
async def client(sandbox: Sandbox, time: FakeTime) -> AsyncIterator[ConsoleClient]:
    """A started client on a clock the test moves, its start-up catch-up done."""
    c = make_client(sandbox, clock=time.clock, sleep=time.sleep)
    await c.start()
    try:
        await until(lambda: not c.health.catching_up, what="the start-up catch-up")
        yield c
    finally:
        await c.aclose()


class Spent:
    """What the sandbox received since this was made, and what the client counted."""

    def __init__(self, sandbox: Sandbox, client: ConsoleClient) -> None:
        self._sandbox, self._client = sandbox, client
        self._mark = sandbox.requests.total
        self._before = client.api.requests_by_purpose()

    def paths(self) -> list[str]:
        return [r.path for r in self._sandbox.requests.since(self._mark)]

    def counted(self) -> dict[str, int]:
        now = self._client.api.requests_by_purpose()
        return {name: n - self._before[name] for name, n in now.items() if n > self._before[name]}


def extra_paths(client: ConsoleClient, session_id: str, *sections: str) -> list[str]:
    """The request each section of ``session_id`` costs, in the order they are asked."""
    conv = client.store.conversations[session_id]
    w, s, p = conv.website_id, session_id, conv.people_id
    paths = {"pages": f"website/{w}/conversation/{s}/pages/1",
             "events": f"website/{w}/conversation/{s}/events/1",
             "profile": f"website/{w}/people/profile/{p}",
             "data": f"website/{w}/people/data/{p}",
             "person_events": f"website/{w}/people/events/{p}/list/1",
             "past_conversations": f"website/{w}/people/conversations/{p}/list/1"}
    return [paths[section] for section in sections or EXTRAS]


def of_a_contact(client: ConsoleClient) -> str:
    return next(sid for sid, conv in client.store.conversations.items() if conv.people_id)


async def heard(client: ConsoleClient, event: str, trigger: Any) -> None:
    """Run ``trigger()`` (a change in the sandbox) and wait until the client heard ``event``."""
    names: list[str] = []
    off = client.add_event_listener(lambda name, _payload: names.append(name))
    try:
        trigger()
        await until(lambda: event in names, what=event)
    finally:
        off()


async def test_each_extra_is_asked_once_within_the_freshness_window(
        sandbox: Sandbox, client: ConsoleClient, time: FakeTime) -> None:
    sid = of_a_contact(client)
    spent = Spent(sandbox, client)
    first = await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid)
    assert spent.counted() == {"open": len(EXTRAS)}
    assert first.profile is not None and client.details.stale(sid) == []

    time.advance(WINDOW - 1)
    spent = Spent(sandbox, client)
    again = await client.details.load(sid)
    assert spent.paths() == [] and spent.counted() == {}
    assert again == first

    time.advance(1)  # the window is over: every section is asked again
    assert client.details.stale(sid) == list(EXTRAS)
    spent = Spent(sandbox, client)
    await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid)


async def test_only_the_sections_asked_for_are_loaded(sandbox: Sandbox,
                                                      client: ConsoleClient) -> None:
    sid = of_a_contact(client)
    spent = Spent(sandbox, client)
    found = await client.details.load(sid, ("pages", "profile"))
    assert spent.paths() == extra_paths(client, sid, "pages", "profile")
    assert found.profile is not None and found.past_conversations == []
    assert client.details.stale(sid) == ["events", "data", "person_events",
                                         "past_conversations"]


async def test_a_contact_s_sections_serve_each_of_its_conversations(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    store = client.store
    first, second = next(pair for pair in (
        [sid for sid in person.sessions if sid in store.conversations]
        for person in sandbox.state.people.values()) if len(pair) >= 2)[:2]
    await client.details.load(first)
    spent = Spent(sandbox, client)
    found = await client.details.load(second)
    assert spent.paths() == extra_paths(client, second, "pages", "events")
    assert {first, second} <= set(found.past_conversations)


async def test_concurrent_loads_of_one_conversation_ask_once(sandbox: Sandbox,
                                                            client: ConsoleClient) -> None:
    sid = of_a_contact(client)
    spent = Spent(sandbox, client)
    one, two = await asyncio.gather(client.details.load(sid), client.details.load(sid))
    assert one == two
    assert spent.paths() == extra_paths(client, sid)


async def test_live_events_say_which_sections_changed(sandbox: Sandbox,
                                                      client: ConsoleClient) -> None:
    state = sandbox.state
    sid = of_a_contact(client)
    conv = state.conversations[sid]
    person = state.people[conv.people_id]
    await client.details.load(sid)

    page = {"page_title": "Pricing", "page_url": "https://example.com/pricing",
            "page_referrer": "", "timestamp": state.clock()}
    await heard(client, "session:sync:pages", lambda: state.sync_pages(conv, [page]))
    assert client.details.stale(sid) == ["pages"]
    spent = Spent(sandbox, client)
    found = await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid, "pages")
    assert found.pages[-1]["page_url"] == "https://example.com/pricing"

    await heard(client, "people:profile:updated",
                lambda: state.update_person(person, {"notepad": "called"}, replace=False))
    assert client.details.stale(sid) == ["profile", "data"]
    spent = Spent(sandbox, client)
    await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid, "profile", "data")

    # A new conversation of the contact: the live feed names it, the client fetches it.
    new = state.create_conversation(conv.website_id, people_id=person.people_id)
    visitor_says(sandbox, new.session_id, "me again")
    await until(lambda: new.session_id in client.store.conversations
                and not client.store.is_provisional(new.session_id), what="the fetch")
    assert client.details.stale(sid) == ["past_conversations"]
    spent = Spent(sandbox, client)
    found = await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid, "past_conversations")
    assert new.session_id in found.past_conversations


async def test_an_answer_older_than_a_change_is_shown_but_not_kept(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    state = sandbox.state
    sid = of_a_contact(client)
    conv = state.conversations[sid]
    held = HeldSleep()
    sandbox.faults.sleep = held
    sandbox.faults.update({"latency_ms": 1})
    loading = asyncio.ensure_future(client.details.load(sid, ("pages",)))
    await held.until_held(1)  # the pages request reached the sandbox, unanswered
    page = {"page_title": "Later", "page_url": "https://example.com/later",
            "page_referrer": "", "timestamp": state.clock()}
    await heard(client, "session:sync:pages", lambda: state.sync_pages(conv, [page]))
    sandbox.faults.update({"latency_ms": 0})
    held.release()
    await loading
    assert "pages" in client.details.stale(sid)  # asked again next time


async def test_a_refused_section_is_not_asked_again_within_the_window(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient,
        time: FakeTime) -> None:
    sid = of_a_contact(client)
    await revoke(admin, "website:conversation:pages")
    found = await client.details.load(sid)
    assert set(found.denied) == {"pages"} and found.pages == []
    spent = Spent(sandbox, client)
    assert (await client.details.load(sid)).denied == found.denied
    assert spent.paths() == []
    time.advance(WINDOW)
    await admin.patch("scopes", json={"reset": True})
    assert (await client.details.load(sid)).denied == {}


async def test_a_contact_that_is_gone_is_not_asked_about_again(sandbox: Sandbox,
                                                             client: ConsoleClient) -> None:
    state = sandbox.state
    sid = of_a_contact(client)
    await client.details.load(sid)
    person = state.people[state.conversations[sid].people_id]
    await heard(client, "people:profile:removed", lambda: state.remove_person(person))
    assert client.details.stale(sid) == ["profile", "data"]
    spent = Spent(sandbox, client)
    found = await client.details.load(sid)
    assert spent.paths() == extra_paths(client, sid, "profile")  # 404: nothing else to ask
    assert found.profile is None and found.person_data == {}
    assert client.details.stale(sid) == []

"""The whole console against the sandbox: the people panel's extras are asked for only while
the panel is shown (ui/people_loads.py), once within the client's freshness window. What
was asked is read off the sandbox's own request log, once every task of the ui is done."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import pytest
import qasync
from pytestqt.qtbot import QtBot

from crisp_console.client import ConversationDetails
from crisp_console.client.past import Lookup
from crisp_console.client.tasks import TaskOwner
from crisp_console.errors import ServerError
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.people_loads import PeopleLoads
from crisp_console.ui.widgets.people_panel import PeoplePanel
from tests.client.conftest import until
from tests.client.test_details import extra_paths
from tests.e2e.conftest import running_console
from tests.qloop import qloop  # noqa: F401 - the fixture
from tests.ui.conftest import tasks_done
from tests.ui.widgets.test_people_panel import PAST, SID, build_store


async def hide_people_panel(console: Console, _sandbox: Sandbox) -> None:
    console.window.toggle_people_panel()
    assert not console.window.people_visible()


def quiet_conversations(console: Console) -> list[str]:
    """Conversations of a contact with nothing unread: opening one marks nothing read."""
    store = console.client.store
    return [sid for sid in store.conversation_ids()
            if store.conversations[sid].people_id and store.conversations[sid].unread_operator == 0
            and sid != console.controller.session_id]


async def settled(console: Console) -> None:
    """Every task of the ui has ended, and the start-up's catch-up too (a background task of
    the client that start() does not wait for): no request can be on its way from them."""
    await until(lambda: not console.client.health.catching_up, what="the start-up's catch-up")
    await until(lambda: len(console.tasks) == 0, what="the ui's tasks to end")


def asked(sandbox: Sandbox, mark: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests.since(mark)]


def messages_of(console: Console, session_id: str) -> str:
    conv = console.client.store.conversations[session_id]
    return f"GET website/{conv.website_id}/conversation/{session_id}/messages"


def test_a_hidden_panel_asks_nothing_and_showing_it_asks_once(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:  # noqa: F811
    async def scenario() -> None:
        async with running_console(tmp_path, hide_people_panel) as (console, sandbox):
            people = console.panes.people
            await settled(console)
            sid = quiet_conversations(console)[0]
            mark = sandbox.requests.total
            before = console.client.api.requests_by_purpose()

            console.controller.open(sid)
            await until(lambda: console.client.store.timeline_loaded(sid), what="messages")
            await settled(console)
            paths = asked(sandbox, mark)
            assert paths and set(paths) == {messages_of(console, sid)}  # and older pages
            after = console.client.api.requests_by_purpose()
            assert {k: after[k] - before[k] for k in after if after[k] != before[k]}.keys() \
                <= {"open", "history"}
            assert people.session_id() == sid and people.loading.isHidden()

            people_id = console.client.store.conversations[sid].people_id
            assert people_id not in console.client.store.people  # no profile asked for
            mark = sandbox.requests.total
            console.window.toggle_people_panel()  # shown: its extras load, once
            assert not people.loading.isHidden()
            await settled(console)
            assert asked(sandbox, mark) == [f"GET {p}" for p in extra_paths(console.client, sid)]
            assert people.loading.isHidden() and people_id in console.client.store.people

            mark = sandbox.requests.total
            console.window.toggle_people_panel()
            console.window.toggle_people_panel()  # hidden and shown again: still fresh
            await settled(console)
            assert asked(sandbox, mark) == []

            other = quiet_conversations(console)[0]
            mark = sandbox.requests.total
            console.controller.open(other)  # the panel is shown: messages and extras
            await until(lambda: console.client.store.timeline_loaded(other), what="messages")
            await settled(console)
            paths = asked(sandbox, mark)
            extras = [f"GET {p}" for p in extra_paths(console.client, other)]
            shared = console.client.store.conversations[other].people_id == \
                console.client.store.conversations[sid].people_id
            assert [p for p in paths if p != messages_of(console, other)] == \
                (extras[:2] if shared else extras)

    qloop.run_until_complete(asyncio.wait_for(scenario(), 60))


# ---- the same rules on a fake client part, one step at a time -----------------------------


class Source:
    """Stands in for client.details: each load waits until the test answers it."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answers: dict[str, asyncio.Future[ConversationDetails]] = {}
        self.cancelled: list[str] = []

    async def load(self, session_id: str) -> ConversationDetails:
        self.asked.append(session_id)
        future = self.answers[session_id] = asyncio.get_running_loop().create_future()
        try:
            return await future
        except asyncio.CancelledError:
            self.cancelled.append(session_id)
            raise


@pytest.fixture
def parts(qtbot: QtBot) -> Any:
    store = build_store()
    panel = PeoplePanel(store)
    qtbot.addWidget(panel)  # closed at the end, as a window the test showed must be
    tasks = TaskOwner()
    said: list[str] = []
    source = Source()
    loads = PeopleLoads(panel, source, feedback=Feedback(lambda text, _ms: said.append(text),
                                                         tasks), tasks=tasks)
    return panel, source, loads, tasks, said, store


@pytest.mark.asyncio
async def test_the_panel_asks_only_while_shown(parts: Any) -> None:
    panel, source, loads, tasks, _said, _store = parts
    panel.bind(SID)
    loads.opened(SID)
    assert source.asked == [] and panel.loading.isHidden()
    panel.show()  # the Show event: the bound conversation's extras
    await asyncio.sleep(0)
    assert source.asked == [SID] and not panel.loading.isHidden()
    loads.refresh()  # one load at a time per conversation
    await asyncio.sleep(0)
    assert source.asked == [SID]
    source.answers[SID].set_result(ConversationDetails(past_conversations=list(PAST)))
    await tasks_done(tasks)
    assert panel.loading.isHidden() and panel.past.count() == 2
    panel.hide()
    panel.bind(PAST[0])
    loads.opened(PAST[0])
    assert source.asked == [SID]
    await tasks.aclose()


@pytest.mark.asyncio
async def test_opening_another_conversation_drops_the_previous_load(parts: Any) -> None:
    panel, source, loads, tasks, said, _store = parts
    panel.show()
    panel.bind(SID)
    loads.opened(SID)
    await asyncio.sleep(0)
    panel.bind(PAST[0])
    loads.opened(PAST[0])
    await asyncio.sleep(0)
    assert source.asked == [SID, PAST[0]] and source.cancelled == [SID]
    source.answers[PAST[0]].set_exception(ServerError(503, "service_unavailable", "down"))
    await tasks_done(tasks)
    assert panel.loading.isHidden()
    assert said and said[0].startswith("Could not load the contact's details")
    await tasks.aclose()


@pytest.mark.asyncio
async def test_a_conversation_that_gets_its_contact_loads_again(parts: Any) -> None:
    """A provisional row (a new visitor's first message) has no people_id until Crisp's
    copy comes: the load under way then lacks the contact's sections, so it starts over."""
    panel, source, loads, tasks, _said, store = parts
    people_id = store.conversations[SID].people_id
    store.update_conversation(SID, {"people_id": ""})
    panel.show()
    panel.bind(SID)
    loads.opened(SID)
    await asyncio.sleep(0)
    assert source.asked == [SID]
    store.update_conversation(SID, {"people_id": people_id})  # Crisp's copy names it
    await until(lambda: len(source.asked) == 2, what="the load, again")
    assert source.asked == [SID, SID] and source.cancelled == [SID]
    source.answers[SID].set_result(ConversationDetails(past_conversations=list(PAST)))
    await tasks_done(tasks)
    assert panel.loading.isHidden() and panel.past.count() == 2
    store.update_conversation(SID, {"state": "resolved"})  # any other change: no load
    assert len(tasks) == 0 and source.asked == [SID, SID]
    await tasks.aclose()


@pytest.mark.asyncio
async def test_a_profile_that_could_not_be_loaded_says_so_not_loading(parts: Any) -> None:
    """Offline, a contact whose profile is not saved: the notepad says "Loading…" only while
    the load runs, then that it could not be loaded (not "Loading…" forever)."""
    panel, source, loads, tasks, _said, store = parts
    people_id = store.conversations[SID].people_id
    store.remove_person(people_id)
    panel.show()
    panel.bind(SID)
    loads.opened(SID)
    await asyncio.sleep(0)
    placeholder = panel.notepad.editor.placeholderText
    assert placeholder() == "Loading the contact's notepad…"
    source.answers[SID].set_exception(ServerError(503, "service_unavailable", "down"))
    await tasks_done(tasks)
    assert placeholder().startswith("The contact's profile could not be loaded")
    assert not panel.notepad.editor.isEnabled()
    await tasks.aclose()


class Past:
    """Stands in for client.past: records what was wanted, and tells its observers."""

    def __init__(self) -> None:
        self.lookups: dict[str, Lookup] = {}
        self.wanted: list[tuple[str, list[str]]] = []
        self.observers: list[Callable[[Collection[str]], None]] = []

    def lookup(self, session_id: str) -> Lookup | None:
        return self.lookups.get(session_id)

    def want(self, website_id: str, session_ids: Iterable[str]) -> None:
        ids = list(session_ids)
        self.wanted.append((website_id, ids))
        self.lookups.update({sid: Lookup("loading", 0.0) for sid in ids})
        self.tell(ids)

    def tell(self, ids: Collection[str]) -> None:
        for observer in list(self.observers):
            observer(ids)

    def observe(self, callback: Callable[[Collection[str]], None]) -> Callable[[], None]:
        self.observers.append(callback)

        def off() -> None:  # idempotent, as the client's
            if callback in self.observers:
                self.observers.remove(callback)
        return off


@pytest.mark.asyncio
async def test_past_conversations_the_store_lacks_are_asked_for_only_while_shown(
        qtbot: QtBot) -> None:
    store = build_store()
    panel = PeoplePanel(store)
    qtbot.addWidget(panel)
    tasks, source, past = TaskOwner(), Source(), Past()
    loads = PeopleLoads(panel, source, feedback=Feedback(lambda _t, _ms: None, tasks),
                        tasks=tasks, past=past)
    unknown = "session_0d0d0d0d-0000-4000-8000-000000000004"
    panel.bind(SID)
    panel.set_details(SID, ConversationDetails(past_conversations=[*PAST, unknown]))
    assert past.wanted == []  # hidden: nothing is asked
    assert panel.past.item(2).text() == "Conversation 0d0d0d0d"
    panel.show()  # shown: the details load again (fresh in the client), then the lookups
    await asyncio.sleep(0)
    source.answers[SID].set_result(ConversationDetails(past_conversations=[*PAST, unknown]))
    await tasks_done(tasks)
    website_id = store.conversations[SID].website_id
    assert past.wanted == [(website_id, [unknown])]
    assert panel.past.item(2).text() == "Conversation 0d0d0d0d\nLoading…"
    past.lookups[unknown] = Lookup("failed", 0.0, "Crisp did not answer")
    past.tell([unknown])
    assert panel.past.item(2).text() == "Conversation 0d0d0d0d\nCould not be loaded"
    loads.detach()
    assert past.observers == []
    await tasks.aclose()

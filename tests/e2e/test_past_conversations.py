"""The whole console against the sandbox, its first pages cut to 20 conversations per website
(the busiest has 44): a visitor's past conversations older than the first page show their
state, date and last message in the people panel, fetched into the store (so the list and
its counts take them once), and open from there, from a notification, or by id, with their
messages."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.client.conftest import FAST, make_client, until
from tests.e2e.conftest import CANNED
from tests.qloop import qloop  # noqa: F401 - the fixture
from tests.sandbox.conftest import make_config
from tests.ui.test_people_loads import settled

FIRST_PAGE = dataclasses.replace(FAST, per_page=20)


@asynccontextmanager
async def console_of_first_pages(tmp_path: Path) -> AsyncIterator[tuple[Console, Sandbox]]:
    sandbox = Sandbox(make_config())
    await sandbox.start()
    try:
        console = Console(make_client(sandbox, config=FIRST_PAGE), settings=None,
                          drafts_path=tmp_path / "drafts.json", canned=CANNED)
        try:
            console.window.show()
            console.window.activateWindow()
            await console.start()
            await settled(console)
            yield console, sandbox
        finally:
            await console.aclose()
    finally:
        await sandbox.stop()


def gets(sandbox: Sandbox, mark: int) -> list[str]:
    """The Get A Conversation requests since ``mark`` (their session ids)."""
    return [r.path.rsplit("/", 1)[-1] for r in sandbox.requests.since(mark)
            if r.method == "GET" and r.path.count("/") == 3 and "/conversation/" in r.path]


def contact_with_older(console: Console, sandbox: Sandbox) -> tuple[str, list[str]]:
    """A conversation the store holds whose contact has others it lacks (those)."""
    store, convs = console.client.store, sandbox.state.conversations
    for sid in store.conversation_ids():
        conv = convs[sid]
        older = [c.session_id for c in convs.values() if conv.people_id
                 and c.people_id == conv.people_id and c.website_id == conv.website_id
                 and c.session_id not in store.conversations]
        if older:
            return sid, older
    raise AssertionError("no contact with a conversation older than the first page")


def row_of(console: Console, session_id: str) -> str:
    past = console.panes.people.past
    keys = past.keys()
    return past.item(keys.index(session_id)).text() if session_id in keys else ""


def test_a_past_conversation_older_than_the_first_page_shows_and_opens(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:  # noqa: F811
    async def scenario() -> None:
        async with console_of_first_pages(tmp_path) as (console, sandbox):
            store, people = console.client.store, console.panes.people
            counts = console.panes.list_pane.counts
            sid, older = contact_with_older(console, sandbox)
            before = counts.counts()
            mark = sandbox.requests.total

            console.controller.jump_to(sid)  # the panel is shown: its extras, then the rows
            section = people.past_section
            await until(lambda: section.shown() and all(
                s in store.conversations for s in section.shown()), what="the rows' fetches")
            await settled(console)
            fetched = gets(sandbox, mark)
            assert fetched and len(set(fetched)) == len(fetched)  # each once
            assert set(fetched) <= set(older) and len(fetched) <= 5  # a few: the rows shown
            assert set(fetched) <= set(section.shown())
            for other in fetched:
                row, server = store.conversations[other], sandbox.state.conversations[other]
                assert row.state == server.state
                state = {"pending": "Pending", "unresolved": "Unresolved",
                         "resolved": "Resolved"}[server.state]
                assert row_of(console, other).startswith(f"{state} · ")
            counts.flush()
            added = [store.conversations[o] for o in fetched]
            assert counts.count(Filter.ALL) == before[Filter.ALL] + len(added)
            assert counts.count(Filter.RESOLVED) == before[Filter.RESOLVED] + sum(
                c.state == "resolved" for c in added)

            # Clicked: it opens, selected in the list, its messages load; counted once.
            target = fetched[-1]
            past = people.past
            centre = past.visualItemRect(past.item(past.keys().index(target))).center()
            mark = sandbox.requests.total
            QTest.mouseClick(past.viewport(), Qt.MouseButton.LeftButton, pos=centre)
            await until(lambda: console.controller.session_id == target, what="the opening")
            await until(lambda: store.timeline_loaded(target), what="its messages")
            await settled(console)
            assert console.panes.list_pane.current_session_id() == target
            assert gets(sandbox, mark) == []  # in the store already: no second fetch
            thread = console.panes.thread.model
            assert thread.rowCount() > 0
            counts.flush()
            assert counts.count(Filter.ALL) == before[Filter.ALL] + len(added)
            assert store.conversation_ids().count(target) == 1

    qloop.run_until_complete(asyncio.wait_for(scenario(), 60))


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the window is raised
def test_a_notification_of_a_conversation_the_store_lacks_opens_it(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:  # noqa: F811
    async def scenario() -> None:
        async with console_of_first_pages(tmp_path) as (console, sandbox):
            store = console.client.store
            missing = next(c.session_id for c in sandbox.state.conversations.values()
                           if c.website_id in store.websites
                           and c.session_id not in store.conversations)
            all_before = console.panes.list_pane.counts.count(Filter.ALL)
            console.panes.notifier.activated.emit(missing)  # a click on a notification
            await until(lambda: console.controller.session_id == missing, what="the opening")
            await until(lambda: store.timeline_loaded(missing), what="its messages")
            assert console.panes.list_pane.current_session_id() == missing
            console.panes.list_pane.counts.flush()
            assert console.panes.list_pane.counts.count(Filter.ALL) == all_before + 1

            bogus = "session_00000000-0000-4000-8000-00000000dead"
            console.controller.jump_to(bogus)
            await settled(console)
            assert console.window.statusBar().currentMessage() == \
                "That conversation is no longer available"
            assert console.controller.session_id == missing  # nothing else happened

    qloop.run_until_complete(asyncio.wait_for(scenario(), 60))

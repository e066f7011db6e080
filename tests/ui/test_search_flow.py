"""The search flow on a qasync loop with a scripted client search and test timers: typing
searches locally after a pause and Crisp after a longer one, only the newest query's
answers show, Crisp's answer joins without moving the current row, Enter opens and reveals,
Esc goes back and the results wait for the next time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Coroutine, Iterator, Sequence
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from crisp_console.client.search import ServerAnswer
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Message, Store
from crisp_console.errors import TransportError
from crisp_console.present.search_rows import CRISP, SAVED
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.search_flow import (
    LOCAL_MS,
    SERVER_MS,
    SearchFlow,
)
from crisp_console.ui.widgets.left_column import LeftColumn
from crisp_console.ui.widgets.search_pane import SearchPane
from tests.qloop import qloop  # noqa: F401 - the fixture
from tests.ui.conftest import tasks_done

Key = Qt.Key
IDS = [f"s{n}" for n in range(6)]


class FakeTimer:
    def __init__(self, _parent: QObject, ms: int, slot: Callable[[], None]) -> None:
        self.ms, self.slot, self.active = ms, slot, False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def isActive(self) -> bool:  # QTimer's name
        return self.active

    def fire(self) -> None:
        assert self.active, f"the {self.ms} ms timer is not running"
        self.active = False
        self.slot()


class ScriptedSearch:
    """Answers when the test says so: each call waits on a future of its own."""

    def __init__(self, *, index: bool = True) -> None:
        self.index: object | None = object() if index else None
        self.local_calls: list[tuple[str, list[str] | None]] = []
        self.server_calls: list[tuple[str, list[str]]] = []
        self._local: dict[str, asyncio.Future[list[LocalHit]]] = {}
        self._server: dict[str, asyncio.Future[ServerAnswer]] = {}

    async def local(self, text: str, *, limit: int = 100,
                    website_ids: Collection[str] | None = None) -> list[LocalHit]:
        self.local_calls.append((text, None if website_ids is None else list(website_ids)))
        future = self._local[text] = asyncio.get_running_loop().create_future()
        return await future

    async def server(self, text: str, website_ids: Sequence[str]) -> ServerAnswer:
        self.server_calls.append((text, list(website_ids)))
        future = self._server[text] = asyncio.get_running_loop().create_future()
        return await future

    def answer_local(self, text: str, hits: list[LocalHit]) -> bool:
        future = self._local[text]
        if future.done():
            return False
        future.set_result(hits)
        return True

    def answer_server(self, text: str, answer: ServerAnswer | BaseException) -> bool:
        future = self._server[text]
        if future.done():
            return False
        if isinstance(answer, BaseException):
            future.set_exception(answer)
        else:
            future.set_result(answer)
        return True


def hit(sid: str, fp: int | None = 1, text: str = "vat") -> LocalHit:
    return LocalHit(sid, "w", fp, 1000 + (fp or 0), "message" if fp else "name",
                    f"the {HIT_START}{text}{HIT_END} number", 1.0)


def make_store() -> Store:
    store = Store()
    store.upsert_conversations([{"session_id": sid, "website_id": "w", "state": "unresolved",
                                 "last_message": f"about vat {sid}", "updated_at": 5000 - n,
                                 "meta": {"nickname": f"Visitor {sid}"}}
                                for n, sid in enumerate(IDS)])
    return store


class Thread:
    def __init__(self, found: bool = True) -> None:
        self.found, self.calls = found, []  # type: list[tuple[str, object]]

    def reveal(self, fingerprint: int) -> bool:
        self.calls.append(("reveal", fingerprint))
        return self.found

    def reveal_text(self, query: str) -> bool:
        self.calls.append(("text", query))
        return True


class Client:
    def __init__(self, found: bool = True) -> None:
        self.found, self.calls = found, []  # type: list[tuple[str, int, int]]

    async def reveal_message(self, session_id: str, fingerprint: int, timestamp: int) -> bool:
        self.calls.append((session_id, fingerprint, timestamp))
        await turns()
        return self.found

    async def newest_match(self, session_id: str,
                           matches: Callable[[Message], bool]) -> int | None:
        """Crisp-only rows: no message holds the words here (the find bar opens)."""
        self.calls.append((session_id, -1, 0))
        await turns()
        return None


class Rig:
    def __init__(self, qtbot: QtBot, *, index: bool = True, offline: bool = False,
                 reveal: Client | None = None, thread: Thread | None = None) -> None:
        self.store = make_store()
        self.search = ScriptedSearch(index=index)
        self.tasks = TaskOwner()
        self.listing = QLineEdit()
        self.pane = SearchPane()
        self.column = LeftColumn(self.listing, self.pane)
        qtbot.addWidget(self.column)
        self.column.resize(340, 600)
        self.column.show()
        self.timers: dict[int, FakeTimer] = {}
        self.opened: list[str] = []
        self.current: str | None = None
        self.offline = offline
        self.scope = ["w"]
        self.messages: list[str] = []
        self.fetching = False

        def make_timer(parent: QObject, ms: int, slot: Callable[[], None]) -> FakeTimer:
            timer = self.timers[ms] = FakeTimer(parent, ms, slot)
            return timer

        self.flow = SearchFlow(self.pane, self.column, self.search, self.store,
                               tasks=self.tasks, scope=lambda: list(self.scope),
                               open_conversation=self.open, current=lambda: self.current,
                               focus_list=self.listing.setFocus, reveal=reveal, thread=thread,
                               offline=lambda: self.offline,
                               message=lambda text, _ms: self.messages.append(text),
                               make_timer=make_timer)

    def open(self, session_id: str, website_id: str) -> None:
        assert website_id == "w"  # the row's: the controller fetches from there
        self.opened.append(session_id)
        if not self.fetching:
            self.current = session_id

    @property
    def local_timer(self) -> FakeTimer:
        return self.timers[LOCAL_MS]

    @property
    def server_timer(self) -> FakeTimer:
        return self.timers[SERVER_MS]

    def type(self, qtbot: QtBot, text: str) -> None:
        qtbot.keyClicks(self.pane.box, text)

    def sids(self) -> list[str]:
        return [r.session_id for r in self.pane.rows()]


async def turns(n: int = 5) -> None:
    """Let the loop turn a few times: an answer set on a future reaches the pane."""
    for _ in range(n):
        await asyncio.sleep(0)


def run(loop: qasync.QEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(asyncio.wait_for(scenario, 20))


@pytest.fixture
def rig(qtbot: QtBot) -> Iterator[Rig]:
    made = Rig(qtbot)
    made.flow.show()
    yield made
    made.flow.detach()


def test_typing_waits_for_a_pause_then_searches_here_and_on_crisp(
        qtbot: QtBot, qloop: qasync.QEventLoop, rig: Rig) -> None:  # noqa: F811
    async def scenario() -> None:
        rig.type(qtbot, "v")
        assert rig.local_timer.isActive() and not rig.server_timer.isActive()  # one letter
        rig.type(qtbot, "at")
        assert rig.search.local_calls == [] and rig.search.server_calls == []  # no pause yet
        rig.local_timer.fire()
        rig.server_timer.fire()
        await turns()
        assert rig.search.local_calls == [("vat", ["w"])]
        assert rig.search.server_calls == [("vat", ["w"])]
        assert rig.pane.status_text() == "Searching here… · searching Crisp…"
        rig.search.answer_local("vat", [hit("s1", 1), hit("s2", 2)])
        await turns()
        assert rig.sids() == ["s1", "s2"]
        assert rig.pane.status_text() == "2 found here · searching Crisp…"
        assert [r.text for r in rig.pane.rows()] == ["the vat number", "the vat number"]
        rig.type(qtbot, " ")  # the same query: nothing is searched again
        assert not rig.local_timer.isActive()
        rig.search.answer_server("vat", ServerAnswer(("s3", "s1")))
        await tasks_done(rig.tasks)
        assert rig.sids() == ["s1", "s2", "s3"]
        assert rig.pane.rows()[0].sources == (SAVED, CRISP)
        assert rig.pane.rows()[2].sources == (CRISP,)
        assert rig.pane.status_text() == "2 found here · Crisp found 1 more"
    run(qloop, scenario())


def test_only_the_newest_query_shows(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                     rig: Rig) -> None:
    async def scenario() -> None:
        rig.type(qtbot, "va")
        rig.flow.flush()
        await turns()  # its searches have started
        rig.type(qtbot, "t")
        rig.flow.flush()
        await turns()
        assert [c[0] for c in rig.search.local_calls] == ["va", "vat"]
        assert rig.search.answer_local("vat", [hit("s4")])
        await turns()
        # The older answers land late (or not at all: their tasks were cancelled).
        rig.search.answer_local("va", [hit("s1"), hit("s2")])
        rig.search.answer_server("va", ServerAnswer(("s5",)))
        rig.search.answer_server("vat", ServerAnswer(()))
        await tasks_done(rig.tasks)
        assert rig.sids() == ["s4"]
        assert rig.flow.query() == "vat"
    run(qloop, scenario())


def test_crisp_joining_keeps_the_current_row(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                             rig: Rig) -> None:
    async def scenario() -> None:
        rig.type(qtbot, "vat")
        rig.flow.flush()
        await turns()
        rig.search.answer_local("vat", [hit("s1", 1), hit("s2", 2), hit("s3", 3)])
        await turns()
        rig.pane.step_current(2)
        assert rig.pane.current_row() is not None
        current = rig.pane.current_row()
        resets: list[int] = []
        rig.pane.model.modelReset.connect(lambda: resets.append(1))
        rig.search.answer_server("vat", ServerAnswer(("s5", "s2", "s0")))
        await tasks_done(rig.tasks)
        assert rig.sids() == ["s1", "s2", "s3", "s5", "s0"]
        assert rig.pane.current_row() is not None
        assert rig.pane.current_row().key == current.key  # type: ignore[union-attr]
        assert resets == []
    run(qloop, scenario())


def test_crisp_first_then_here_keeps_places(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                            rig: Rig) -> None:
    async def scenario() -> None:
        rig.type(qtbot, "vat")
        rig.flow.flush()
        await turns()
        rig.search.answer_server("vat", ServerAnswer(("s2", "s3")))
        await turns()
        assert rig.sids() == ["s2", "s3"]
        rig.search.answer_local("vat", [hit("s1", 1), hit("s3", 3)])
        await tasks_done(rig.tasks)
        assert rig.sids() == ["s2", "s3", "s1"]  # s3's message takes s3's place
        assert rig.pane.rows()[1].fingerprint == 3
    run(qloop, scenario())


def test_enter_opens_and_reveals(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:  # noqa: F811
    async def scenario() -> None:
        client, thread = Client(), Thread()
        rig = Rig(qtbot, reveal=client, thread=thread)
        rig.flow.show()
        rig.type(qtbot, '"vat number"')
        rig.flow.flush()
        await turns()
        rig.search.answer_local("\"vat number\"", [hit("s1", 11), hit("s2", 22)])
        rig.search.answer_server("\"vat number\"", ServerAnswer(("s4",)))
        await tasks_done(rig.tasks)
        qtbot.keyClick(rig.pane.box, Key.Key_Down)
        qtbot.keyClick(rig.pane.box, Key.Key_Return)
        await tasks_done(rig.tasks)
        assert rig.opened == ["s2"]
        assert client.calls == [("s2", 22, 1022)]
        assert thread.calls == [("reveal", 22)]
        assert rig.column.showing_search()
        # A conversation Crisp named: the thread's find bar looks for the words.
        rig.pane.select_row(2)
        qtbot.keyClick(rig.pane.box, Key.Key_Return)
        await tasks_done(rig.tasks)
        assert thread.calls[-1] == ("text", "vat number")
        # Not found: the find bar too.
        client.found = False
        rig.pane.select_row(0)
        qtbot.keyClick(rig.pane.box, Key.Key_Return)
        await tasks_done(rig.tasks)
        assert thread.calls[-1] == ("text", "vat number")
        rig.flow.detach()
    run(qloop, scenario())


def test_enter_before_the_answer_opens_its_first_row(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                                     rig: Rig) -> None:
    async def scenario() -> None:
        rig.type(qtbot, "vat")
        qtbot.keyClick(rig.pane.box, Key.Key_Return)  # at once: no pause waited for
        await turns()
        assert rig.search.local_calls and rig.search.server_calls
        assert rig.opened == []
        rig.search.answer_local("vat", [hit("s3", 3)])
        await turns()
        assert rig.opened == ["s3"]
        rig.search.answer_server("vat", ServerAnswer(("s4",)))
        await tasks_done(rig.tasks)
        assert rig.opened == ["s3"]  # once
    run(qloop, scenario())


def test_a_conversation_still_loading_is_revealed_once_open(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:  # noqa: F811
    async def scenario() -> None:
        client, thread = Client(), Thread()
        rig = Rig(qtbot, reveal=client, thread=thread)
        rig.fetching = True  # jump_to fetches it: it opens later
        rig.flow.show("vat")
        await turns()
        rig.search.answer_local("vat", [hit("s5", 5)])
        await turns()
        rig.flow.choose(rig.pane.rows()[0])
        await turns()
        assert rig.opened == ["s5"] and client.calls == []
        rig.current = "s5"
        rig.flow.conversation_opened("s5")
        rig.search.answer_server("vat", ServerAnswer(()))
        await tasks_done(rig.tasks)
        assert client.calls == [("s5", 5, 1005)] and thread.calls == [("reveal", 5)]
        rig.flow.detach()
    run(qloop, scenario())


def test_esc_goes_back_and_the_results_wait(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                            rig: Rig) -> None:
    async def scenario() -> None:
        rig.type(qtbot, "vat")
        rig.flow.flush()
        await turns()
        rig.search.answer_local("vat", [hit("s1")])
        rig.search.answer_server("vat", ServerAnswer(()))
        await tasks_done(rig.tasks)
        qtbot.keyClick(rig.pane.box, Key.Key_Escape)
        assert not rig.column.showing_search()
        rig.flow.toggle()  # Ctrl+Shift+F: the same query and results
        assert rig.column.showing_search()
        assert rig.pane.box.text() == "vat" and rig.sids() == ["s1"]
        assert rig.pane.box.selectedText() == "vat"  # typing replaces it
        assert len(rig.search.local_calls) == 1  # nothing searched again
    run(qloop, scenario())


def test_offline_searches_only_what_is_saved(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:  # noqa: F811
    async def scenario() -> None:
        rig = Rig(qtbot, offline=True)
        rig.flow.show("vat")
        await turns()
        assert rig.search.server_calls == []
        rig.search.answer_local("vat", [hit("s1")])
        await tasks_done(rig.tasks)
        assert rig.pane.status_text() == "Searching what is saved on this computer · 1 found"
        rig.flow.detach()
    run(qloop, scenario())


def test_crisp_failing_is_said(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                               rig: Rig) -> None:
    async def scenario() -> None:
        rig.flow.show("refund")
        await turns()
        rig.search.answer_local("refund", [])
        rig.search.answer_server("refund", TransportError("reset", sent=True))
        await tasks_done(rig.tasks)
        assert rig.pane.status_text().startswith("0 found here · Crisp could not be searched: ")
        assert rig.pane.empty.text() == "Nothing matches “refund”"
    run(qloop, scenario())


def test_without_a_local_index_crisp_alone(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:  # noqa: F811
    async def scenario() -> None:
        rig = Rig(qtbot, index=False)
        rig.flow.show()
        rig.type(qtbot, "vat")
        assert not rig.local_timer.isActive()
        assert rig.pane.status_text() == "Searching Crisp…"
        rig.server_timer.fire()
        await turns()
        rig.search.answer_server("vat", ServerAnswer(("s2", "s3")))
        await tasks_done(rig.tasks)
        assert rig.sids() == ["s2", "s3"] and rig.pane.status_text() == "Crisp found 2"
        rig.type(qtbot, "x")  # another query: the old rows go at once
        assert rig.sids() == []
        rig.flow.detach()
    run(qloop, scenario())


def test_another_website_searches_again(qtbot: QtBot, qloop: qasync.QEventLoop,  # noqa: F811
                                        rig: Rig) -> None:
    async def scenario() -> None:
        rig.flow.show("vat")
        await turns()
        rig.flow.hide()
        rig.scope = ["w2"]
        rig.flow.scope_changed("w2")  # hidden: searched when shown again
        assert len(rig.search.local_calls) == 1
        rig.flow.show()
        rig.flow.flush()
        await turns()
        assert rig.search.local_calls[-1] == ("vat", ["w2"])
        assert rig.search.server_calls[-1] == ("vat", ["w2"])
    run(qloop, scenario())


def test_commands(qtbot: QtBot, qloop: qasync.QEventLoop, rig: Rig) -> None:  # noqa: F811
    async def scenario() -> None:
        registry: CommandRegistry = build_registry(platform="linux")
        stepped: list[int] = []
        registry.set_handler("conversation.next", lambda: stepped.append(1))
        registry.set_handler("search.conversations", lambda: stepped.append(0))
        rig.flow.install(registry)
        rig.flow.hide()
        registry.run("search.messages")
        assert rig.column.showing_search()
        rig.type(qtbot, "vat")
        rig.flow.flush()
        await turns()
        rig.search.answer_local("vat", [hit("s1", 1), hit("s2", 2)])
        rig.search.answer_server("vat", ServerAnswer(()))
        await tasks_done(rig.tasks)
        registry.run("conversation.next")  # Alt+Down: the next result, opened
        assert rig.opened == ["s2"] and stepped == []
        registry.run("conversation.next")
        assert rig.messages == ["End of the results"]
        registry.run("search.conversations")  # "/": the list's filter, the list first
        assert not rig.column.showing_search() and stepped == [0]
        registry.run("conversation.next")
        assert stepped == [0, 1]
        await tasks_done(rig.tasks)
    run(qloop, scenario())

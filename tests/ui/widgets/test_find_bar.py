"""Find in the open thread: Ctrl+F from anywhere in the window, the count, Enter/Shift+Enter and
F3/Shift+F3 through the matches (newest first), the MARK role of every row, a live match
that updates the count without moving the view, Esc giving the focus back, and "Search
older" loading pages until something matches. The model stays valid throughout (Qt's model
tester watches it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.present.find_text import NO_MATCH, NO_MATCH_LOADED, Mark
from crisp_console.ui.cheatsheet import cheat_sheet_rows
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.find_bar import SEARCHING_OLDER
from tests.present.seeded import visitor_says
from tests.ui.conftest import tasks_done
from tests.ui.widgets.find_helpers import (
    MIN,
    T,
    Window,
    centred,
    in_view,
    marks,
    shown_window,
    words_store,
)
from tests.ui.widgets.test_thread_pane import pump, say

Key, Mod = Qt.Key, Qt.KeyboardModifier
Attach = Callable[[QAbstractItemModel], Any]


@pytest.fixture
def window(qtbot: QtBot, live_tester: Attach) -> Window:
    store, sid = words_store()
    win = shown_window(qtbot, store)
    win.pane.bind(sid)
    win.pane.flush()
    live_tester(win.pane.model)
    win.other.setFocus()
    qtbot.waitUntil(win.other.hasFocus)
    return win


def test_ctrl_f_opens_the_bar_from_anywhere_and_finds_folded_text(
        qtbot: QtBot, window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    assert bar.isHidden() and marks(pane) == {}
    QTest.keyClick(window.other, Key.Key_F, Mod.ControlModifier)  # from the "composer"
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "refund")
    # Case and accents folded: REFUND, refund, Réfund; the newest is current, in view.
    assert bar.count.text() == "1 of 3"
    assert marks(pane) == {5: Mark("refund", found=True), 17: Mark("refund", found=True),
                           30: Mark("refund", found=True, current=True)}
    assert centred(pane, 30)
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, "CREME BRU")
    assert bar.count.text() == "1 of 1" and list(marks(pane)) == [22] and centred(pane, 22)


def test_enter_goes_older_shift_enter_newer_and_both_wrap(qtbot: QtBot, window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    pane.open_find()
    qtbot.keyClicks(bar.edit, "refund")
    seen = []
    for _ in range(3):
        QTest.keyClick(bar.edit, Key.Key_Return)
        current = [row for row, mark in marks(pane).items() if mark.current]
        seen.append((bar.count.text(), current))
        assert in_view(pane, current[0])
    assert seen == [("2 of 3", [17]), ("3 of 3", [5]), ("1 of 3", [30])]
    QTest.keyClick(bar.edit, Key.Key_Return, Mod.ShiftModifier)
    assert bar.count.text() == "3 of 3" and marks(pane)[5].current and in_view(pane, 5)
    QTest.keyClick(bar.edit, Key.Key_Enter, Mod.KeypadModifier)  # keypad Enter as well
    assert bar.count.text() == "1 of 3"


def test_f3_and_shift_f3_are_commands_that_work_from_anywhere(
        qtbot: QtBot, window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    pane.open_find()
    qtbot.keyClicks(bar.edit, "refund")
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus)
    QTest.keyClick(pane.view, Key.Key_F3)
    assert bar.count.text() == "2 of 3"
    QTest.keyClick(pane.view, Key.Key_F3, Mod.ShiftModifier)
    assert bar.count.text() == "1 of 3"


def test_the_commands_are_in_the_registry_the_cheat_sheet_and_rebindable() -> None:
    registry = build_registry(platform="linux")
    assert registry.shortcuts("thread.find") == ("Ctrl+F",)
    assert registry.shortcuts("thread.find_next") == ("F3",)
    assert registry.shortcuts("thread.find_previous") == ("Shift+F3",)
    assert registry.get("thread.find").listed_in_palette
    assert build_registry(platform="darwin").shortcuts("thread.find_next") == ("F3", "Ctrl+G")
    assert registry.conflicts() == []
    rows = dict(cheat_sheet_rows(registry, native=False))["Thread"]
    assert ("Find in this conversation", ["Ctrl+F"]) in [(t, list(k)) for t, k in rows]
    registry.set_shortcuts("thread.find", ["Ctrl+Shift+G"])
    assert registry.shortcuts("thread.find") == ("Ctrl+Shift+G",)


def test_esc_closes_clears_the_highlights_and_gives_the_focus_back(
        qtbot: QtBot, window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    QTest.keyClick(window.other, Key.Key_F, Mod.ControlModifier)
    qtbot.keyClicks(bar.edit, "refund")
    assert marks(pane)
    QTest.keyClick(bar.edit, Key.Key_Escape)
    assert bar.isHidden() and marks(pane) == {} and window.other.hasFocus()
    # Opened from the thread, it goes back to the thread; the query is kept.
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus)
    QTest.keyClick(pane.view, Key.Key_F, Mod.ControlModifier)
    assert bar.edit.hasFocus() and bar.edit.selectedText() == "refund"
    assert bar.count.text() == "1 of 3"
    bar.close_button.click()
    assert bar.isHidden() and pane.view.hasFocus()


def test_a_live_match_updates_the_count_without_moving_the_view(window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    pane.open_find()
    bar.edit.setText("refund")
    QTest.keyClick(bar.edit, Key.Key_Return)  # row 17, in the middle of the thread
    assert bar.count.text() == "2 of 3" and not pane.at_bottom()
    value = pane.view.verticalScrollBar().value()
    top = pane.view.visualRect(pane.model.index(17)).top()
    visitor_says(pane.model.store, pane.session_id() or "", T + 100 * MIN, "refund again?")
    visitor_says(pane.model.store, pane.session_id() or "", T + 101 * MIN, "hello?")
    pane.flush()
    assert bar.count.text() == "3 of 4"  # the same message, one newer match above it
    assert marks(pane)[17].current and marks(pane)[40] == Mark("refund", found=True)
    assert pane.view.verticalScrollBar().value() == value
    assert pane.view.visualRect(pane.model.index(17)).top() == top
    # An edit that takes the word away, and a removal: the count follows.
    store, sid = pane.model.store, pane.session_id() or ""
    website = store.conversations[sid].website_id
    store.apply("message:updated", {"website_id": website, "session_id": sid,
                                    "content": "never mind",
                                    "fingerprint": pane.model.message_at(5).fingerprint})
    pane.flush()
    assert bar.count.text() == "3 of 3" and 5 not in marks(pane)
    store.apply("message:removed", {"website_id": website, "session_id": sid,
                                    "fingerprint": pane.model.message_at(40).fingerprint})
    pane.flush()
    assert bar.count.text() == "2 of 2" and marks(pane)[17].current
    assert pane.view.verticalScrollBar().value() == value


@pytest.mark.asyncio
async def test_no_match_offers_to_search_older_which_loads_pages_until_one_matches(
        qtbot: QtBot, live_tester: Attach) -> None:
    store, sid = words_store()
    tasks = TaskOwner()
    pages = [[say(sid, i, text=f"old {i}") for i in range(-40 * k, -40 * (k - 1))]
             for k in (1, 2, 3)]
    pages[1][3]["content"] = "the invoice, finally"  # in the second older page
    calls: list[str] = []

    async def load_older(session_id: str) -> int:  # as the client does
        calls.append(session_id)
        await asyncio.sleep(0)
        page = pages[len(calls) - 1] if len(calls) <= len(pages) else []
        store.add_history_page(session_id, page, older=True)
        return len(page)

    win = shown_window(qtbot, store, load_older=load_older, tasks=tasks)
    pane, bar = win.pane, win.pane.find_bar
    pane.bind(sid)
    pane.flush()
    live_tester(pane.model)
    pane.open_find()
    qtbot.keyClicks(bar.edit, "invoice")
    assert bar.count.text() == NO_MATCH_LOADED and bar.search_older.isVisible()
    assert not bar.older.isEnabled()
    bar.search_older.click()
    assert bar.count.text() == SEARCHING_OLDER and not bar.search_older.isVisible()
    await pump(lambda: bar.count.text() == "1 of 1", "the match in an older page")
    await tasks_done(tasks)
    # The second page held it: the hunt ended there (the pane may load more on its own,
    # the match being near the top of what is loaded, as scrolling up there does).
    assert len(calls) >= 2 and not pane.finder.searching_older
    row = pane.model.row_of(int(pages[1][3]["fingerprint"]))
    assert marks(pane)[row].current and in_view(pane, row)

    bar.edit.clear()
    qtbot.keyClicks(bar.edit, "zebra")
    bar.search_older.click()
    await pump(lambda: not pane.finder.searching_older, "the start")
    await tasks_done(tasks)
    assert pane.at_start() and bar.count.text() == NO_MATCH
    assert not bar.search_older.isVisible()


@pytest.mark.asyncio
async def test_a_failed_search_older_stops_and_offers_it_again(qtbot: QtBot) -> None:
    store, sid = words_store()
    tasks = TaskOwner()
    calls: list[str] = []

    async def load_older(session_id: str) -> int:
        calls.append(session_id)
        await asyncio.sleep(0)
        raise OSError("offline")  # the pane logs it and retries later

    win = shown_window(qtbot, store, load_older=load_older, tasks=tasks)
    pane, bar = win.pane, win.pane.find_bar
    pane.bind(sid)
    pane.flush()
    pane.open_find()
    qtbot.keyClicks(bar.edit, "invoice")
    bar.search_older.click()
    assert bar.count.text() == SEARCHING_OLDER
    await pump(lambda: not pane.finder.searching_older, "the failed page")
    await tasks_done(tasks)
    assert calls == [sid] and bar.count.text() == NO_MATCH_LOADED
    assert bar.search_older.isVisible()


def test_the_find_follows_the_operator_to_another_conversation(window: Window) -> None:
    pane, bar = window.pane, window.pane.find_bar
    sid = pane.session_id() or ""
    pane.open_find()
    bar.edit.setText("refund")
    assert bar.count.text() == "1 of 3"
    pane.bind(pane.model.store.conversation_ids()[1])  # no refund there
    pane.flush()
    assert bar.isVisible() and bar.count.text() == NO_MATCH_LOADED and marks(pane) == {}
    pane.bind(sid)
    pane.flush()
    assert bar.count.text() == "3 matches" and pane.at_bottom()  # none current: no jump
    QTest.keyClick(bar.edit, Key.Key_Return)
    assert bar.count.text() == "1 of 3" and marks(pane)[30].current


def test_find_needs_a_conversation(window: Window) -> None:
    pane = window.pane
    pane.bind(None)
    pane.open_find()
    assert pane.find_bar.isHidden()
    assert not pane.reveal_text("refund")

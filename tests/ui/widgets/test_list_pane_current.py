"""The list pane's current conversation: kept by session id through live moves, removals and
filter changes, never announced unless the operator moves; navigation by the select_* calls,
keys and clicks; activation and context menus; and a model tester while the store changes."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.filters import Filter
from crisp_console.present.list_logic import needs_attention
from crisp_console.ui.widgets.list_pane import ListPane
from tests.present.seeded import (
    ME,
    burst,
    conversation_payload,
    recount,
    seeded_store,
    visitor_says,
)
from tests.ui.widgets.list_pane_helpers import (
    NOW,
    assert_mirrors,
    expected_rows,
    make_pane,
    selected,
    set_state,
)

Key = Qt.Key
Attach = Callable[[QAbstractItemModel], Any]


@pytest.fixture
def pane(qtbot: QtBot, store: Store) -> ListPane:
    return make_pane(qtbot, store)


@pytest.fixture
def moves(pane: ListPane) -> list[str | None]:
    """Every ``current_changed`` the pane emits."""
    seen: list[str | None] = []
    pane.current_changed.connect(seen.append)
    return seen


# ---- the current conversation ------------------------------------------------------------------


def test_current_survives_moves(pane: ListPane, store: Store,
                                moves: list[str | None]) -> None:
    # The store orders pending conversations first, then by activity: in Unresolved the
    # pending ones are rows 0-7 and a visitor message takes an unresolved one to row 8.
    ids = pane.model.session_ids()
    assert [store.conversations[s].state for s in ids[7:9]] == ["pending", "unresolved"]
    current = ids[12]
    assert pane.select_session(current)
    assert moves == [current]
    assert_mirrors(pane)

    visitor_says(store, ids[14], NOW + 1000)  # a row below it goes above it
    pane.flush()
    assert pane.model.session_ids()[8] == ids[14]
    assert pane.current_session_id() == current
    assert pane.view.current_row() == 13
    assert_mirrors(pane)

    visitor_says(store, current, NOW + 2000)  # the current one itself moves up
    store.upsert_conversation(conversation_payload(600, updated_at=NOW + 3000))  # pending
    pane.flush()
    assert pane.model.session_ids()[0] != ids[0]
    assert pane.view.current_row() == 9
    assert_mirrors(pane)
    assert moves == [current]  # rows moved; the operator did not


def test_current_leaving_the_filter_stays_current(pane: ListPane, store: Store,
                                                  moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    current, below = ids[4], ids[5]
    pane.select_session(current)
    set_state(store, current, "resolved")
    pane.flush()
    assert pane.model.row_of(current) == -1
    assert pane.current_session_id() == current  # the thread stays open
    assert selected(pane) == [] and not pane.view.currentIndex().isValid()
    assert moves == [current]

    # Rows arriving above it and moving across its place do not lose that place.
    store.upsert_conversation(conversation_payload(702, updated_at=NOW + 1000))  # pending
    visitor_says(store, ids[6], NOW + 2000)  # pending, from below it to the top
    pane.flush()
    assert pane.model.session_ids()[:2] == [ids[6], expected_rows(store, Filter.ALL)[1]]
    assert selected(pane) == []
    assert pane.select_next(1)
    assert moves[-1] == below  # the row that took its place

    assert not pane.select_session(current)
    assert pane.current_session_id() == below


def test_previous_from_a_conversation_that_left(pane: ListPane, store: Store,
                                                moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    pane.select_session(ids[4])
    set_state(store, ids[4], "resolved")
    pane.flush()
    assert pane.select_next(-1)
    assert moves[-1] == ids[3]


def test_current_comes_back_selected(pane: ListPane, store: Store,
                                     moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    pane.select_session(ids[2])
    set_state(store, ids[2], "resolved")
    pane.flush()
    assert selected(pane) == []
    set_state(store, ids[2], "unresolved")  # reopened: back in Unresolved
    pane.flush()
    assert pane.view.current_row() == pane.model.row_of(ids[2]) >= 0
    assert_mirrors(pane)
    assert moves == [ids[2]]


def test_filter_changes_keep_the_current_conversation(pane: ListPane, store: Store,
                                                      moves: list[str | None]) -> None:
    mine = expected_rows(store, Filter.MINE)
    current = next(s for s in pane.model.session_ids() if s in mine)
    pane.select_session(current)
    pane.set_filter(Filter.MINE)
    assert pane.view.current_row() == mine.index(current)
    assert_mirrors(pane)
    pane.set_filter(Filter.RESOLVED)  # not in it: kept, unselected
    assert pane.current_session_id() == current and selected(pane) == []
    pane.set_text("visitor")
    pane.set_filter(Filter.UNRESOLVED)
    assert_mirrors(pane)
    assert pane.view.current_row() >= 0
    assert moves == [current]


def test_select_next_first_last(pane: ListPane, moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    assert pane.current_session_id() is None
    assert pane.select_next(-1)  # from nowhere, previous starts at the bottom
    assert moves == [ids[-1]]
    assert not pane.select_next(1)  # the end
    assert pane.select_first() and moves[-1] == ids[0]
    assert not pane.select_next(-1)
    assert pane.select_next(1) and moves[-1] == ids[1]
    assert pane.select_next(3) and moves[-1] == ids[4]
    assert pane.select_last() and moves[-1] == ids[-1]
    assert pane.select_next(-100) and moves[-1] == ids[0]  # a long step stops at the end
    assert len(moves) == 6
    assert not pane.select_session("not-a-session")


def test_select_next_unread_or_waiting(pane: ListPane, store: Store,
                                       moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    wanted = [s for s in ids if needs_attention(store.conversations[s])]
    assert 0 < len(wanted) < len(ids)
    for sid in wanted:
        assert pane.select_next(unread_only=True)
        assert moves[-1] == sid
    assert not pane.select_next(unread_only=True)
    assert pane.select_next(-1, unread_only=True) and moves[-1] == wanted[-2]
    assert pane.select_next(-2, unread_only=True) and moves[-1] == wanted[-4]


def test_keyboard_moves(pane: ListPane, qtbot: QtBot, moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    pane.activateWindow()
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus)
    assert_mirrors(pane)  # focus alone makes nothing current (Qt would pick the first row)
    qtbot.keyClick(pane.view, Key.Key_Down)
    assert moves == [ids[0]]  # the first row, not the second
    qtbot.keyClick(pane.view, Key.Key_Down)
    qtbot.keyClick(pane.view, Key.Key_Up)
    qtbot.keyClick(pane.view, Key.Key_Up)  # at the top: nowhere to go
    assert moves == [ids[0], ids[1], ids[0]]
    qtbot.keyClick(pane.view, Key.Key_PageDown)
    assert moves[-1] == ids[pane.view.page_rows()]
    qtbot.keyClick(pane.view, Key.Key_End)
    assert moves[-1] == ids[-1]
    qtbot.keyClick(pane.view, Key.Key_Home)
    assert moves[-1] == ids[0]
    assert_mirrors(pane)


def test_operator_moves_scroll_live_moves_do_not(qtbot: QtBot) -> None:
    store = seeded_store(90)
    pane = make_pane(qtbot, store)
    view, bar = pane.view, pane.view.verticalScrollBar()
    ids = pane.model.session_ids()
    pane.select_last()
    assert view.viewport().rect().contains(view.visualRect(pane.model.index(len(ids) - 1, 0)))
    pane.select_session(ids[40])
    bar.setValue(200)  # the operator scrolls away from it
    offset = bar.value()
    visitor_says(store, ids[-1], NOW + 1000)  # rows move
    set_state(store, ids[40], "resolved")  # the current one leaves the list
    pane.flush()
    assert bar.value() == offset
    set_state(store, ids[40], "unresolved")  # and comes back
    pane.flush()
    assert selected(pane) == [pane.model.row_of(ids[40])]
    assert bar.value() == offset
    assert pane.select_next(1)  # the operator's move shows the row
    assert view.viewport().rect().contains(view.visualRect(view.currentIndex()))


def test_enter_click_and_double_click_activate(pane: ListPane, qtbot: QtBot) -> None:
    ids = pane.model.session_ids()
    pane.select_session(ids[2])
    pane.view.setFocus()
    with qtbot.waitSignal(pane.activated, timeout=1000) as blocker:
        qtbot.keyClick(pane.view, Key.Key_Return)
    assert blocker.args == [ids[2]]
    centre = pane.view.visualRect(pane.model.index(3, 0)).center()
    with qtbot.waitSignal(pane.activated, timeout=1000) as blocker:
        qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [ids[3]]
    assert pane.current_session_id() == ids[3]
    # A click opens the row to reply too (issue 15), as Enter does.
    centre = pane.view.visualRect(pane.model.index(1, 0)).center()
    with qtbot.waitSignal(pane.activated, timeout=1000) as blocker:
        qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [ids[1]]


def test_click_selects(pane: ListPane, qtbot: QtBot, moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    centre = pane.view.visualRect(pane.model.index(1, 0)).center()
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.RightButton, pos=centre)
    assert moves == [ids[1]]
    assert_mirrors(pane)


@pytest.mark.parametrize(("key", "modifier"), [
    (Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
    (Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
])
def test_keyboard_context_menu(pane: ListPane, qtbot: QtBot, key: Key,
                               modifier: Qt.KeyboardModifier) -> None:
    ids = pane.model.session_ids()
    pane.select_session(ids[1])
    pane.view.setFocus()
    with qtbot.waitSignal(pane.context_menu_requested, timeout=1000) as blocker:
        qtbot.keyClick(pane.view, key, modifier)
    sid, where = blocker.args
    assert sid == ids[1]
    row = pane.view.visualRect(pane.model.index(1, 0))
    assert row.contains(pane.view.viewport().mapFromGlobal(where))


def test_mouse_context_menu_names_the_row_under_it(pane: ListPane, qtbot: QtBot,
                                                   moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    at = pane.view.visualRect(pane.model.index(2, 0)).center()
    where = pane.view.viewport().mapToGlobal(at)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, where)
    with qtbot.waitSignal(pane.context_menu_requested, timeout=1000) as blocker:
        QApplication.sendEvent(pane.view.viewport(), event)
    assert blocker.args == [ids[2], where]
    assert moves == []  # a menu does not open the conversation


def test_no_context_menu_without_a_listed_current(pane: ListPane, qtbot: QtBot) -> None:
    seen: list[str] = []
    pane.context_menu_requested.connect(lambda sid, _pos: seen.append(sid))
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Key.Key_Menu)
    assert seen == []


# ---- live traffic ------------------------------------------------------------------------------


@pytest.mark.parametrize("coalesce", [True, False])
def test_model_tester_and_current_under_live_traffic(qtbot: QtBot, live_tester: Attach,
                                                     coalesce: bool) -> None:
    store = seeded_store(60)
    pane = make_pane(qtbot, store, coalesce=coalesce)
    live_tester(pane.model)
    moves: list[str | None] = []
    pane.current_changed.connect(moves.append)
    rng = random.Random(7)
    pane.select_session(pane.model.session_ids()[10])
    current = pane.current_session_id()
    for step in range(12):
        burst(store, rng, 40)
        pane.flush()
        assert pane.model.session_ids() == expected_rows(store, pane.filter())
        assert pane.counts.counts() == recount(store, ME)
        assert pane.current_session_id() == current
        assert_mirrors(pane)
        if step == 6:
            pane.set_filter(Filter.ALL)
    assert moves == [current]


def test_clear_current(pane: ListPane, moves: list[str | None]) -> None:
    ids = pane.model.session_ids()
    pane.select_session(ids[3])
    pane.clear_current()
    assert pane.current_session_id() is None and selected(pane) == []
    pane.clear_current()  # already none: nothing to say
    assert moves == [ids[3], None]
    assert pane.select_next(1) and moves[-1] == ids[0]  # from nowhere: the top

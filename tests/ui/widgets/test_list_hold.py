"""The list does not move under the operator (ui/widgets/list_hold.py): with the pointer over
the list, the focus in it, or the list scrolled away from its top, rows arriving above stay
out of sight and the pill counts them; otherwise they show at the top as before. The
selection never follows an insertion, and the model stays exact under live traffic."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.filters import Filter
from crisp_console.ui.widgets.list_pane import ListPane
from tests.present.seeded import burst, conversation_payload, seeded_store, visitor_says
from tests.ui.widgets.list_pane_helpers import NOW, assert_mirrors, make_pane, set_state

Attach = Callable[[QAbstractItemModel], Any]


@pytest.fixture
def pane(qtbot: QtBot) -> ListPane:
    return make_pane(qtbot, seeded_store(90))


def arrive(pane: ListPane, store: Store, n: int, start: int = 500) -> list[str]:
    """``n`` new pending conversations, newer than every other: they sort to the top."""
    payloads = [conversation_payload(start + i, state="pending",
                                     updated_at=NOW + 1000 * (start + i)) for i in range(n)]
    store.upsert_conversations(payloads)
    pane.flush()
    return [p["session_id"] for p in payloads]


def hover(pane: ListPane, row_in_view: int) -> tuple[str, int]:
    """Put the pointer on the ``row_in_view``-th row shown; its session id and its y."""
    view = pane.view
    row = view.rowAt(0) + row_in_view
    y = view.rowViewportPosition(row) + view.rowHeight(row) // 2
    QTest.mouseMove(view.viewport(), QPoint(40, y))
    assert view.underMouse()
    return pane.model.session_id_at(row), view.rowViewportPosition(row)


def under_pointer(pane: ListPane, y: int) -> tuple[str, int]:
    row = pane.view.rowAt(y)
    return pane.model.session_id_at(row), pane.view.rowViewportPosition(row)


def leave(pane: ListPane) -> None:
    """The pointer onto the filter bar, from the list (a window shown under a pointer left
    there by an earlier test can think it has it without Qt knowing it entered)."""
    QTest.mouseMove(pane.view.viewport(), QPoint(5, 5))
    QTest.mouseMove(pane.filter_bar, QPoint(5, 5))
    assert not pane.view.underMouse()


def test_hovered_rows_stay_and_the_pill_counts_arrivals(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001 - the pane's own store
    sid, y = hover(pane, 4)
    pane.select_session(sid)
    new = arrive(pane, store, 3)
    assert pane.model.session_ids()[:3] == new[::-1]  # the model's order is untouched
    assert under_pointer(pane, y + 10) == (sid, y)
    assert pane.view.hold.count() == 3
    assert pane.view.hold.pill.isVisible()
    assert pane.view.hold.pill.text() == "3 new ↑"
    assert pane.current_session_id() == sid
    assert_mirrors(pane)
    QTest.mouseClick(pane.view.hold.pill, Qt.MouseButton.LeftButton)
    assert pane.view.verticalScrollBar().value() == 0
    assert pane.view.rowAt(0) == 0 and pane.model.session_id_at(0) == new[-1]
    assert not pane.view.hold.pill.isVisible() and pane.view.hold.count() == 0
    assert pane.current_session_id() == sid  # showing the newest does not open one


def test_without_hover_focus_or_scroll_rows_insert_at_the_top(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001
    leave(pane)
    pane.view.clearFocus()
    new = arrive(pane, store, 2)
    assert pane.view.verticalScrollBar().value() == 0
    assert pane.model.session_id_at(pane.view.rowAt(0)) == new[-1]
    assert pane.view.hold.count() == 0 and not pane.view.hold.pill.isVisible()


def test_leaving_at_the_top_shows_new_rows_again(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001
    hover(pane, 2)
    arrive(pane, store, 1)
    assert pane.view.hold.count() == 1
    pane.view.hold.show_newest()
    leave(pane)
    new = arrive(pane, store, 1, start=600)
    assert pane.model.session_id_at(pane.view.rowAt(0)) == new[0]
    assert pane.view.hold.count() == 0


def test_keyboard_focus_holds(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001
    leave(pane)
    pane.select_session(pane.model.session_ids()[3])
    pane.view.setFocus()
    assert pane.view.hasFocus()
    top = pane.model.session_id_at(pane.view.rowAt(0))
    arrive(pane, store, 2)
    assert pane.model.session_id_at(pane.view.rowAt(0)) == top
    assert pane.view.hold.count() == 2
    QTest.keyClick(pane.view, Qt.Key.Key_Home)  # the first row: the top, all seen
    assert pane.view.verticalScrollBar().value() == 0 and pane.view.hold.count() == 0


def test_scrolled_away_the_rows_in_view_stay(pane: ListPane) -> None:
    """Without pointer or focus: a conversation from below re-sorted to the top by a message,
    another above leaving the list, do not move what is in view."""
    store = pane.model._store  # noqa: SLF001
    leave(pane)
    view, ids = pane.view, pane.model.session_ids()
    view.verticalScrollBar().setValue(10 * view.rowHeight(0) + 7)
    shown = [pane.model.session_id_at(view.rowAt(y)) for y in (0, 100, 200)]
    tops = [view.rowViewportPosition(pane.model.row_of(s)) for s in shown]

    def same() -> None:
        assert [pane.model.session_id_at(view.rowAt(y)) for y in (0, 100, 200)] == shown
        assert [view.rowViewportPosition(pane.model.row_of(s)) for s in shown] == tops

    set_state(store, ids[-1], "pending")  # from below to the top
    visitor_says(store, ids[-1], NOW + 5000)
    pane.flush()
    same()
    assert view.hold.count() == 1 and view.hold.pill.text() == "1 new ↑"
    set_state(store, ids[2], "resolved")  # above the view: leaves the list
    pane.flush()
    same()
    view.verticalScrollBar().setValue(0)
    assert view.hold.count() == 0


def test_the_hovered_row_moving_up_keeps_the_rows_above_it(pane: ListPane) -> None:
    """The row under the pointer itself is re-sorted to the top: it cannot stay, the rows
    above it do (the next one takes its place under the pointer); it waits above, counted."""
    store = pane.model._store  # noqa: SLF001
    view = pane.view
    view.verticalScrollBar().setValue(3 * view.rowHeight(0))
    sid, y = hover(pane, 5)
    above = [under_pointer(pane, y - k * view.rowHeight(0)) for k in range(1, 5)]
    set_state(store, sid, "pending")
    visitor_says(store, sid, NOW + 5000)  # the row under the pointer goes to the top
    pane.flush()
    assert pane.model.row_of(sid) == 0 and view.rowViewportPosition(0) < 0  # out of sight
    assert [under_pointer(pane, y - k * view.rowHeight(0)) for k in range(1, 5)] == above
    assert view.hold.count() == 1


def test_scrolling_up_counts_down(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001
    hover(pane, 3)
    arrive(pane, store, 3)
    bar, height = pane.view.verticalScrollBar(), pane.view.rowHeight(0)
    assert pane.view.hold.count() == 3
    bar.setValue(bar.value() - height)
    assert pane.view.hold.count() == 2
    assert pane.view.hold.pill.text() == "2 new ↑"
    bar.setValue(bar.value() - height // 2)  # the next one half in view: not seen yet
    assert pane.view.hold.count() == 2
    bar.setValue(0)
    assert pane.view.hold.count() == 0


def test_a_new_filter_forgets_the_waiting_rows(pane: ListPane) -> None:
    store = pane.model._store  # noqa: SLF001
    hover(pane, 3)
    arrive(pane, store, 2)
    assert pane.view.hold.count() == 2
    pane.set_filter(Filter.ALL)
    pane.flush()
    assert pane.view.hold.count() == 0 and not pane.view.hold.pill.isVisible()


def test_a_list_that_fits_inserts_as_before(qtbot: QtBot) -> None:
    pane = make_pane(qtbot, seeded_store(6))
    store = pane.model._store  # noqa: SLF001
    hover(pane, 0)
    new = arrive(pane, store, 2)
    assert pane.model.session_id_at(pane.view.rowAt(0)) == new[-1]
    assert pane.view.hold.count() == 0


@pytest.mark.parametrize("coalesce", [True, False])
def test_model_tester_and_hold_under_live_traffic(qtbot: QtBot, live_tester: Attach,
                                                  coalesce: bool) -> None:
    store = seeded_store(80)
    pane = make_pane(qtbot, store, coalesce=coalesce)
    live_tester(pane.model)
    moves: list[str | None] = []
    pane.current_changed.connect(moves.append)
    rng = random.Random(11)
    sid, y = hover(pane, 6)
    pane.select_session(sid)
    for _ in range(10):
        burst(store, rng, 30)
        pane.flush()
        assert pane.current_session_id() == sid
        assert_mirrors(pane)
        hold = pane.view.hold
        assert hold.count() == len(hold._new)  # noqa: SLF001
        assert all(pane.view.rowViewportPosition(pane.model.row_of(s)) < 0
                   for s in hold._new)  # noqa: SLF001
    assert moves == [sid]
    del y

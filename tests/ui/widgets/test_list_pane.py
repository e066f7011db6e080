"""The conversation list pane: live counts on the filter tabs, the quick and text filters,
empty states, focus and Tab order, what rows show, and a 10k-conversation store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.filters import Filter
from crisp_console.ui.widgets.list_pane import LOADING_TEXT, ListPane
from tests.core import factories as f
from tests.keyboard import type_text
from tests.present.seeded import (
    COLLEAGUE,
    ME,
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
    row_image,
    set_state,
    tab_text,
)

Key = Qt.Key


@pytest.fixture
def pane(qtbot: QtBot, store: Store) -> ListPane:
    return make_pane(qtbot, store)


@pytest.fixture
def moves(pane: ListPane) -> list[str | None]:
    """Every ``current_changed`` the pane emits."""
    seen: list[str | None] = []
    pane.current_changed.connect(seen.append)
    return seen


# ---- counts and filters ------------------------------------------------------------------------


def test_tabs_show_live_counts(pane: ListPane, store: Store) -> None:
    want = recount(store, ME)
    assert [tab_text(pane, k) for k in Filter] == [
        f"{label} {want[k]}" for k, label in zip(Filter, (
            "Pending", "Unresolved", "Mine", "Unassigned", "Mentions", "Unread", "Resolved",
            "All"), strict=True)]
    assert pane.filter_bar.button(Filter.UNREAD).accessibleName() == (
        f"Unread, {want[Filter.UNREAD]} conversations")

    pending = next(s for s in store.conversation_ids()
                   if store.conversations[s].state == "pending")
    set_state(store, pending, "resolved")
    store.upsert_conversation(conversation_payload(500, updated_at=NOW, state="pending"))
    pane.flush()
    after = recount(store, ME)
    assert after[Filter.RESOLVED] == want[Filter.RESOLVED] + 1
    assert after[Filter.ALL] == want[Filter.ALL] + 1
    for kind in Filter:
        assert tab_text(pane, kind).endswith(f" {after[kind]}"), kind


class Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        self.count += event.type() == QEvent.Type.Paint
        return False


def test_the_end_of_a_frame_of_live_events_paints_its_rows_in_the_same_turn(
        pane: ListPane, store: Store) -> None:
    """client/batch.py ends each frame with ``store.end_frame()``: the model flushes and
    the moved row is laid out and painted then, before the event loop turns again."""
    paints = Paints()
    pane.view.viewport().installEventFilter(paints)
    QApplication.processEvents()  # whatever the show left to paint
    sid = store.conversation_ids()[3]
    visitor_says(store, sid, NOW + 1000, "Where is my parcel?")
    before = paints.count
    assert pane.model.row_of(sid) == 3  # the model waits for the frame's end (or its timer)
    store.end_frame()
    assert not pane.model.pending and pane.model.row_of(sid) == 0
    assert paints.count > before  # painted now, with no turn of the loop in between
    top = pane.view.indexAt(pane.view.viewport().rect().topLeft())
    assert top.row() == 0 and pane.model.session_ids()[0] == sid  # placed before the paint
    pane.detach()
    paints.count = 0
    visitor_says(store, store.conversation_ids()[3], NOW + 2000)
    store.end_frame()  # detached: neither flushed nor painted
    assert paints.count == 0


def test_a_row_update_repaints_the_list_not_the_panes_behind_it(
        pane: ListPane, store: Store) -> None:
    """The viewport paints its own background (opaque): a row that changes repaints the
    list only, and what shows below the last row is still the list's base colour."""
    pane.setStyleSheet("QTableView { border: none; }")  # as the theme's: a styled viewport
    behind = Paints()
    pane.installEventFilter(behind)
    rows = Paints()
    pane.view.viewport().installEventFilter(rows)
    QApplication.processEvents()
    behind.count = rows.count = 0
    visitor_says(store, store.conversation_ids()[0], NOW + 1000, "Still there?")
    store.end_frame()
    QApplication.processEvents()
    assert rows.count > 0 and behind.count == 0
    pane.set_text("no conversation matches this")
    pane.flush()
    QApplication.processEvents()
    viewport = pane.view.viewport()
    image = viewport.grab().toImage()
    base = viewport.palette().color(viewport.backgroundRole())
    assert image.pixelColor(5, 5) == base  # an empty list: all background, painted by it


def test_large_counts_are_compact(qtbot: QtBot) -> None:
    pane = make_pane(qtbot, seeded_store(1500))
    assert tab_text(pane, Filter.ALL) == "All 1.5k"
    assert "1,500 conversations" in pane.filter_bar.button(Filter.ALL).accessibleName()


def test_default_filter_and_switching(pane: ListPane, store: Store, qtbot: QtBot) -> None:
    assert pane.filter() is Filter.UNRESOLVED
    assert pane.filter_bar.button(Filter.UNRESOLVED).isChecked()
    assert pane.model.session_ids() == expected_rows(store, Filter.UNRESOLVED)

    qtbot.mouseClick(pane.filter_bar.button(Filter.MINE), Qt.MouseButton.LeftButton)
    assert pane.filter() is Filter.MINE
    assert pane.model.session_ids() == expected_rows(store, Filter.MINE)

    pane.set_filter(Filter.RESOLVED)
    assert pane.filter_bar.button(Filter.RESOLVED).isChecked()
    assert not pane.filter_bar.button(Filter.MINE).isChecked()
    assert pane.model.session_ids() == expected_rows(store, Filter.RESOLVED)

    # Mine follows who "me" is, rows and count alike.
    pane.set_filter(Filter.MINE)
    pane.set_user_id(COLLEAGUE)
    pane.flush()
    assert pane.model.session_ids() == expected_rows(store, Filter.MINE, user=COLLEAGUE)
    assert tab_text(pane, Filter.MINE) == f"Mine {recount(store, COLLEAGUE)[Filter.MINE]}"


def test_text_filter_is_debounced_then_applied(pane: ListPane, store: Store,
                                               qtbot: QtBot) -> None:
    search = pane.filter_bar.search
    assert search.placeholderText() == "Filter conversations  /"
    assert search.isClearButtonEnabled()
    before = pane.model.session_ids()
    with qtbot.waitSignal(pane.filter_bar.text_changed, timeout=2000) as applied:
        qtbot.keyClicks(search, "visitor 1")
        assert pane.model.session_ids() == before  # not on every key
    assert applied.args == ["visitor 1"]
    assert pane.text() == "visitor 1"
    assert pane.model.session_ids() == expected_rows(store, Filter.UNRESOLVED, "visitor 1")
    assert 0 < pane.model.rowCount() < len(before)


def test_search_box_keys(pane: ListPane, qtbot: QtBot) -> None:
    search = pane.filter_bar.search
    pane.focus_search()
    assert search.hasFocus()
    qtbot.keyClicks(search, "question 2")
    qtbot.keyClick(search, Key.Key_Return)  # applies at once, then the list
    assert pane.text() == "question 2" and pane.view.hasFocus()

    pane.focus_search()
    qtbot.keyClicks(search, "x")
    qtbot.keyClick(search, Key.Key_Escape)
    assert search.text() == "" and pane.text() == "" and pane.view.hasFocus()

    pane.focus_search()
    qtbot.keyClick(search, Key.Key_Down)
    assert pane.view.hasFocus()


def test_typing_with_nowhere_to_type_goes_to_the_search_box(pane: ListPane, qtbot: QtBot,
                                                   moves: list[str | None]) -> None:
    pane.view.setFocus()
    qtbot.keyClicks(pane.view, "vis")
    assert pane.filter_bar.search.hasFocus()
    assert pane.filter_bar.search.text() == "vis"
    assert moves == []  # nothing opened by a stray key


def test_with_a_target_typed_text_goes_there_in_order(pane: ListPane, qtbot: QtBot,
                                                     moves: list[str | None]) -> None:
    """A conversation open: text typed in the list goes to its reply box, the first key
    too, key by key as the keyboard delivers it (to whatever has the focus), and an input
    method's preedit and commit follow. Chords stay in the list."""
    box = QPlainTextEdit(pane)
    box.show()
    target: list[QWidget | None] = [box]
    pane.set_type_target(lambda: target[0])
    pane.view.setFocus()
    type_text("ever é€?")
    assert box.hasFocus() and box.toPlainText() == "ever é€?"
    assert pane.filter_bar.search.text() == "" and moves == []
    # AltGr on Windows is Ctrl+Alt: its character types.
    pane.view.setFocus()
    type_text("@", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert box.hasFocus() and box.toPlainText().endswith("@")
    # A chord is not text: it stays with the list (and its shortcuts).
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert pane.view.hasFocus() and box.toPlainText().endswith("@")
    # An input method composing in the list: its preedit and commit go to the box.
    preedit = QInputMethodEvent("にほ", [])
    QApplication.sendEvent(pane.view, preedit)
    assert box.hasFocus()
    commit = QInputMethodEvent("", [])
    commit.setCommitString("日本")
    QApplication.sendEvent(box, commit)
    pane.view.setFocus()
    commit = QInputMethodEvent("", [])
    commit.setCommitString("語")
    QApplication.sendEvent(pane.view, commit)
    assert box.hasFocus() and box.toPlainText().endswith("@日本語")
    # Nowhere to type (no conversation open): type-to-find in the filter.
    target[0] = None
    pane.view.setFocus()
    qtbot.keyClicks(pane.view, "v")
    assert pane.filter_bar.search.hasFocus() and pane.filter_bar.search.text() == "v"


def test_empty_states(pane: ListPane, qtbot: QtBot) -> None:
    blank = pane.view.viewport().grab().toImage()
    pane.set_text("no such visitor")
    assert pane.model.rowCount() == 0
    assert pane.view.empty_text() == "No conversation matches “no such visitor”"
    assert pane.view.viewport().grab().toImage() != blank  # the message is painted

    pane.set_text("")
    pane.set_filter(Filter.MENTIONS)
    assert pane.view.empty_text() == "No conversations mention you"
    pane.set_filter(Filter.RESOLVED)
    assert pane.view.empty_text() == "No resolved conversations"


def test_loading_state(qtbot: QtBot) -> None:
    pane = make_pane(qtbot, Store())
    assert pane.view.empty_text() == "No unresolved conversations"
    pane.set_loading(True)
    assert pane.view.empty_text() == LOADING_TEXT
    pane.set_loading(False)
    assert pane.view.empty_text() == "No unresolved conversations"


# ---- what rows show ----------------------------------------------------------------------------


def test_draft_marker_labels_and_times_repaint(pane: ListPane, store: Store) -> None:
    ids = pane.model.session_ids()
    plain = row_image(pane, 0)
    pane.set_draft_ids({ids[0]})
    assert row_image(pane, 0) != plain
    pane.set_draft_ids(())
    assert row_image(pane, 0) == plain

    pane.set_website_labels({f.WEBSITE: "Acme", f.OTHER_WEBSITE: "Globex"})
    assert pane.view.delegate.website_badge(store.conversations[ids[0]]) in ("Acme", "Globex")
    assert row_image(pane, 0) != plain
    pane.set_operator_names({ME: "Ada Lovelace"})

    # Relative times repaint on the view's timer.
    timer = pane.view.time_refresh
    assert timer.isActive() and 30_000 <= timer.interval() <= 60_000
    before = row_image(pane, 0)
    pane.view.delegate.clock = lambda: NOW + 3 * 3_600_000
    timer.timeout.emit()
    assert row_image(pane, 0) != before


def test_accessible_names(pane: ListPane) -> None:
    assert pane.view.accessibleName() == "Conversations"
    assert pane.filter_bar.search.accessibleName() == "Filter conversations"
    assert all(pane.filter_bar.button(k).accessibleName() for k in Filter)


def test_view_is_a_plain_uniform_list(pane: ListPane) -> None:
    view = pane.view
    heights = {view.rowHeight(r) for r in range(pane.model.rowCount())}
    assert heights == {view.delegate.row_height(view.font())}
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert view.selectionMode() == view.SelectionMode.SingleSelection
    assert view.editTriggers() == view.EditTrigger.NoEditTriggers
    assert pane.focusProxy() is view


def test_tab_order_search_tabs_list(pane: ListPane, qtbot: QtBot) -> None:
    pane.activateWindow()
    pane.focus_search()
    qtbot.waitUntil(pane.filter_bar.search.hasFocus)
    qtbot.keyClick(pane.filter_bar.search, Key.Key_Tab)
    checked = pane.filter_bar.button(Filter.UNRESOLVED)
    assert checked.hasFocus()
    qtbot.keyClick(checked, Key.Key_Tab)
    assert pane.view.hasFocus()
    pane.setFocus()  # the pane hands focus to its list (F6 lands there)
    assert pane.view.hasFocus()


def test_ten_thousand_conversations(qtbot: QtBot) -> None:
    store = seeded_store(10_000)
    pane = make_pane(qtbot, store)
    assert pane.model.rowCount() == recount(store, ME)[Filter.UNRESOLVED]
    assert tab_text(pane, Filter.ALL) == "All 10k"
    assert pane.select_last()
    ids = store.conversation_ids()
    for i in range(20):
        visitor_says(store, ids[i * 400], NOW + i)
    pane.flush()
    assert_mirrors(pane)
    pane.set_text("visitor 99")
    assert pane.model.session_ids() == expected_rows(store, Filter.UNRESOLVED, "visitor 99")

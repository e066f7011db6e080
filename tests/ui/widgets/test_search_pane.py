"""The search pane's keys, focus order, current row and words, and the left column that
shows it in the list's place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.present.search_rows import EMPTY_QUERY_TEXT, SearchRow, SearchStatus
from crisp_console.ui.widgets.left_column import LeftColumn
from crisp_console.ui.widgets.search_pane import PLACEHOLDER, SearchPane

Key = Qt.Key


def row(sid: str, fp: int | None = 1, text: str = "the VAT") -> SearchRow:
    return SearchRow(sid, "w", fp, 1000, f"Name {sid}", text, ((4, 7),), "", ("saved",),
                     "message")


@pytest.fixture
def pane(qtbot: QtBot) -> SearchPane:
    widget = SearchPane()
    qtbot.addWidget(widget)
    widget.resize(340, 600)
    widget.show()
    widget.activateWindow()
    widget.focus_box()
    qtbot.waitUntil(widget.box.hasFocus)
    return widget


class Events:
    def __init__(self, pane: SearchPane) -> None:
        self.got: list[tuple[str, object]] = []
        pane.query_changed.connect(lambda text: self.got.append(("query", text)))
        pane.submitted.connect(lambda: self.got.append(("submitted", None)))
        pane.activated.connect(lambda r: self.got.append(("activated", r.session_id)))
        pane.close_requested.connect(lambda: self.got.append(("close", None)))


def test_the_box_says_what_it_searches(pane: SearchPane) -> None:
    assert pane.box.placeholderText() == PLACEHOLDER
    assert pane.box.accessibleName() == "Search messages"
    assert pane.empty.text() == EMPTY_QUERY_TEXT and pane.empty.isVisibleTo(pane)
    assert not pane.status.isVisibleTo(pane)


def test_keys_of_the_box(qtbot: QtBot, pane: SearchPane) -> None:
    events = Events(pane)
    qtbot.keyClicks(pane.box, "vat")
    assert events.got[-1] == ("query", "vat")
    pane.show_rows([row("a"), row("b"), row("c")], same_query=False)
    assert pane.current_row() == row("a")  # the first row is current: Enter opens it
    qtbot.keyClick(pane.box, Key.Key_Down)
    qtbot.keyClick(pane.box, Key.Key_Down)
    qtbot.keyClick(pane.box, Key.Key_Down)  # stops at the end
    assert pane.current_row() == row("c")
    qtbot.keyClick(pane.box, Key.Key_Up)
    assert pane.current_row() == row("b")
    qtbot.keyClick(pane.box, Key.Key_PageUp)
    assert pane.current_row() == row("a")
    assert pane.box.hasFocus()  # moving through the results keeps the typing going
    events.got.clear()
    qtbot.keyClick(pane.box, Key.Key_Return)
    qtbot.keyClick(pane.box, Key.Key_Escape)
    assert events.got == [("submitted", None), ("close", None)]
    assert pane.box.text() == "vat"  # Esc goes back; it does not clear the query


def test_focus_order_and_keys_of_the_results(qtbot: QtBot, pane: SearchPane) -> None:
    events = Events(pane)
    pane.show_rows([row("a"), row("b")], same_query=False)
    qtbot.keyClick(pane.box, Key.Key_Tab)
    assert pane.view.hasFocus()
    qtbot.keyClick(pane.view, Key.Key_Down)
    qtbot.keyClick(pane.view, Key.Key_Return)
    assert events.got == [("activated", "b")]
    qtbot.keyClick(pane.view, Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert pane.box.hasFocus()
    qtbot.keyClick(pane.box, Key.Key_Tab)
    qtbot.keyClicks(pane.view, "x")  # typing in the results goes on in the box
    assert pane.box.hasFocus() and pane.box.text() == "x"
    qtbot.keyClick(pane.box, Key.Key_Tab)
    qtbot.keyClick(pane.view, Key.Key_Escape)
    assert events.got[-1] == ("close", None)
    assert not pane.back.focusPolicy() & Qt.FocusPolicy.TabFocus  # not a stop of its own


def test_clicks_open_and_the_back_button_closes(qtbot: QtBot, pane: SearchPane) -> None:
    events = Events(pane)
    pane.show_rows([row("a"), row("b")], same_query=False)
    rect = pane.view.visualRect(pane.model.index(1))
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(pane.back, Qt.MouseButton.LeftButton)
    assert events.got == [("activated", "b"), ("close", None)]


def test_the_current_row_is_kept_by_key(pane: SearchPane) -> None:
    pane.show_rows([row("a"), row("b"), row("c")], same_query=False)
    pane.select_row(2)
    pane.show_rows([row("c"), row("d")], same_query=False)  # a new query that still has c
    assert pane.current_row() == row("c")
    pane.show_rows([row("e")], same_query=False)
    assert pane.current_row() == row("e")
    pane.show_rows([row("e"), row("f")], same_query=True)  # Crisp's answer joins
    assert pane.current_row() == row("e")
    pane.select_row(1)
    pane.show_rows([row("e"), row("f"), row("g")], same_query=True)
    assert pane.current_row() == row("f")


def test_status_and_empty_words_are_plain_text(pane: SearchPane) -> None:
    pane.set_status(SearchStatus("<b>vat</b>", 0, True, "failed", problem="<i>quota</i>"))
    assert pane.status_text() == "0 found here · Crisp could not be searched: <i>quota</i>"
    assert pane.status.isVisibleTo(pane) and pane.empty.isVisibleTo(pane)
    assert pane.empty.text() == "Nothing matches “<b>vat</b>”"
    for label in pane.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    pane.show_rows([row("a")], same_query=False)
    assert pane.view.isVisibleTo(pane) and not pane.empty.isVisibleTo(pane)


def test_the_results_focus_returns_to_the_box_when_they_go(qtbot: QtBot,
                                                           pane: SearchPane) -> None:
    pane.show_rows([row("a")], same_query=False)
    qtbot.keyClick(pane.box, Key.Key_Tab)
    assert pane.view.hasFocus()
    pane.show_rows([], same_query=False)
    assert pane.box.hasFocus()


def test_the_left_column_shows_one_pane(qtbot: QtBot) -> None:
    listing, search = QLineEdit(), SearchPane()
    column = LeftColumn(listing, search)
    qtbot.addWidget(column)
    shown: list[bool] = []
    column.search_shown.connect(shown.append)
    assert not column.showing_search() and column.currentWidget() is listing
    column.show_search()
    column.show_search()
    assert column.showing_search()
    column.show_list()
    column.show_list()
    assert shown == [True, False]
    assert isinstance(column.currentWidget(), QWidget)

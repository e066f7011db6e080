"""The filter bar: tabs in the registry's order with counts, one tab stop moved by arrows,
wrapping to the width, and the debounced search box."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crisp_console.present.filters import Filter
from crisp_console.ui.default_commands import VIEW_FILTERS
from crisp_console.ui.widgets.filter_bar import FilterBar

Key = Qt.Key


@pytest.fixture
def bar(qtbot: QtBot) -> FilterBar:
    bar = FilterBar(debounce_ms=50)
    qtbot.addWidget(bar)
    bar.resize(380, 120)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_tabs_follow_the_registry_order(bar: FilterBar) -> None:
    labels = [bar.button(Filter(name)).text() for name, _ in VIEW_FILTERS]
    assert labels == [label for _, label in VIEW_FILTERS]  # no counts yet
    bar.set_counts({Filter.PENDING: 3, Filter.ALL: 12_345})
    assert bar.button(Filter.PENDING).text() == "Pending 3"
    assert bar.button(Filter.ALL).text() == "All 12k"
    assert bar.button(Filter.ALL).toolTip() == "All, 12,345 conversations"
    assert bar.button(Filter.MINE).text() == "Mine"
    bar.set_counts({Filter.PENDING: 1})
    assert bar.button(Filter.PENDING).accessibleName() == "Pending, 1 conversation"
    bar.set_shortcut_hints({Filter.PENDING: "Ctrl+1"})
    assert bar.button(Filter.PENDING).toolTip() == "Pending, 1 conversation (Ctrl+1)"


def test_one_tab_stop_moved_by_arrows(bar: FilterBar, qtbot: QtBot) -> None:
    seen: list[Filter] = []
    bar.filter_changed.connect(seen.append)
    assert bar.filter() is Filter.UNRESOLVED

    def focusable() -> list[Filter]:
        return [k for k in Filter if bar.button(k).focusPolicy() != Qt.FocusPolicy.NoFocus]

    assert focusable() == [Filter.UNRESOLVED]
    bar.activateWindow()
    bar.button(Filter.UNRESOLVED).setFocus()
    qtbot.waitUntil(bar.button(Filter.UNRESOLVED).hasFocus)
    qtbot.keyClick(bar.button(Filter.UNRESOLVED), Key.Key_Right)
    assert bar.filter() is Filter.MINE and bar.button(Filter.MINE).hasFocus()
    assert focusable() == [Filter.MINE]
    qtbot.keyClick(bar.button(Filter.MINE), Key.Key_End)
    qtbot.keyClick(bar.button(Filter.ALL), Key.Key_Right)  # stays at the end
    qtbot.keyClick(bar.button(Filter.ALL), Key.Key_Home)
    qtbot.keyClick(bar.button(Filter.PENDING), Key.Key_Left)
    assert seen == [Filter.MINE, Filter.ALL, Filter.PENDING]
    bar.set_filter(Filter.PENDING)  # no change, no signal
    assert seen == [Filter.MINE, Filter.ALL, Filter.PENDING]


def test_tabs_wrap_to_the_width(bar: FilterBar, qtbot: QtBot) -> None:
    tabs = bar.button(Filter.PENDING).parentWidget()
    assert tabs is not None
    layout = tabs.layout()
    assert layout is not None
    wide, narrow = layout.heightForWidth(2000), layout.heightForWidth(200)
    line = bar.button(Filter.PENDING).sizeHint().height()
    assert wide == line
    assert narrow >= 3 * line
    bar.resize(200, 300)
    qtbot.waitUntil(lambda: tabs.height() >= narrow)
    tops = {bar.button(k).geometry().top() for k in Filter}
    assert len(tops) >= 3
    assert all(bar.button(k).geometry().right() <= tabs.width() for k in Filter)


def test_search_is_debounced(bar: FilterBar, qtbot: QtBot) -> None:
    seen: list[str] = []
    bar.text_changed.connect(seen.append)
    qtbot.keyClicks(bar.search, "refund")
    assert seen == [] and bar.text() == ""
    qtbot.waitUntil(lambda: seen == ["refund"], timeout=2000)
    assert bar.text() == "refund"
    bar.set_text("refund")  # the same text: nothing new
    bar.set_text("")
    assert seen == ["refund", ""]


def test_search_keys_hand_focus_to_the_list(bar: FilterBar, qtbot: QtBot) -> None:
    asked: list[bool] = []
    bar.focus_list_requested.connect(lambda: asked.append(True))
    qtbot.keyClicks(bar.search, "abc")
    qtbot.keyClick(bar.search, Key.Key_Escape)
    assert bar.search.text() == "" and bar.text() == "" and len(asked) == 1
    qtbot.keyClicks(bar.search, "ab")
    qtbot.keyClick(bar.search, Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert bar.text() == "ab" and len(asked) == 2
    qtbot.keyClick(bar.search, Key.Key_Down)
    assert len(asked) == 3
    qtbot.keyClick(bar.search, Key.Key_Left)  # an ordinary editing key stays in the box
    qtbot.keyClick(bar.search, Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 3

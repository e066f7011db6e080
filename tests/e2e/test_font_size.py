"""Preferences → Font size reaches every pane at run time, keyboard only: the list's painted
rows, the thread's bubbles, the headers, the people panel; and back again, without drift and
without a restart. The console runs with its Theme (the style sheet is what used to keep the
panes at their old size)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.settings import FONT_SIZES
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog
from crisp_console.ui.widgets.scroll_anchor import at_bottom
from tests.e2e.conftest import focused, press, running_console, until

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
Key = Qt.Key


@pytest.fixture
def appearance(qapp: QApplication) -> Iterator[QApplication]:
    """The application's style, palette, font and sheet, put back after the test."""
    style, palette = qapp.style().name(), qapp.palette()
    font, sheet = QFont(qapp.font()), qapp.styleSheet()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


class Sizes:
    """What one font size looks like: the painted heights of list rows and thread rows,
    and the fonts of the widgets around them."""

    def __init__(self, console: Console) -> None:
        p = console.panes
        lv = p.list_pane.view
        self.list_rows = [lv.visualRect(lv.model().index(row, 0)).height() for row in range(3)]
        tv, timeline = p.thread.view, p.thread.model
        self.thread_rows = [tv.visualRect(timeline.index(row, 0)).height()
                            for row in range(timeline.rowCount())]
        self.hints = [tv.sizeHintForIndex(timeline.index(row, 0)).height()
                      for row in range(timeline.rowCount())]
        self.header_name = p.thread.header.name_label.font().pointSizeF()
        self.panel_name = p.people.header.labels["name"].font().pointSizeF()
        self.panel_title = p.people.titles["segments"].font().pointSizeF()
        self.panes = p.window.splitter.sizes()
        self.smallest = min(w.font().pointSizeF() for w in p.window.findChildren(QWidget)
                            if w.isVisible())


async def choose_size(console: Console, points: int) -> None:
    """Ctrl+, then Alt+F (the size box), Home ("System"), ↓ to the size, Enter saves."""
    press(focused(), Key.Key_Comma, CTRL)
    def dialog_of(widget: QWidget | None) -> PreferencesDialog | None:
        window = widget.window() if widget is not None else None
        return window if isinstance(window, PreferencesDialog) else None

    await until(lambda: dialog_of(focused()) is not None, what="the preferences dialog")
    dialog = dialog_of(focused())
    assert dialog is not None
    press(focused(), Key.Key_F, ALT)
    assert focused() is dialog.font_size
    press(focused(), Key.Key_Home)
    for _ in range(FONT_SIZES.index(points) + 1):
        press(focused(), Key.Key_Down)
    assert dialog.font_size.currentText() == f"{points} pt"
    press(focused(), Key.Key_Return)
    await until(lambda: not dialog.isVisible(), what="Enter to save the preferences")
    console.window.activateWindow()  # the window manager's part: no window manager here
    await until(lambda: (widget := focused()) is not None and widget.window() is console.window,
                what="the focus back in the window")


def test_font_size_changes_every_pane_at_run_time(qloop: qasync.QEventLoop, tmp_path: Path,
                                                  appearance: QApplication) -> None:
    async def main() -> None:
        theme = Theme(appearance, forced=Scheme.LIGHT)
        async with running_console(tmp_path, parts={"theme": theme}, font_size=10) as (
                console, _sandbox):
            press(focused(), Key.Key_Down, ALT)  # open the first conversation
            await until(lambda: console.panes.thread.model.rowCount() > 2,
                        what="a conversation's messages")
            await until(lambda: console.panes.thread.view.visualRect(
                console.panes.thread.model.index(0, 0)).height() > 0, what="laid out")
            small = Sizes(console)
            assert appearance.font().pointSize() == 10
            await choose_size(console, 18)
            assert console.prefs.font_size == 18
            await until(lambda: Sizes(console).list_rows[0] != small.list_rows[0],
                        what="the list's rows to change height")
            await until(lambda: Sizes(console).thread_rows[-1] != small.thread_rows[-1],
                        what="the thread's rows to change height")
            big = Sizes(console)
            assert at_bottom(console.panes.thread.view)  # still on the newest message
            for before, after in zip(small.list_rows, big.list_rows, strict=True):
                assert 1.35 * before <= after <= 2.0 * before  # 10 → 18 pt, in the rows
            ratios = [after / before for before, after
                      in zip(small.thread_rows, big.thread_rows, strict=True)]
            assert min(ratios) > 1.2 and sum(ratios) / len(ratios) > 1.35
            assert big.hints == big.thread_rows  # what is painted is what the delegate says
            assert big.header_name == pytest.approx(18 * 1.15)
            assert big.panel_name == pytest.approx(18 * 1.15)
            assert big.panel_title == pytest.approx(18 * 0.8)
            assert big.smallest >= 18 * 0.8 - 0.01 > small.smallest  # nothing kept its size
            list_w, thread_w, people_w = big.panes
            assert list_w > small.panes[0] and people_w > small.panes[2]  # as many letters
            assert thread_w >= 0.4 * sum(big.panes)  # the thread gave the room, not all of it
            await choose_size(console, 10)
            await until(lambda: Sizes(console).list_rows == small.list_rows,
                        what="the rows back at their 10 pt height")
            again = Sizes(console)
            assert at_bottom(console.panes.thread.view)
            assert (again.panes[0], again.panes[2]) == (small.panes[0], small.panes[2])
            assert again.hints == again.thread_rows
            if again.panes[1] == small.panes[1]:
                assert again.thread_rows == small.thread_rows
            else:  # the window grew to its 18 pt minimum and stays wider: fewer lines wrap
                assert again.panes[1] > small.panes[1]
                assert all(a <= b for a, b in zip(again.thread_rows, small.thread_rows,
                                                  strict=True))
            assert (again.header_name, again.panel_name, again.panel_title, again.smallest) == (
                small.header_name, small.panel_name, small.panel_title, small.smallest)
    qloop.run_until_complete(main())

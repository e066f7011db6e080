"""The undo bar: floats over the bottom of its anchor (the thread) without taking a row of
the layout or the focus, follows the anchor's size, says what it undoes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.widgets.undo_bar import MARGIN, UndoBar


@pytest.fixture
def window(qtbot: QtBot) -> tuple[QWidget, QWidget, QLineEdit]:
    window = QWidget()
    column = QVBoxLayout(window)
    anchor = QWidget()
    box = QLineEdit()
    column.addWidget(anchor, 1)
    column.addWidget(box)
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    box.setFocus()
    return window, anchor, box


def test_the_bar_floats_over_the_anchors_bottom_and_takes_no_focus(
        qtbot: QtBot, window: tuple[QWidget, QWidget, QLineEdit]) -> None:
    parent, anchor, box = window
    bar = UndoBar(anchor, parent, keys="Ctrl+Z")
    assert not bar.isVisible() and bar.text() == ""
    bar.show_text("Resolved “Ann <b>Lee</b>”")
    assert bar.isVisible() and bar.text() == "Resolved “Ann <b>Lee</b>”"
    assert bar.label.textFormat() == Qt.TextFormat.PlainText  # a visitor's name, as typed
    assert bar.keys.text() == "Ctrl+Z" and "Ctrl+Z" in bar.accessibleName()
    assert box.hasFocus()  # the operator keeps typing where they were
    bottom = anchor.mapTo(parent, QPoint(0, anchor.height())).y()
    assert bar.geometry().bottom() + 1 == bottom - MARGIN
    assert abs(bar.geometry().center().x() - anchor.geometry().center().x()) <= 1
    parent.resize(1000, 500)  # it follows the anchor
    qtbot.waitUntil(lambda: bar.geometry().bottom() + 1 == anchor.mapTo(
        parent, QPoint(0, anchor.height())).y() - MARGIN)
    with qtbot.waitSignal(bar.undo_clicked):
        bar.button.click()
    with qtbot.waitSignal(bar.dismissed):
        bar.close_button.click()
    assert box.hasFocus()

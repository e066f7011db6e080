"""Fonts relative to their owner's (ui/fonts.py) and the elided label: they follow a size
change, also through the application style sheet being set again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.widgets.elided_label import ElidedLabel


@pytest.fixture
def sheet(qapp: QApplication) -> Iterator[QApplication]:
    """An application style sheet, as the console has (theme.py); font and sheet restored."""
    font, before = QFont(qapp.font()), qapp.styleSheet()
    qapp.setStyleSheet("QLineEdit { padding: 2px; }")
    yield qapp
    qapp.setFont(font)
    qapp.setStyleSheet(before)


def sized(qapp: QApplication, points: int) -> None:
    """What theme.py does: the application font, then the sheet again."""
    font = QFont(qapp.font())
    font.setPointSize(points)
    qapp.setFont(font)
    qapp.setStyleSheet(qapp.styleSheet())


def test_relative_fonts_follow_the_application_font(qtbot: QtBot, sheet: QApplication) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    layout = QVBoxLayout(owner)
    caption, heading, plain = QLabel("caption"), QLabel("heading"), QLabel("plain")
    for label in (caption, heading, plain):
        layout.addWidget(label)
    fonts = RelativeFonts(owner)
    fonts.set(caption, 0.9)
    fonts.set(heading, 1.3, bold=True)
    seen: list[float] = []
    fonts.on_change(lambda font: seen.append(font.pointSizeF()))
    owner.show()
    for points in (10, 18, 12):
        sized(sheet, points)
        assert plain.font().pointSizeF() == points
        assert caption.font().pointSizeF() == pytest.approx(0.9 * points)
        assert heading.font().pointSizeF() == pytest.approx(1.3 * points)
        assert heading.font().bold() and not caption.font().bold()
    assert seen[-1] == 12
    sheet.setStyleSheet(sheet.styleSheet())  # a scheme change sets the sheet again: kept
    assert caption.font().pointSizeF() == pytest.approx(0.9 * 12)


def test_a_deleted_widget_is_forgotten(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    label = QLabel("gone", owner)
    fonts = RelativeFonts(owner)
    fonts.set(label, 0.9)
    label.deleteLater()
    qtbot.waitUntil(lambda: len(fonts._fonts) == 0)  # noqa: SLF001 - the registry itself
    bigger = QFont(owner.font())
    bigger.setPointSize(20)
    owner.setFont(bigger)  # no error about a deleted C++ object


def test_elided_label_shrinks_with_an_ellipsis_and_a_tooltip(qtbot: QtBot) -> None:
    text = "Enter to send · Shift+Enter for a new line"
    label = ElidedLabel(text)
    qtbot.addWidget(label)
    label.show()
    fm = label.fontMetrics()
    assert label.minimumSizeHint().width() <= fm.averageCharWidth() * 8 + 4
    label.resize(fm.horizontalAdvance(text) + 10, 30)
    assert label.shown_text() == text and label.toolTip() == ""
    label.resize(fm.averageCharWidth() * 10, 30)
    assert label.shown_text().endswith("…") and label.text() == text
    assert "Shift+Enter" in label.toolTip()
    label.resize(fm.horizontalAdvance("<b>x</b>") + 10, 30)
    label.setText("<b>x</b>")  # plain text: markup shows as typed
    assert label.minimumSizeHint().width() <= fm.horizontalAdvance("<b>x</b>") + 4
    assert label.shown_text() == "<b>x</b>" and label.toolTip() == ""
    label.grab()  # paints, elided or not

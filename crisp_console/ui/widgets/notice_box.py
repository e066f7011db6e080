"""A framed notice inside a dialog: a standard icon, a bold heading, selectable plain-text words,
a smaller technical detail, an optional busy bar and a row of action buttons.

The sign-in dialog uses two: the notice it was opened with, and the problem (or progress)
of the check. Texts are plain (never markup: they may quote a server), and selectable, so an
operator can copy them into a support request.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QStyle,
    QWidget,
)

from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.widgets.layouts import column, row


def text_label(text: str = "", *, keyboard: bool = False) -> QLabel:
    """A word-wrapped plain-text label, selectable by mouse (and keyboard, if asked)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    flags = Qt.TextInteractionFlag.TextSelectableByMouse
    if keyboard:  # also puts the label in the tab chain, so a screen reader reaches it
        flags |= Qt.TextInteractionFlag.TextSelectableByKeyboard
    label.setTextInteractionFlags(flags)
    return label


class NoticeBox(QFrame):
    """``say()`` fills and shows it; an empty text hides it."""

    def __init__(self, icon: QStyle.StandardPixmap, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) * 2
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.heading, bold=True)
        self.message = text_label(keyboard=True)
        self.message.setAccessibleName(name)
        self.detail = text_label()
        self.detail.setAccessibleName("Technical detail")
        self._fonts.set(self.detail, 0.9)
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: no known end
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setAccessibleName("Working")
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        words = column(None, self.heading, self.message, self.detail, self.progress,
                       self.buttons)
        row(self, self.icon, (words, 1), margins=None)
        self.say("")

    def add_action(self, button: QAbstractButton) -> None:
        """A button under the words (before the stretch); hidden until the caller shows it."""
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        button.hide()

    def say(self, text: str, *, heading: str = "", detail: str = "", icon: bool = True,
            busy: bool = False) -> None:
        self.heading.setText(heading)
        self.heading.setVisible(bool(heading))
        self.message.setText(text)
        self.message.setAccessibleDescription(detail)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.icon.setVisible(icon)
        self.progress.setVisible(busy)
        self.setVisible(bool(text))

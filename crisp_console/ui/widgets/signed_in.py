"""The status bar's "Signed in as …": one line, elided to at most ``MAX_WIDTH`` (less when the
status bar is short of room, e.g. at a big font size), every fact in the tooltip
(ui/account_info.py keeps it current)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from crisp_console.present.plain import tooltip_html

MAX_WIDTH = 260  # px: the connection state and the quota come first
MIN_CHARS = 8  # what it keeps when the status bar is short of room


class SignedInLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signedIn")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Signed in as")
        self._full = ""

    def set_facts(self, text: str, tip: str) -> None:
        """``text`` elided to fit, ``tip`` (plain text) in full on hover."""
        self._full = text
        self.setToolTip(tooltip_html(tip))
        self.setAccessibleDescription(tip)
        self._elide()

    def full_text(self) -> str:
        """The line before eliding."""
        return self._full

    def _elide(self) -> None:
        fm = self.fontMetrics()
        room = self.contentsRect().width() if self.isVisible() else MAX_WIDTH
        self.setText(fm.elidedText(self._full, Qt.TextElideMode.ElideRight,
                                   min(MAX_WIDTH, max(room, fm.averageCharWidth() * MIN_CHARS))))
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        """The whole line up to MAX_WIDTH, whatever the text shown now (no feedback loop
        between eliding and the layout)."""
        fm = self.fontMetrics()
        wanted = fm.horizontalAdvance(
            fm.elidedText(self._full, Qt.TextElideMode.ElideRight, MAX_WIDTH))
        margins = self.contentsMargins()
        return QSize(wanted + margins.left() + margins.right() + 2 * self.margin() + 2,
                     super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """A few characters: the status bar shrinks it before it widens the window."""
        few = self.fontMetrics().averageCharWidth() * MIN_CHARS
        return QSize(min(self.sizeHint().width(), few), super().minimumSizeHint().height())

    # ---- Qt overrides ----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the font size preference: fit again
            self._elide()

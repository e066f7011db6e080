"""A one-line plain-text label that may be narrower than its text: it then shows as much as
fits and an ellipsis, with the whole text in its tooltip.

A QLabel asks for its whole text's width as its minimum, so a long hint at a big font size
would widen its pane, and the window, past the screen. This one asks for ``min_chars``
characters at most (so a layout short of room still shows the start of it). ``text()`` stays
the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from crisp_console.present.plain import tooltip_html


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 min_chars: int = 8) -> None:
        self._min_chars = min_chars
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def shown_text(self) -> str:
        """The text as painted at the current width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())

    def _tip(self) -> None:
        cut = self.shown_text() != self.text()
        self.setToolTip(tooltip_html(self.text()) if cut else "")

    # ---- Qt overrides ------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        width = min(fm.horizontalAdvance(self.text()), fm.averageCharWidth() * self._min_chars)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     super().minimumSizeHint().height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tip()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)  # QLabel's own (it draws a mouse selection)
            return
        painter = QPainter(self)
        self.drawFrame(painter)  # a style sheet's background and border, as QLabel's does
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), shown, self.foregroundRole())
        painter.end()

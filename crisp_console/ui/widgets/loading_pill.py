"""The "Loading earlier messages…" pill that floats over the thread's top edge while an older
page loads. A child of the view, not of its viewport, so scrolling does not move it; the pane
calls ``place()`` when the view is resized and before showing it."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel


class LoadingPill(QLabel):
    def __init__(self, text: str, view: QAbstractScrollArea) -> None:
        super().__init__(text, view)
        self._view = view
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QLabel { background: palette(window); color: palette(text);"
                           " border: 1px solid palette(mid); border-radius: 10px;"
                           " padding: 2px 12px; }")
        self.hide()

    def place(self) -> None:
        """Centred at the top of the view's viewport."""
        self.adjustSize()
        viewport = self._view.viewport().geometry()
        rect = QRect(0, 0, self.width(), self.height())
        rect.moveCenter(viewport.center())
        rect.moveTop(viewport.top() + 8)
        self.setGeometry(rect)
        self.raise_()

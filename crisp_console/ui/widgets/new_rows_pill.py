"""The "3 new ↑" pill that floats over the conversation list's top edge while rows that
arrived above the visible ones are held out of sight (list_hold.py). A child of the view, not
of its viewport, so scrolling does not move it; a click shows the newest rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractScrollArea, QPushButton

TOP_MARGIN = 6  # px between the viewport's top edge and the pill


def pill_text(count: int) -> str:
    return f"{count} new ↑"


class NewRowsPill(QPushButton):
    """Never takes the focus: the keyboard reaches the same place with the "Show the newest
    conversations" command (or Home in the list), so the pill adds no stop to the Tab chain.

    Attributes:
        command_keys: that command's keys as they are bound now (the registry's), for the tooltip.
    """

    def __init__(self, view: QAbstractScrollArea) -> None:
        super().__init__(view)
        self._view = view
        self.command_keys: Callable[[], Sequence[str]] = tuple
        self.setObjectName("newRowsPill")
        # The ring in the list's own background keeps it apart from a selected row, which
        # has the same highlight colour.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            "QPushButton#newRowsPill { background: palette(highlight);"
            " color: palette(highlighted-text); border: 2px solid palette(base);"
            " border-radius: 12px; padding: 2px 13px; font-weight: bold; }"
            " QPushButton#newRowsPill:hover { background: palette(link); }")
        self.hide()

    def show_count(self, count: int) -> None:
        """Say how many rows wait above (0 hides the pill)."""
        if count <= 0:
            self.hide()
            return
        self.setText(pill_text(count))
        self._describe(count)
        self.place()
        self.show()

    def place(self) -> None:
        """Centred at the top of the view's viewport."""
        self.adjustSize()
        viewport = self._view.viewport().geometry()
        rect = QRect(0, 0, self.width(), self.height())
        rect.moveCenter(viewport.center())
        rect.moveTop(viewport.top() + TOP_MARGIN)
        self.setGeometry(rect)
        self.raise_()

    def _describe(self, count: int) -> None:
        words = f"{count} new conversation{'' if count == 1 else 's'} above"
        keys = self.command_keys()
        native = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText) \
            if keys else ""
        key = f" ({native})" if native else ""
        self.setToolTip(f"{words}: show the newest{key}")
        self.setAccessibleName(f"{words}; show the newest")

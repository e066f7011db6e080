"""The thread pane's empty state: "Select a conversation" over a few shortcut hints, in the
window's own bindings (``set_hints``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from crisp_console.ui.fonts import RelativeFonts

EMPTY_TITLE = "Select a conversation"
DEFAULT_HINTS: tuple[tuple[str, str], ...] = (
    ("Alt+↓", "next conversation"),
    ("Ctrl+K", "find a conversation or a command"),
)


class ThreadEmpty(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fonts = RelativeFonts(self)
        self._grid = QGridLayout()
        self._hints: tuple[tuple[str, str], ...] = ()
        title = self._muted(EMPTY_TITLE, scale=1.3, bold=True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(4)
        hints = QHBoxLayout()
        hints.addStretch(1)
        hints.addLayout(self._grid)
        hints.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addSpacing(12)
        layout.addLayout(hints)
        layout.addStretch(1)
        self.setAccessibleName(EMPTY_TITLE)
        self.set_hints(DEFAULT_HINTS)

    def set_hints(self, hints: Sequence[tuple[str, str]]) -> None:
        """The shortcut lines under the title: (keys, what they do) pairs."""
        grid = self._grid
        while (item := grid.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()
        self._hints = tuple(hints)
        for row, pair in enumerate(self._hints):
            for column, text in enumerate(pair):
                label = self._muted(text, bold=column == 0)
                if column == 0:
                    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(label, row, column)
                label.show()  # now, not on the layout's next pass

    def text(self) -> str:
        """The title, then one "keys  action" line per hint."""
        return "\n".join([EMPTY_TITLE, *(f"{keys}  {what}" for keys, what in self._hints)])

    def _muted(self, text: str, *, scale: float = 1.0, bold: bool = False) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self._fonts.set(label, scale, bold=bold)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

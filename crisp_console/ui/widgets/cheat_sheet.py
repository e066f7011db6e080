"""The keyboard cheat sheet: a read-only table of the registry's shortcuts, grouped by category.

Opened with open() (never exec(): no nested event loop, architecture.md); Esc closes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crisp_console.ui.cheatsheet import Group
from crisp_console.ui.widgets.tables import row_table

HEADER_ROLE = Qt.ItemDataRole.UserRole + 1  # True on category rows


class CheatSheetDialog(QDialog):
    """Shows (category, [(title, shortcuts)]) groups, category rows spanning both columns."""

    def __init__(self, groups: Sequence[Group], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = row_table(self, ["Action", "Shortcut"])
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 640)
        self.set_groups(groups)

    def set_groups(self, groups: Sequence[Group]) -> None:
        """Replace the content (after the keymap changed)."""
        self.table.clearSpans()
        self.table.setRowCount(0)
        bold = QFont()  # sets the weight only: the size stays the view's, whatever it becomes
        bold.setBold(True)
        for category, rows in groups:
            row = self.table.rowCount()
            self.table.insertRow(row)
            head = self._item(category)
            head.setFont(bold)
            head.setData(HEADER_ROLE, True)
            self.table.setItem(row, 0, head)
            self.table.setSpan(row, 0, 1, 2)
            for title, keys in rows:
                row = self.table.rowCount()
                self.table.insertRow(row)
                self.table.setItem(row, 0, self._item(title))
                self.table.setItem(row, 1, self._item("   or   ".join(keys)))
        self.table.setFocus()

    def rows(self) -> list[tuple[str, str]]:
        """The displayed (action, shortcut) text pairs, category rows as (category, "")."""
        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        return [(text(row, 0), text(row, 1)) for row in range(self.table.rowCount())]

    @staticmethod
    def _item(text: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        return item

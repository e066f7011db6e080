"""The search pane's rows: present/search_rows.py's SearchRow objects, replaced per query.

A new query replaces them whole (one reset; the pane then keeps its current row by key).
A later answer to the same query (Crisp's, after the local one) comes as rows whose first
ones are those shown, in their places (search_rows.keep_places): those are updated in
place (``dataChanged`` where a row differs) and the new ones inserted after them, so the
view keeps its current row and scroll position. Anything else is a reset.

``ITEM_ROLE`` gives the row object (the delegate reads only that); Display, ToolTip and
AccessibleText give the name, the escaped snippet and the row in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from crisp_console.present.plain import tooltip_html
from crisp_console.present.search_rows import RowKey, SearchRow
from crisp_console.ui.models.roles import DISPLAY, ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
Describe = Callable[[SearchRow], str]


class SearchResultsModel(QAbstractListModel):
    """``describe(row)``: the row in words (the pane adds the website and the date)."""

    def __init__(self, parent: QObject | None = None, *,
                 describe: Describe = lambda row: row.describe()) -> None:
        super().__init__(parent)
        self._rows: list[SearchRow] = []
        self._describe = describe

    def set_describe(self, describe: Describe) -> None:
        self._describe = describe
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                  [ACCESSIBLE])

    def replace(self, rows: Sequence[SearchRow]) -> None:
        """A new query's rows: one reset."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update(self, rows: Sequence[SearchRow]) -> None:
        """A later answer to the same query: rows in place, new rows after them; a reset
        when the shown rows are not all still first."""
        old = self._rows
        if len(rows) < len(old) or any(
                rows[i].session_id != row.session_id for i, row in enumerate(old)):
            self.replace(rows)
            return
        changed = [i for i, row in enumerate(old) if rows[i] != row]
        self._rows[:len(old)] = rows[:len(old)]
        for i in changed:
            self.dataChanged.emit(self.index(i), self.index(i))
        if len(rows) > len(old):
            self.beginInsertRows(QModelIndex(), len(old), len(rows) - 1)
            self._rows.extend(rows[len(old):])
            self.endInsertRows()

    def clear(self) -> None:
        if self._rows:
            self.replace([])

    def rows(self) -> list[SearchRow]:
        return list(self._rows)

    def keys(self) -> list[RowKey]:
        return [row.key for row in self._rows]

    def row_at(self, row: int) -> SearchRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: RowKey) -> int:
        """The row holding ``key``; -1 if none."""
        return next((i for i, row in enumerate(self._rows) if row.key == key), -1)

    # ---- Qt overrides ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == ITEM_ROLE:
            return row
        if role == DISPLAY:
            return row.name
        if role == TOOLTIP:
            return tooltip_html(f"{row.label}: {row.text}" if row.label else row.text)
        if role == ACCESSIBLE:
            return self._describe(row)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemNeverHasChildren

"""ItemListModel: a short list of objects replaced whole, one reset per search (the palette's
results, the completion popup's entries). ``ITEM_ROLE`` gives a row's object, as in the
store's models, for the delegate; ``readers`` say what the other roles read of it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex

from crisp_console.ui.models.roles import DISPLAY, ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex
Readers = Mapping[int, Callable[[Any], Any]]


class ItemListModel(QAbstractListModel):
    def __init__(self, readers: Readers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._readers = readers
        self._items: list[Any] = []

    def set_items(self, items: Sequence[Any]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[Any]:
        return list(self._items)

    def item_at(self, row: int) -> Any:
        """The row's object, None when there is no such row."""
        return self._items[row] if 0 <= row < len(self._items) else None

    # ---- Qt overrides ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None or role == ITEM_ROLE:
            return item
        read = self._readers.get(role)
        return None if read is None else read(item)

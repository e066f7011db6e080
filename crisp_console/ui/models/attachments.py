"""The composer tray's files: what each conversation will send with its next Enter.

The model owns them, per conversation (like the drafts: switching conversations keeps each
one's tray, and never carries a file to another visitor), and shows the rows of the
conversation the composer is bound to. They live in memory only: a tray is what the
operator is preparing, and what they send is kept in the outbox from Enter on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage

from crisp_console.present.attachments import Kind, file_size, kind_of
from crisp_console.present.plain import one_line, tooltip_html
from crisp_console.ui.models.roles import DISPLAY, ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex
LOADING, IMAGE, CARD = "loading", "image", "card"  # what a tile shows
_KEYS = itertools.count(1)


@dataclass(eq=False)
class Pending:
    """One file in a tray. ``preview``: LOADING (a thumbnail is being decoded), IMAGE
    (``thumbnail`` holds it) or CARD (an icon by type)."""

    name: str
    mime: str
    data: bytes = field(repr=False)
    preview: str = CARD
    thumbnail: QImage | None = field(default=None, repr=False)
    key: int = field(default_factory=lambda: next(_KEYS))

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def kind(self) -> Kind:
        return kind_of(self.name, self.mime)

    def details(self) -> str:
        """The tile's second line, the size first (it is never elided): "120 KB · PDF
        document", "2 KB · image, no preview"."""
        label = self.kind.label
        if self.preview == CARD and self.mime.startswith("image/"):
            label = f"{label.lower()}, no preview"
        return f"{file_size(self.size)} · {label}"


class AttachmentTrayModel(QAbstractListModel):
    """The files of every conversation's tray; the rows are those of ``session()``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._trays: dict[str, list[Pending]] = {}
        self._session: str | None = None

    # ---- queries -------------------------------------------------------------------------

    def session(self) -> str | None:
        return self._session

    def items(self, session_id: str | None = None) -> list[Pending]:
        """The files of ``session_id`` (default: the shown conversation), in order."""
        sid = self._session if session_id is None else session_id
        return list(self._trays.get(sid, ())) if sid is not None else []

    def item_at(self, row: int) -> Pending | None:
        rows = self._rows()
        return rows[row] if 0 <= row < len(rows) else None

    def row_of(self, key: int) -> int:
        return next((i for i, p in enumerate(self._rows()) if p.key == key), -1)

    def sessions(self) -> list[str]:
        """Conversations with files waiting."""
        return [sid for sid, items in self._trays.items() if items]

    # ---- changes -------------------------------------------------------------------------

    def show_session(self, session_id: str | None) -> None:
        if session_id == self._session:
            return
        self.beginResetModel()
        self._session = session_id
        self.endResetModel()

    def add(self, session_id: str, items: list[Pending]) -> None:
        if not items:
            return
        tray = self._trays.setdefault(session_id, [])
        if session_id != self._session:
            tray.extend(items)
            return
        first = len(tray)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        tray.extend(items)
        self.endInsertRows()

    def remove(self, key: int) -> Pending | None:
        """Take one file out of whichever tray holds it."""
        for sid, tray in self._trays.items():
            row = next((i for i, p in enumerate(tray) if p.key == key), -1)
            if row < 0:
                continue
            shown = sid == self._session
            if shown:
                self.beginRemoveRows(QModelIndex(), row, row)
            item = tray.pop(row)
            if not tray:
                del self._trays[sid]
            if shown:
                self.endRemoveRows()
            return item
        return None

    def take(self, session_id: str) -> list[Pending]:
        """Every file of ``session_id``'s tray, which empties (they are being sent)."""
        tray = self._trays.get(session_id)
        if not tray:
            return []
        shown = session_id == self._session
        if shown:
            self.beginRemoveRows(QModelIndex(), 0, len(tray) - 1)
        del self._trays[session_id]
        if shown:
            self.endRemoveRows()
        return tray

    def set_preview(self, key: int, thumbnail: QImage | None) -> None:
        """A decoded thumbnail arrived (None: the file shows as a card)."""
        for sid, tray in self._trays.items():
            for row, item in enumerate(tray):
                if item.key != key:
                    continue
                item.thumbnail = thumbnail
                item.preview = IMAGE if thumbnail is not None else CARD
                if sid == self._session:
                    index = self.index(row)
                    self.dataChanged.emit(index, index)
                return

    def _rows(self) -> list[Pending]:
        return self._trays.get(self._session, []) if self._session is not None else []

    # ---- Qt overrides --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows())

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == ITEM_ROLE:
            return item
        if role == DISPLAY:
            return one_line(item.name)
        if role == int(Qt.ItemDataRole.ToolTipRole):
            return tooltip_html(f"{item.name}\n{item.details()}\nDelete removes it")
        if role == int(Qt.ItemDataRole.AccessibleTextRole):
            return f"{one_line(item.name)}, {item.details()}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

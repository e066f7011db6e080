"""Where the conversation list's current conversation is, tracked by session id while live
rows insert, move and leave (conversation_list.py says why it is the view's own state and
not Qt's current index).

Apart from the view, which moves the operator to a row, scrolls, and mirrors the tracked
conversation in Qt's current index and selection after each row signal: this is the
bookkeeping under that. Its row while it is listed (a persistent index, which Qt moves with
the rows), else the gap it left (present/list_logic.py), kept by the model's row signals. A
QObject and a child of the view, so that those signals stop with it. Not a widget; loaded
with the list, on the first frame's path.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtWidgets import QTableView

from crisp_console.present.list_logic import gap_after_insert, gap_after_move, gap_after_remove
from crisp_console.ui.models import ConversationListModel


class TrackedCurrent(QObject):
    """``session_id``: the conversation the operator is on, listed or not (None: none).
    ``after`` runs once each row signal is accounted for (the view mirrors it then): called
    from here, not connected apart, so that a live row's move costs one slot, not two."""

    def __init__(self, view: QTableView, model: ConversationListModel,
                 after: Callable[[], None]) -> None:
        super().__init__(view)
        self._model = model
        self._after = after
        self.session_id: str | None = None
        self._index = QPersistentModelIndex()  # its row, while listed
        self._gap: int | None = None  # where it was, while not listed (None: the top)
        model.rowsAboutToBeRemoved.connect(self._rows_leaving)
        model.rowsRemoved.connect(self._rows_removed)
        model.rowsInserted.connect(self._rows_inserted)
        model.rowsMoved.connect(self._rows_moved)
        model.modelReset.connect(self._model_reset)

    def row(self) -> int:
        """Its row, or -1 while it is not in the list."""
        return self._index.row() if self._index.isValid() else -1

    def set(self, session_id: str, index: QModelIndex) -> None:
        """The operator is on ``session_id``, at ``index``."""
        self.session_id, self._index, self._gap = session_id, QPersistentModelIndex(index), None

    def clear(self) -> None:
        self.session_id, self._index, self._gap = None, QPersistentModelIndex(), None

    def start(self, down: bool, count: int) -> int:
        """The row a step down (``down``) or up from it begins at, of ``count`` rows: the
        next one; from a conversation that left the list, the row that took its place (or
        the one above); with none, or one the filter does not list, the top (or the
        bottom)."""
        row = self.row()
        if row >= 0:
            return row + (1 if down else -1)
        if self.session_id is not None and self._gap is not None:
            return self._gap if down else self._gap - 1
        return 0 if down else count - 1

    # ---- row signals -------------------------------------------------------------------------

    def _rows_leaving(self, _parent: QModelIndex, first: int, last: int) -> None:
        if self._index.isValid() and first <= self._index.row() <= last:
            self._gap = first  # the persistent index turns invalid with the removal

    def _rows_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        if not self._index.isValid() and self._gap is not None:
            self._gap = gap_after_remove(self._gap, first, last)
        self._after()

    def _rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        if self.session_id is not None and not self._index.isValid():
            row = self._model.row_of(self.session_id)
            if first <= row <= last:  # back in the list (reopened, matches again)
                self._index, self._gap = QPersistentModelIndex(self._model.index(row, 0)), None
            elif self._gap is not None:
                self._gap = gap_after_insert(self._gap, first, last)
        self._after()

    def _rows_moved(self, _parent: QModelIndex, first: int, last: int, _dest_parent: QModelIndex,
                    dest: int) -> None:
        if not self._index.isValid() and self._gap is not None:
            self._gap = gap_after_move(self._gap, first, last, dest)
        self._after()

    def _model_reset(self) -> None:
        row = -1 if self.session_id is None else self._model.row_of(self.session_id)
        self._index = (QPersistentModelIndex(self._model.index(row, 0)) if row >= 0
                       else QPersistentModelIndex())
        self._gap = None

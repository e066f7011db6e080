"""The conversation list does not move under the operator (issue 15).

The model (ui/models/conversations.py) alone orders the rows; this is the view's part: while
the list is *held*, rows that arrive above the visible ones (new conversations, others
re-sorted to the top by a new message) do not push the visible rows down. The scroll value
is moved by the height that arrived above, so the rows in view keep their place on screen,
and the pill says how many wait above ("3 new ↑"). Removals and moves are compensated the
same way.

Held means any of:
- the pointer is over the list (the row under it is about to be clicked);
- the list has the keyboard focus (the operator reads it row by row);
- the list is scrolled away from its top (the operator went looking down there, or reads the
  open conversation's row there; as CSS scroll anchoring, a list at its very top is not
  anchored).
So with the pointer elsewhere, the focus in the reply box and the list at its top, new rows
show at the top as they arrive. A list whose rows all fit has nothing to scroll and cannot
hold: its rows insert as before, and nothing is hidden to announce.

The anchor is the row under the pointer, else the current conversation's row when in view,
else the topmost row in view: the first of them that neither leaves nor moves keeps its y.
A row counts as new until it has been seen whole (scrolled into view); the pill then counts
down, and a click on it (or the "Show the newest conversations" command, or Home in the list)
scrolls to the top. The selection is the view's and is never changed here.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QTableView

from crisp_console.ui.models import ConversationListModel
from crisp_console.ui.widgets.new_rows_pill import NewRowsPill

Anchor = tuple[QPersistentModelIndex, int]  # a row and its top in viewport coordinates


class ListHold(QObject):
    """Signals:
    count_changed(int): how many rows wait above the view, unseen (0: the pill is hidden).

    Attributes:
        pill: the "3 new ↑" button over the view's top edge.
    """

    count_changed = Signal(int)

    def __init__(self, view: QTableView, model: ConversationListModel) -> None:
        super().__init__(view)
        self._view, self._model = view, model
        self._anchors: list[Anchor] | None = None  # captured before a change, while held
        self._moving: list[str] = []  # the rows of the move in progress
        self._new: set[str] = set()  # session ids that arrived above and were not seen
        self._count = 0
        self.pill = NewRowsPill(view)
        self.pill.clicked.connect(self.show_newest)
        model.rowsAboutToBeInserted.connect(self._capture)
        model.rowsAboutToBeRemoved.connect(self._capture)
        model.rowsAboutToBeMoved.connect(self._capture_move)
        model.rowsInserted.connect(self._inserted)
        model.rowsRemoved.connect(self._removed)
        model.rowsMoved.connect(self._moved)
        model.modelReset.connect(self.clear)
        view.verticalScrollBar().valueChanged.connect(self._recount)
        view.installEventFilter(self)

    def held(self) -> bool:
        """Whether arrivals above are held out of sight now (the module's rule)."""
        view = self._view
        return view.underMouse() or view.hasFocus() or view.verticalScrollBar().value() > 0

    def count(self) -> int:
        """Rows waiting above the view, unseen."""
        return self._count

    def show_newest(self) -> None:
        """Scroll to the top: every waiting row is seen (the selection stays)."""
        self._view.verticalScrollBar().setValue(0)
        self._recount()

    def clear(self) -> None:
        """Forget the waiting rows (a new filter or website: another list)."""
        self._anchors, self._moving = None, []
        self._new.clear()
        self._recount()

    # ---- before and after each change --------------------------------------------------------

    def _capture(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        self._anchors = self._candidates(()) if self.held() else None

    def _capture_move(self, _parent: QModelIndex, first: int, last: int,
                      _dest_parent: QModelIndex, _dest: int) -> None:
        self._moving = [self._model.session_id_at(r) for r in range(first, last + 1)]
        self._anchors = self._candidates(range(first, last + 1)) if self.held() else None

    def _inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        if self._restore():
            self._note_new(self._model.session_id_at(r) for r in range(first, last + 1))
        self._recount()

    def _moved(self, *_args: object) -> None:
        moving, self._moving = self._moving, []
        if self._restore():
            self._note_new(moving)
        self._recount()

    def _removed(self, *_args: object) -> None:
        self._restore()
        self._recount()

    def _candidates(self, moving: range | tuple[()]) -> list[Anchor]:
        """The rows that may keep their place, best first: under the pointer, the current
        one, then every row in view from the top; not those about to move."""
        view, model = self._view, self._model
        view.executeDelayedItemsLayout()  # positions as they are now, not as last painted
        height = view.viewport().height()
        first = view.rowAt(0)
        if first < 0:
            return []
        last = view.rowAt(height - 1)
        last = model.rowCount() - 1 if last < 0 else last
        rows: list[int] = []
        if view.underMouse():
            rows.append(view.rowAt(view.viewport().mapFromGlobal(QCursor.pos()).y()))
        rows.append(view.currentIndex().row())
        rows.extend(range(first, last + 1))
        anchors: list[Anchor] = []
        seen: set[int] = set()
        for row in rows:
            if first <= row <= last and row not in seen and row not in moving:
                seen.add(row)
                anchors.append((QPersistentModelIndex(model.index(row, 0)),
                                view.rowViewportPosition(row)))
        return anchors

    def _restore(self) -> bool:
        """Put the first surviving anchor back at its y; False when nothing was held."""
        anchors, self._anchors = self._anchors, None
        if anchors is None:
            return False
        view = self._view
        view.executeDelayedItemsLayout()  # the scroll range must already count the new rows
        bar = view.verticalScrollBar()
        for index, top in anchors:
            if index.isValid():
                bar.setValue(bar.value() + view.rowViewportPosition(index.row()) - top)
                break
        return True

    # ---- the count ---------------------------------------------------------------------------

    def _note_new(self, session_ids: Iterable[str]) -> None:
        model, view = self._model, self._view
        for sid in session_ids:
            row = model.row_of(sid)
            if row >= 0 and view.rowViewportPosition(row) < 0:
                self._new.add(sid)

    def _recount(self) -> None:
        """Drop the rows seen (in view whole, or gone) and show what is left."""
        if self._new:
            model, view = self._model, self._view
            self._new = {sid for sid in self._new
                         if (row := model.row_of(sid)) >= 0 and view.rowViewportPosition(row) < 0}
        count = len(self._new)
        if count != self._count:
            self._count = count
            self.pill.show_count(count)
            self.count_changed.emit(count)

    # ---- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize and self._count:
            self.pill.place()
        return False

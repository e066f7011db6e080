"""What the conversation list and the timeline share: following the store (one subscription,
one Coalescer: coalesce.py has the why), the re-entrant flush, ``dataChanged`` in runs, and
Qt's read side (``rowCount``, ``data`` through one getter per role, ``roleNames``).

A subclass keeps its own rows (``_rows``: what the view has been told), notes what the
store's Changes touch (``_on_change``, then ``_coalescer.request()``), says whether anything
waits (``pending``), brings its rows up to date with the signals (``_catch_up``), takes them
from the store again on a reset (``_reload``) and reads a row's object (``_item_at``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sized
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
)

from crisp_console.core import Change, Store
from crisp_console.ui.models.coalesce import StoreCoalescer, changed_runs
from crisp_console.ui.models.roles import DISPLAY, role_names

Index = QModelIndex | QPersistentModelIndex
Getters = Mapping[int, Callable[[Any], Any]]


class StoreListModel(QAbstractListModel):
    """A one-column list model over ``store``, read through ``getters`` (role -> function
    of the row's object) and named by ``roles``."""

    _rows: Sized

    def __init__(self, store: Store, getters: Getters, roles: type[enum.IntEnum], *,
                 coalesce: bool, interval_ms: int, parent: QObject | None) -> None:
        super().__init__(parent)
        self._store = store
        self._getters, self._roles = getters, roles
        self._flushing = False
        self._epoch = 0  # counts resets: one from a slot ends the pass that was running
        # Flushed at the end of each frame of live events too: in the turn that applied them.
        self._coalescer = StoreCoalescer(store, self._on_change, self.flush, interval_ms,
                                         enabled=coalesce, parent=self, frames=True)

    @property
    def store(self) -> Store:
        return self._store

    @property
    def pending(self) -> bool:
        """Whether changes are waiting for the next flush."""
        raise NotImplementedError

    def flush(self) -> None:
        """Bring the rows up to date with the store now, emitting the Qt signals.

        Re-entrant safe: what a slot changes in the store while the signals go out is noted
        as usual, and this same flush then applies it; a nested ``flush()`` returns at once.
        """
        if self._flushing:
            return
        self._flushing = True
        try:
            while self.pending:
                self._catch_up()
        finally:
            self._flushing = False
            self._coalescer.cancel()

    def detach(self) -> None:
        """Stop following the store (before dropping the model)."""
        self._coalescer.detach()

    def _reset(self) -> None:
        """A model reset: what waited goes, and ``_reload`` replaces the rows."""
        self._coalescer.cancel()
        self._epoch += 1
        self.beginResetModel()
        self._reload()
        self.endResetModel()

    def _emit_changed(self, refresh: Iterable[tuple[int, frozenset[int]]], epoch: int) -> None:
        """``dataChanged`` for ``(row, roles)``, in runs; a reset meanwhile ends it."""
        for first, last, roles in changed_runs(refresh):
            if epoch != self._epoch:
                return
            self.dataChanged.emit(self.index(first), self.index(last), roles)

    def _on_change(self, change: Change) -> None:
        raise NotImplementedError

    def _catch_up(self) -> None:
        raise NotImplementedError

    def _reload(self) -> None:
        """Drop what waits for the flush and take the rows from the store again."""
        raise NotImplementedError

    def _item_at(self, row: int) -> Any:
        """The row's object, None when there is no such row."""
        raise NotImplementedError

    # ---- Qt overrides ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        getter = self._getters.get(role)
        if getter is None or not index.isValid():
            return None
        item = self._item_at(index.row())
        return None if item is None else getter(item)

    def roleNames(self) -> dict[int, QByteArray]:
        return {**super().roleNames(), **role_names(self._roles)}

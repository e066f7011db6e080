"""The conversation list's filters: what each one takes, a proxy model, and live counts.

``Filter`` names the quick filters; ``ConversationFilter`` is one filter plus a text search,
callable on a Conversation in O(1) (field reads and three substring tests). It can filter
in two places:

- ``ConversationListModel(accept=...)`` / ``set_accept(...)``: the model's own rows keep only
  what matches, at O(touched · log n) per flush. This is the one to give a large list.
- ``ConversationFilterProxy``, a QSortFilterProxyModel over a ConversationListModel. It
  filters dynamically (a ``dataChanged`` re-tests that row: resolving takes a row out of
  Unresolved) and never sorts: the store sorts. Measured with PySide6 6.11: for every source
  ``rowsMoved`` QSortFilterProxyModel turns the move into a layout change, and when the view
  holds persistent indexes (a current row, a selection) it rebuilds its mapping by testing
  *every* source row, 2-3 µs per row from Python: a flush of 8 visitor messages over 10k
  rows took ~200 ms through the proxy, against under 1 ms with the model's own filter
  (QTableView, offscreen). Fine for small lists; under live traffic use the model's filter.

``FilterCounts`` keeps the count of every filter up to date from the store's notifications:
each conversation's set of matching filters is a small bit mask, recomputed only when an
event touches one of the fields the filters read (``FILTER_FIELDS``); a full pass happens
only on RESET or when the operator changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Conversation, Store
from crisp_console.present.filters import FILTER_FIELDS, ConversationFilter, Filter, matches
from crisp_console.ui.models.coalesce import MAX_INTERVAL_MS, Coalescer
from crisp_console.ui.models.conversations import ConversationListModel
from crisp_console.ui.models.roles import ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex


class ConversationFilterProxy(QSortFilterProxyModel):
    """Filters a ConversationListModel; keeps the source's order (no sorting, ever)."""

    def __init__(self, source: ConversationListModel | None = None, *,
                 user_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = ConversationFilter(user_id=user_id)
        # Dynamic *filtering*: a dataChanged re-tests its rows. With no sort column set, the
        # proxy never re-sorts; sort() below refuses to set one.
        self.setDynamicSortFilter(True)
        if source is not None:
            self.setSourceModel(source)

    @property
    def filter(self) -> ConversationFilter:
        return self._filter

    def set_filter(self, kind: Filter) -> None:
        self._change(replace(self._filter, kind=kind))

    def set_text(self, text: str) -> None:
        self._change(replace(self._filter, text=text))

    def set_user_id(self, user_id: str | None) -> None:
        self._change(replace(self._filter, user_id=user_id))

    def conversation_at(self, row: int) -> Conversation:
        conv = self.index(row, 0).data(ITEM_ROLE)
        if not isinstance(conv, Conversation):
            raise IndexError(row)
        return conv

    def _change(self, new: ConversationFilter) -> None:
        if new == self._filter:
            return
        self.beginFilterChange()
        self._filter = new
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # ---- Qt overrides ------------------------------------------------------------------------

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        if isinstance(source, ConversationListModel):
            conv: object = source.conversation_at(source_row)
        else:
            conv = source.index(source_row, 0, source_parent).data(ITEM_ROLE)
        return isinstance(conv, Conversation) and self._filter(conv)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ignored: the store orders the list (and re-sorting here would fight its moves)."""


_KINDS = tuple(Filter)
_BITS = {kind: 1 << i for i, kind in enumerate(_KINDS)}


class FilterCounts(QObject):
    """How many conversations each ``Filter`` takes, kept current incrementally.

    ``count()``/``counts()`` are exact at every moment; ``changed`` is emitted (coalesced
    like the models, at most every 16 ms) when any count moved.
    """

    changed = Signal()

    def __init__(self, store: Store, user_id: str | None = None, *, coalesce: bool = True,
                 interval_ms: int = MAX_INTERVAL_MS, website_id: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._user_id = user_id
        self._website_id = website_id  # None: count every website (the unified inbox)
        self._masks: dict[str, int] = {}
        self._counts = dict.fromkeys(_KINDS, 0)
        self._emitted = dict(self._counts)
        self._coalescer = Coalescer(self.flush, interval_ms, enabled=coalesce, parent=self)
        self._recount()
        self._emitted = dict(self._counts)
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_change)

    @property
    def user_id(self) -> str | None:
        return self._user_id

    def count(self, kind: Filter) -> int:
        return self._counts[kind]

    def counts(self) -> dict[Filter, int]:
        return dict(self._counts)

    def set_user_id(self, user_id: str | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._recount()
            self._coalescer.request()

    @property
    def website_id(self) -> str | None:
        return self._website_id

    def set_website_id(self, website_id: str | None) -> None:
        """Count only that website's conversations (None: all of them)."""
        if website_id != self._website_id:
            self._website_id = website_id
            self._recount()
            self._coalescer.request()

    def flush(self) -> None:
        """Emit ``changed`` now if any count differs from the last emission."""
        self._coalescer.cancel()
        if self._counts != self._emitted:
            self._emitted = dict(self._counts)
            self.changed.emit()

    def detach(self) -> None:
        self._coalescer.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ---- bookkeeping -------------------------------------------------------------------------

    def _mask(self, conv: Conversation) -> int:
        if self._website_id is not None and conv.website_id != self._website_id:
            return 0
        uid = self._user_id
        mask = 0
        for kind, bit in _BITS.items():
            if matches(kind, conv, uid):
                mask |= bit
        return mask

    def _set(self, sid: str, mask: int) -> bool:
        """Record ``sid``'s new mask (0: gone); True if a count changed."""
        old = self._masks.pop(sid, 0)
        if mask:
            self._masks[sid] = mask
        diff = old ^ mask
        if not diff:
            return False
        counts = self._counts
        for kind, bit in _BITS.items():
            if diff & bit:
                counts[kind] += 1 if mask & bit else -1
        return True

    def _recount(self) -> None:
        self._masks = {sid: self._mask(c) for sid, c in self._store.conversations.items()}
        counts = dict.fromkeys(_KINDS, 0)
        for mask in self._masks.values():
            for kind, bit in _BITS.items():
                if mask & bit:
                    counts[kind] += 1
        self._counts = counts

    def _on_change(self, c: Change) -> None:
        if c.collection != CONVERSATIONS:
            return
        store = self._store
        moved = False
        if c.kind is ChangeKind.INSERTED or (c.kind is ChangeKind.CHANGED
                                             and not FILTER_FIELDS.isdisjoint(c.fields)):
            for row in range(c.first, c.last + 1):
                conv = store.conversation_at(row)
                moved |= self._set(conv.session_id, self._mask(conv))
        elif c.kind is ChangeKind.REMOVING:
            for row in range(c.first, c.last + 1):
                moved |= self._set(store.conversation_at(row).session_id, 0)
        elif c.kind is ChangeKind.RESET:
            self._recount()
            moved = True
        if moved:
            self._coalescer.request()

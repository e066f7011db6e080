"""ConversationListModel: the store's conversation list as a Qt list model.

How it stays exact while coalescing (coalesce.py has the why):

- The model keeps its own sorted rows (core's SortedRows, keyed like the store's list) holding
  what the view has been told. Between flushes they are the store's rows as they were at the
  last flush, so ``rowCount()`` and every index stay consistent with the signals sent.
- Store notifications only record *which* conversations were touched (and the roles of the
  fields that changed): every Change names the session_ids of its rows.
  A conversation the store removes keeps answering ``data()`` from a reference taken at
  ``REMOVING`` until the flush replays its removal.
- The flush (≤16 ms after the first touch, or ``flush()``) brings the rows up to date:
  ``beginRemoveRows`` for touched ids that left (runs of rows), ``beginInsertRows`` for new
  ids (one range per place, so a burst of new conversations at the top is one range),
  ``beginMoveRows`` for each touched id whose sort key moved it, then ``dataChanged`` per row
  with the union of the changed fields' roles. Untouched rows keep their key, so re-keying the
  touched ones leaves the rows sorted exactly as the store's: the final rows equal
  ``store.conversation_ids()``. A burst of N events on k conversations costs at most k moves
  and k ``dataChanged``, whatever N is.
- ``coalesce=False`` flushes after every complete Change, which (without a filter) yields
  exactly the store's Change stream as Qt signals: one insert range per run, one move per
  MOVED, and so on. Those signals go out inside the store's notification, where slots must
  not change the store; the app uses the timer.
- ``RESET`` (ordering changed, store cleared) drops what is queued and resets the model.

An optional ``accept`` predicate (present/filters.py ``ConversationFilter``) keeps only
matching conversations in the rows: filtering here costs O(touched · log n) per flush. A
QSortFilterProxyModel would not do: for every source ``rowsMoved`` it makes a layout change,
and with persistent indexes in the view (a current row) it re-tests *every* source row,
2-3 µs per row from Python: a flush of 8 visitor messages over 10k rows took ~200 ms through
a proxy, under 1 ms with this filter (PySide6 6.11, offscreen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Conversation, Store
from crisp_console.core.ordering import KEY_FUNCTIONS, SortKey
from crisp_console.core.sortedrows import SortedRows
from crisp_console.ui.models.base import StoreListModel
from crisp_console.ui.models.coalesce import DEFAULT_INTERVAL_MS
from crisp_console.ui.models.roles import (
    ALL_ROLES,
    CONVERSATION_FIELD_ROLES,
    DISPLAY,
    ConversationRole,
    roles_for,
)

Accept = Callable[[Conversation], bool]
Index = QModelIndex | QPersistentModelIndex


class More(Protocol):
    """Where more rows come from (the list pane's view of the pager): Qt's
    canFetchMore/fetchMore ask it when the view reaches the last row."""

    def can_fetch_more(self) -> bool: ...

    def fetch_more(self) -> None: ...

_NO_ROLES: frozenset[int] = frozenset()
_EVERY_ROLE = frozenset((ALL_ROLES,))


def display_name(conv: Conversation) -> str:
    return conv.nickname or conv.email or "Visitor"


_GETTERS: dict[int, Callable[[Conversation], Any]] = {
    ConversationRole.ITEM: lambda c: c,
    DISPLAY: display_name,
    ConversationRole.SESSION_ID: lambda c: c.session_id,
    ConversationRole.NAME: display_name,
    ConversationRole.EXCERPT: lambda c: c.last_message,
    ConversationRole.UPDATED_AT: lambda c: c.updated_at,
    ConversationRole.UNREAD: lambda c: c.unread_operator,
    ConversationRole.STATE: lambda c: c.state,
    ConversationRole.ASSIGNED: lambda c: c.assigned,
    ConversationRole.TYPING: lambda c: c.compose_visitor,
    ConversationRole.WEBSITE_ID: lambda c: c.website_id,
    ConversationRole.AVATAR: lambda c: c.avatar,
}


def _nothing(_ids: list[str]) -> None:
    """SortedRows' mutate hook: the model's rows hold ids only, nothing else to update."""


class ConversationListModel(StoreListModel):
    """The conversation list of ``store`` (its order), one column, ``ConversationRole`` roles.

    ``block_size`` tunes the rows' blocks like the store's (tests make it tiny).
    """

    _rows: SortedRows

    def __init__(self, store: Store, *, coalesce: bool = True,
                 interval_ms: int = DEFAULT_INTERVAL_MS, accept: Accept | None = None,
                 block_size: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(store, _GETTERS, ConversationRole, coalesce=coalesce,
                         interval_ms=interval_ms, parent=parent)
        self._accept = accept
        self._key = KEY_FUNCTIONS[store.ordering]
        self._rows = SortedRows(self._announce, CONVERSATIONS, block_size)
        self._touched: dict[str, frozenset[int]] = {}  # session_id -> roles to refresh
        self._gone: dict[str, Conversation] = {}  # removed from the store, not yet from rows
        self._field_roles: dict[frozenset[str], frozenset[int]] = {}  # changed fields -> roles
        self._more: More | None = None
        self._load()

    # ---- reading -----------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Whether changes are waiting for the next flush."""
        return bool(self._touched)

    def session_ids(self) -> list[str]:
        """The rows as the view knows them (a copy)."""
        return self._rows.all_ids()

    def session_id_at(self, row: int) -> str:
        return self._rows.id_at(row)

    def conversation_at(self, row: int) -> Conversation:
        """The row's conversation (also while its removal waits for the flush)."""
        sid = self._rows.id_at(row)
        conv = self._store.conversations.get(sid) or self._gone.get(sid)
        if conv is None:  # cannot happen: every removed row is kept in _gone until flushed
            raise LookupError(sid)
        return conv

    def row_of(self, session_id: str) -> int:
        """The conversation's row in this model, -1 if it has none (O(log n))."""
        return self._rows.row_of(session_id)

    # ---- control -----------------------------------------------------------------------------

    def set_accept(self, accept: Accept | None) -> None:
        """Keep only the conversations ``accept`` takes (None: all); resets the model."""
        self._accept = accept
        self._reset()

    def set_more(self, more: More | None) -> None:
        """Where ``fetchMore`` reads more rows from (None: the rows are all there is)."""
        self._more = more

    def recheck(self, session_ids: Iterable[str]) -> None:
        """Test these conversations against ``accept`` again at the next flush (what it
        answers changed without the store changing: a saved view's members)."""
        self._touch(tuple(session_ids), _NO_ROLES)
        if self._touched:
            self._coalescer.request()

    def _catch_up(self) -> None:
        """One pass over the touched ids (a slot marking a conversation read while the
        signals go out only touches more: the flush makes another pass)."""
        touched, self._touched = self._touched, {}
        conversations, rows, key, accept = (self._store.conversations, self._rows, self._key,
                                            self._accept)
        epoch = self._epoch  # a reset from a slot ends this pass: the rows were replaced
        gone: list[str] = []
        kept: list[tuple[SortKey, str]] = []
        new: list[tuple[SortKey, str]] = []
        for sid in touched:
            conv = conversations.get(sid)
            wanted = conv is not None and (accept is None or accept(conv))
            if sid in rows.key_of:
                if conv is not None and wanted:
                    kept.append((key(conv), sid))
                else:
                    gone.append(sid)
            elif conv is not None and wanted:
                new.append((key(conv), sid))
        if gone:
            rows.remove_many(gone, _nothing)
        # New rows first, while the kept ones still sit at their old places: a burst of new
        # conversations at the top is then one range, not one per moved row between them.
        # The rows stay sorted (stale keys of kept ids are still their old, consistent keys).
        if new and epoch == self._epoch:
            rows.insert_many(new, _nothing)
        kept.sort()
        for new_key, sid in kept:
            if epoch != self._epoch:
                return
            rows.rekey(sid, new_key)  # a move only if its neighbours changed
        for sid in touched:
            if sid not in rows.key_of:
                self._gone.pop(sid, None)
        refresh = [(rows.row_of(sid), touched[sid]) for _, sid in kept if touched[sid]]
        self._emit_changed(refresh, epoch)

    # ---- store notifications -----------------------------------------------------------------

    def _on_change(self, c: Change) -> None:
        if c.collection != CONVERSATIONS:
            return
        kind = c.kind
        if kind is ChangeKind.CHANGED:
            roles = self._field_roles.get(c.fields)
            if roles is None:  # a few field sets recur: their roles are computed once
                if len(self._field_roles) >= 256:  # bounded, whatever a peer's events change
                    self._field_roles.clear()
                roles = self._field_roles[c.fields] = roles_for(c.fields, CONVERSATION_FIELD_ROLES)
            self._touch(c.ids, roles)
        elif kind is ChangeKind.INSERTED:
            # New to the rows (inserted at the flush), or back after a removal not yet
            # flushed: then it is a new object in an existing row, and every role changed.
            self._touch(c.ids, _EVERY_ROLE)
        elif kind is ChangeKind.MOVED:
            self._touch(c.ids, _NO_ROLES)
        elif kind is ChangeKind.REMOVING:
            conversations = self._store.conversations
            for sid in c.ids:
                self._gone[sid] = conversations[sid]
                self._touched.setdefault(sid, _NO_ROLES)
            return  # the store is mid-change until REMOVED
        elif kind is ChangeKind.RESET:
            self._reset()
            return
        elif kind is not ChangeKind.REMOVED:
            return  # INSERTING, MOVING: nothing to note before the store is done
        self._coalescer.request()

    def _touch(self, session_ids: tuple[str, ...], roles: frozenset[int]) -> None:
        touched = self._touched
        for sid in session_ids:
            old = touched.get(sid)
            if old is None:
                touched[sid] = roles
            elif not roles <= old:  # a union only when it adds roles: no set per event
                touched[sid] = old | roles

    def _load(self) -> None:
        key, accept = self._key, self._accept
        self._rows.replace([(key(c), sid) for sid, c in self._store.conversations.items()
                            if accept is None or accept(c)])

    def _reload(self) -> None:
        self._touched.clear()
        self._gone.clear()
        self._key = KEY_FUNCTIONS[self._store.ordering]
        self._load()

    def _announce(self, c: Change) -> None:
        """The rows' own notifications, at flush time: the Qt signals, one-to-one."""
        kind, root = c.kind, QModelIndex()
        if kind is ChangeKind.INSERTING:
            self.beginInsertRows(root, c.first, c.last)
        elif kind is ChangeKind.INSERTED:
            self.endInsertRows()
        elif kind is ChangeKind.MOVING:
            ok = self.beginMoveRows(root, c.first, c.last, root, c.dest)
            assert ok, c  # SortedRows only announces valid moves (tests/core prove it)
        elif kind is ChangeKind.MOVED:
            self.endMoveRows()
        elif kind is ChangeKind.REMOVING:
            self.beginRemoveRows(root, c.first, c.last)
        elif kind is ChangeKind.REMOVED:
            self.endRemoveRows()

    def _item_at(self, row: int) -> Conversation | None:
        if not 0 <= row < len(self._rows):
            return None
        sid = self._rows.id_at(row)
        return self._store.conversations.get(sid) or self._gone.get(sid)

    # ---- Qt overrides ------------------------------------------------------------------------

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more is not None and self._more.can_fetch_more()

    def fetchMore(self, parent: Index) -> None:
        if not parent.isValid() and self._more is not None:
            self._more.fetch_more()

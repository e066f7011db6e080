"""TimelineModel: one conversation's messages (REST history, live messages, local echoes).

``bind(session_id)`` switches conversations with a model reset (Quaternion's
``changeRoom``); after that, the store's ``messages`` Changes for that conversation map
one-to-one onto row operations: a history page is one insert range, a local echo is a row
like any other (PENDING, then SENT or FAILED through ``dataChanged``, moving among the sent
messages if the server's timestamp says so).

Coalescing (coalesce.py): the model keeps its own list of the Message objects the view has
been told about. Store notifications are queued as row operations (the inserted objects are
taken from the store at ``INSERTED``), and the flush replays them in order onto that list,
with the Qt signals: rows stay consistent with what the view was told at every moment, and a
removed message keeps answering ``data()`` until its removal is replayed, since the list
holds the object. Consecutive inserts into one block become one range. ``CHANGED`` is not
replayed in order but gathered per message (union of roles) and sent once after the
structure, at the message's final row; a message inserted in the same flush needs none.

Highlights (``MessageRole.MARK``) are not the store's: whoever highlights (the thread's find
and reveal) gives ``set_mark_source`` a function of the fingerprint, and calls
``marks_changed`` with the messages whose highlight changed: one ``dataChanged`` of the MARK
role per run of their rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from crisp_console.core import MESSAGES, Change, ChangeKind, Message, MessageStatus, Store
from crisp_console.core.ordering import moved_index
from crisp_console.present.content import status_words
from crisp_console.present.find_text import Mark
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.models.base import StoreListModel
from crisp_console.ui.models.coalesce import DEFAULT_INTERVAL_MS, Insert, Move, ReplayQueue
from crisp_console.ui.models.roles import DISPLAY, MESSAGE_FIELD_ROLES, MessageRole, roles_for

MarkSource = Callable[[int], Mark | None]
_MARK_ONLY = frozenset((int(MessageRole.MARK),))

QUEUED_TIP = ("Queued: it goes out by itself, in order, as soon as Crisp takes it again "
              "(the connection is back, or the daily quota resets).")


def _status_tip(msg: Message) -> str | None:
    """A failed send's words in full (the footer elides them), or why a queued one waits,
    as plain text."""
    if msg.status is MessageStatus.QUEUED:
        return tooltip_html(QUEUED_TIP + (f"\n{msg.error}" if msg.error else ""))
    if msg.status is not MessageStatus.FAILED or not msg.error:
        return None
    return tooltip_html(f"{msg.error}\nSelect it and press Enter, or click, to retry.")


def _accessible_text(msg: Message) -> str:
    """What a screen reader says for the row: the text, then an unsent echo's state (the
    footer's icon and colour are not enough)."""
    words = status_words(msg)
    return f"{msg.excerpt()} — {words}" if words else msg.excerpt()


_GETTERS: dict[int, Callable[[Message], Any]] = {
    int(Qt.ItemDataRole.ToolTipRole): _status_tip,
    int(Qt.ItemDataRole.AccessibleTextRole): _accessible_text,
    MessageRole.ITEM: lambda m: m,
    DISPLAY: Message.excerpt,
    MessageRole.FINGERPRINT: lambda m: m.fingerprint,
    MessageRole.TEXT: Message.excerpt,
    MessageRole.SENDER: lambda m: m.from_,
    MessageRole.TIMESTAMP: lambda m: m.timestamp,
    MessageRole.STATUS: lambda m: m.status,
    MessageRole.TYPE: lambda m: m.type,
    MessageRole.READ: lambda m: m.read,
    MessageRole.EDITED: lambda m: m.edited,
}


class TimelineModel(StoreListModel):
    """The bound conversation's timeline, oldest first; empty while unbound."""

    def __init__(self, store: Store, *, coalesce: bool = True,
                 interval_ms: int = DEFAULT_INTERVAL_MS, parent: QObject | None = None) -> None:
        getters = {**_GETTERS, int(MessageRole.MARK): lambda m: self._mark_of(m)}
        super().__init__(store, getters, MessageRole, coalesce=coalesce,
                         interval_ms=interval_ms, parent=parent)
        self._marks: MarkSource | None = None
        self._session_id: str | None = None
        self._rows: list[Message] = []
        self._queue: ReplayQueue[Message] = ReplayQueue()
        self._changed: dict[int, tuple[Message, frozenset[int]]] = {}  # by id(message)

    # ---- reading -----------------------------------------------------------------------------

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def pending(self) -> bool:
        """Whether changes are waiting for the next flush."""
        return bool(self._queue) or bool(self._changed)

    def messages(self) -> list[Message]:
        """The rows as the view knows them (a copy)."""
        return list(self._rows)

    def message_at(self, row: int) -> Message:
        return self._rows[row]

    def row_of(self, fingerprint: int) -> int:
        """The message's row, -1 if absent (searched from the bottom, where activity is)."""
        rows = self._rows
        for row in range(len(rows) - 1, -1, -1):
            if rows[row].fingerprint == fingerprint:
                return row
        return -1

    # ---- highlights --------------------------------------------------------------------------

    def set_mark_source(self, source: MarkSource | None) -> None:
        """Where MARK reads a message's highlight (None: nothing is highlighted); every row's
        MARK changes."""
        self._marks = source
        self.marks_changed(None)

    def marks_changed(self, fingerprints: Collection[int] | None) -> None:
        """The highlight of these messages changed (None: of any): ``dataChanged`` of the
        MARK role for their rows (those the view knows)."""
        fps = None if fingerprints is None else set(fingerprints)
        self._emit_changed([(row, _MARK_ONLY) for row, m in enumerate(self._rows)
                            if fps is None or m.fingerprint in fps], self._epoch)

    def _mark_of(self, msg: Message) -> Mark | None:
        return self._marks(msg.fingerprint) if self._marks is not None else None

    # ---- control -----------------------------------------------------------------------------

    def bind(self, session_id: str | None) -> None:
        """Show ``session_id``'s timeline (None: nothing), with a model reset."""
        if session_id == self._session_id:
            self.flush()
            return
        self._session_id = session_id
        self._reset()

    def _catch_up(self) -> None:
        """Replay what is queued, in order. What a slot changes in the store meanwhile is
        queued against the store's rows, which this replay reaches first; a rebind (or
        RESET) from a slot ends the replay of the old rows."""
        ops = self._queue.take()
        changed, self._changed = self._changed, {}
        rows, root, epoch = self._rows, QModelIndex(), self._epoch
        inserted: set[int] = set()
        for op in ops:
            if epoch != self._epoch:
                return
            if isinstance(op, Insert):
                self.beginInsertRows(root, op.first, op.last)
                rows[op.first:op.first] = op.items
                self.endInsertRows()
                inserted.update(map(id, op.items))
            elif isinstance(op, Move):
                ok = self.beginMoveRows(root, op.first, op.first, root, op.dest)
                assert ok, op  # the store's moves follow Qt's rules (tests/core prove it)
                rows.insert(moved_index(op.first, op.dest), rows.pop(op.first))
                self.endMoveRows()
            else:
                self.beginRemoveRows(root, op.first, op.last)
                del rows[op.first:op.last + 1]
                self.endRemoveRows()
        wanted = {key: roles for key, (_m, roles) in changed.items() if key not in inserted}
        if not wanted or epoch != self._epoch:
            return
        refresh = [(row, wanted[id(m)]) for row, m in enumerate(rows) if id(m) in wanted]
        self._emit_changed(refresh, epoch)

    # ---- store notifications -----------------------------------------------------------------

    def _on_change(self, c: Change) -> None:
        if c.collection != MESSAGES:
            return
        sid = self._session_id
        if c.kind is ChangeKind.RESET:
            if sid is not None and c.key in (None, sid):
                self._reset()
            return
        if sid is None or c.key != sid:
            return
        kind, store = c.kind, self._store
        if kind is ChangeKind.INSERTED:
            self._queue.insert(c.first, [store.message_at(sid, r)
                                         for r in range(c.first, c.last + 1)])
        elif kind is ChangeKind.MOVED:
            self._queue.move(c.first, c.dest)
        elif kind is ChangeKind.REMOVED:
            self._queue.remove(c.first, c.last)
        elif kind is ChangeKind.CHANGED:
            roles = roles_for(c.fields, MESSAGE_FIELD_ROLES)
            changed = self._changed
            for row in range(c.first, c.last + 1):
                msg = store.message_at(sid, row)
                old = changed.get(id(msg))
                changed[id(msg)] = (msg, roles if old is None else old[1] | roles)
        else:
            return  # INSERTING, MOVING, REMOVING: the rows to replay come with the -ED
        self._coalescer.request()

    def _reload(self) -> None:
        self._queue.take()
        self._changed.clear()
        sid = self._session_id
        self._rows = self._store.messages(sid) if sid is not None else []

    def _item_at(self, row: int) -> Message | None:
        rows = self._rows
        return rows[row] if 0 <= row < len(rows) else None

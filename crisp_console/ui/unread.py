"""The console's unread count (tray badge, window title), kept incrementally from the store.

Unread means visitor messages no operator has read: the sum of ``Conversation.unread_operator``
over all conversations, and how many conversations have any. Each store Change adjusts the
sums by the touched conversations' difference (O(1) per row); only a RESET recounts. The
title's and the badge's text are present/labels.py's.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Store
from crisp_console.ui.timers import single_shot


class UnreadCounter(QObject):
    """Signals:
        changed(messages, conversations): the totals moved. With ``delay_ms`` > 0 a burst of
            store changes gives one signal after that delay (a reconnect backlog must not
            repaint the tray icon hundreds of times); 0 emits at once. ``total()`` and
            ``conversations()`` are always exact.
    """

    changed = Signal(int, int)

    def __init__(self, store: Store, parent: QObject | None = None, *,
                 delay_ms: int = 50) -> None:
        super().__init__(parent)
        self._store = store
        self._counts: dict[str, int] = {}  # session_id -> unread_operator, non-zero only
        self._total = 0
        self._emitted = (0, 0)
        self._timer: QTimer | None = None
        if delay_ms > 0:
            self._timer = single_shot(self, delay_ms, self._emit)
        self._unsubscribe = store.subscribe(self._on_change)
        self._recount()
        self._emitted = (self._total, len(self._counts))

    def total(self) -> int:
        """Unread visitor messages over all conversations."""
        return self._total

    def conversations(self) -> int:
        """Conversations with at least one unread visitor message."""
        return len(self._counts)

    def unread_of(self, session_id: str) -> int:
        return self._counts.get(session_id, 0)

    def detach(self) -> None:
        """Stop following the store (idempotent)."""
        self._unsubscribe()
        if self._timer is not None:
            self._timer.stop()

    # -- internals --

    def _on_change(self, change: Change) -> None:
        if change.collection != CONVERSATIONS:
            return
        kind, conversations = change.kind, self._store.conversations
        if kind is ChangeKind.RESET:
            self._recount()
        elif kind is ChangeKind.INSERTED or (kind is ChangeKind.CHANGED
                                             and "unread_operator" in change.fields):
            for sid in change.ids:
                conv = conversations.get(sid)
                self._set(sid, conv.unread_operator if conv is not None else 0)
        elif kind is ChangeKind.REMOVING:
            for sid in change.ids:
                self._set(sid, 0)
        else:
            return
        self._schedule()

    def _set(self, session_id: str, count: int) -> None:
        count = max(0, count)
        old = self._counts.get(session_id, 0)
        if count:
            self._counts[session_id] = count
        elif old:
            del self._counts[session_id]
        self._total += count - old

    def _recount(self) -> None:
        self._counts = {sid: c.unread_operator for sid, c in self._store.conversations.items()
                        if c.unread_operator > 0}
        self._total = sum(self._counts.values())

    def _schedule(self) -> None:
        if self._timer is None:
            self._emit()
        elif not self._timer.isActive():
            self._timer.start()

    def _emit(self) -> None:
        # A Qt int is 32-bit: two conversations at the store's unread cap would overflow it.
        now = (min(self._total, 2**31 - 1), len(self._counts))
        if now != self._emitted:
            self._emitted = now
            self.changed.emit(*now)

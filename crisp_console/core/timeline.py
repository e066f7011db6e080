"""One conversation's messages, ordered by ``Message.sort_key()``, with paired notifications.

Sent messages are ordered by timestamp; unsent local echoes follow them, so a message that
arrives while a reply is pending lands above the reply, as in any chat. Messages sharing a
timestamp keep the order the server gave them: a live one goes after its equals, a REST page
(older history) before them, and a page keeps its own order. Keys are not unique, so a row
is found by bisection and then identity among its equals (runs are short).
Notifications carry ``collection="messages"`` and ``key=session_id``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crisp_console.core.changes import MESSAGES, Change, ChangeKind
from crisp_console.core.models import Message
from crisp_console.core.ordering import move_dest, moved_index
from crisp_console.core.rows import runs

Emit = Callable[[Change], None]
_KEY_FIELDS = frozenset(("timestamp", "status", "fingerprint"))
_sort_key = Message.sort_key


class Timeline:
    __slots__ = ("by_fp", "messages", "session_id")

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.messages: list[Message] = []
        self.by_fp: dict[int, Message] = {}

    def __len__(self) -> int:
        return len(self.messages)

    def row_of(self, msg: Message) -> int:
        """The row of a message of this timeline (a bisection on its current key)."""
        msgs = self.messages
        row = bisect_left(msgs, msg.sort_key(), key=_sort_key)
        while msgs[row] is not msg:
            row += 1
        return row

    def is_latest_sent(self, msg: Message) -> bool:
        """Whether no sent message comes after ``msg`` (what the list preview shows)."""
        msgs = self.messages
        row = self.row_of(msg) + 1
        return row == len(msgs) or msgs[row].is_pending

    def _change(self, kind: ChangeKind, first: int, last: int, dest: int = -1,
                fields: frozenset[str] = frozenset()) -> Change:
        return Change(kind, MESSAGES, self.session_id, first, last, dest, fields)

    # ---- structure -------------------------------------------------------------------------

    def insert(self, msg: Message, emit: Emit) -> int:
        msgs = self.messages
        key = msg.sort_key()
        row = len(msgs)
        if msgs and key < msgs[-1].sort_key():
            row = bisect_right(msgs, key, key=_sort_key)  # after its equals: it came later
        emit(self._change(ChangeKind.INSERTING, row, row))
        msgs.insert(row, msg)
        self.by_fp[msg.fingerprint] = msg
        emit(self._change(ChangeKind.INSERTED, row, row))
        return row

    def insert_page(self, page: list[Message], emit: Emit) -> int:
        """Insert the new messages of a REST page (``page``: the server's order, with the
        timeline's own objects for the messages it has), one pair per gap they fill: a page
        of older history is one range. Returns how many were inserted.

        A new message goes after its predecessor in the page when both share a timestamp
        (the server's order), else before the timeline's equals (older history).
        """
        msgs, by_fp = self.messages, self.by_fp
        gaps: dict[int, list[Message]] = {}
        prev: Message | None = None
        prev_gap = -1  # the gap of ``prev`` if it is new, else -1
        for m in page:
            if by_fp.get(m.fingerprint) is m:
                prev, prev_gap = m, -1
                continue
            key = m.sort_key()
            if prev is not None and prev.sort_key() == key:
                gap = prev_gap if prev_gap >= 0 else self.row_of(prev) + 1
            else:
                gap = bisect_left(msgs, key, key=_sort_key)
            gaps.setdefault(gap, []).append(m)
            prev, prev_gap = m, gap
        offset = 0
        for gap in sorted(gaps):
            chunk = sorted(gaps[gap], key=_sort_key)  # stable: page order among equals
            first, last = gap + offset, gap + offset + len(chunk) - 1
            emit(self._change(ChangeKind.INSERTING, first, last))
            msgs[first:first] = chunk
            for m in chunk:
                by_fp[m.fingerprint] = m
            emit(self._change(ChangeKind.INSERTED, first, last))
            offset += len(chunk)
        return offset

    def remove(self, msg: Message, emit: Emit) -> None:
        row = self.row_of(msg)
        emit(self._change(ChangeKind.REMOVING, row, row))
        del self.messages[row]
        del self.by_fp[msg.fingerprint]
        emit(self._change(ChangeKind.REMOVED, row, row))

    # ---- content ---------------------------------------------------------------------------

    def update(self, msg: Message, partial: Mapping[str, Any], emit: Emit) -> frozenset[str]:
        """Apply ``partial`` to one message; MOVING/MOVED if its place changes, then CHANGED."""
        src = self.row_of(msg)  # before the update: the key may change
        changed = msg.apply_update(partial)
        if not changed:
            return changed
        row = src
        if changed & _KEY_FIELDS:
            dest = move_dest(self.messages, src, msg.sort_key(), key=_sort_key)
            if dest is not None:
                emit(self._change(ChangeKind.MOVING, src, src, dest))
                row = moved_index(src, dest)
                self.messages.insert(row, self.messages.pop(src))
                emit(self._change(ChangeKind.MOVED, src, src, dest))
        emit(self._change(ChangeKind.CHANGED, row, row, fields=changed))
        return changed

    def update_many(self, updates: Iterable[tuple[Message, Mapping[str, Any]]],
                    emit: Emit) -> bool:
        """Apply updates that leave every key alone (acknowledgements): one CHANGED per run
        of consecutive changed rows, with the union of the fields. True if any changed."""
        changed_rows: dict[int, frozenset[str]] = {}
        for msg, partial in updates:
            fields = msg.apply_update(partial)
            if fields:
                changed_rows[self.row_of(msg)] = fields
        for first, last in runs(changed_rows):
            fields = frozenset().union(*(changed_rows[r] for r in range(first, last + 1)))
            emit(self._change(ChangeKind.CHANGED, first, last, fields=fields))
        return bool(changed_rows)

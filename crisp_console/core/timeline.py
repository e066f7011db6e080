"""One conversation's messages, ordered by ``Message.sort_key()``, with paired notifications.

Sent messages are ordered by timestamp; unsent local echoes follow them, so a message that
arrives while a reply is pending lands above the reply, as in any chat. Messages sharing a
timestamp keep the order the server gave them: a live one goes after its equals, a REST page
(older history) before them, and a page keeps its own order. Keys are not unique, so a row
is found by bisection and then identity among its equals (runs are short).
Notifications carry ``collection="messages"``, ``key=session_id`` and the fingerprints of
their rows.

A timeline also keeps its own history bookkeeping, so that it goes wherever the messages go
(a removed conversation drops all of it, and comes back with none of it):
- ``loaded``: the newest page was read from REST (opening the conversation loads it once,
  unless it is loaded already);
- ``cursor``: the oldest timestamp a REST page gave, where the next older page starts (not
  the oldest message held: live messages may hold part of a run of equal timestamps that a
  page must not skip); None until a page gave one;
- ``at_start``: an older page came back empty, the conversation's first message is here.
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
    """Attributes (read them; the Store's methods change them):
        session_id, messages (in order), by_fp (by fingerprint), and the bookkeeping above.
    """

    __slots__ = ("_emit", "at_start", "by_fp", "cursor", "loaded", "messages", "session_id")

    def __init__(self, session_id: str, emit: Emit) -> None:
        self.session_id = session_id
        self._emit = emit
        self.messages: list[Message] = []
        self.by_fp: dict[int, Message] = {}
        self.loaded = False
        self.cursor: int | None = None
        self.at_start = False

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

    def note_page(self, stamps: Iterable[int], *, older: bool) -> None:
        """A REST page was read: the newest (``older=False``) or the one before ``cursor``
        (without a cursor, the page before now: the newest too, so either loads the
        timeline). ``stamps``: the page's timestamps; none in an older page is the start."""
        self.loaded = True
        oldest = min(stamps, default=None)
        if oldest is not None:
            self.cursor = oldest if self.cursor is None else min(self.cursor, oldest)
        elif older:
            self.at_start = True

    def restore(self, messages: Iterable[Message], *, loaded: bool, cursor: int | None,
                at_start: bool) -> None:
        """Fill an empty timeline, silently (Store.restore announces one RESET): messages of
        this conversation only, the first of a fingerprint winning, sorted stably."""
        by_fp = self.by_fp
        for msg in messages:
            if msg.session_id == self.session_id and msg.fingerprint not in by_fp:
                by_fp[msg.fingerprint] = msg
        self.messages = sorted(by_fp.values(), key=_sort_key)
        self.loaded, self.cursor, self.at_start = loaded, cursor, at_start

    def _change(self, kind: ChangeKind, first: int, last: int, fps: tuple[int, ...],
                dest: int = -1, fields: frozenset[str] = frozenset()) -> Change:
        return Change(kind, MESSAGES, self.session_id, first, last, dest, fields,
                      fingerprints=fps)

    # ---- structure -------------------------------------------------------------------------

    def insert(self, msg: Message) -> int:
        msgs, emit = self.messages, self._emit
        key = msg.sort_key()
        row = len(msgs)
        if msgs and key < msgs[-1].sort_key():
            row = bisect_right(msgs, key, key=_sort_key)  # after its equals: it came later
        fps = (msg.fingerprint,)
        emit(self._change(ChangeKind.INSERTING, row, row, fps))
        msgs.insert(row, msg)
        self.by_fp[msg.fingerprint] = msg
        emit(self._change(ChangeKind.INSERTED, row, row, fps))
        return row

    def insert_page(self, page: list[Message]) -> int:
        """Insert the new messages of a REST page (``page``: the server's order, with the
        timeline's own objects for the messages it has), one pair per gap they fill: a page
        of older history is one range. Returns how many were inserted.

        A new message goes after its predecessor in the page when both share a timestamp
        (the server's order), else before the timeline's equals (older history).
        """
        msgs, by_fp, emit = self.messages, self.by_fp, self._emit
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
            fps = tuple(m.fingerprint for m in chunk)
            emit(self._change(ChangeKind.INSERTING, first, last, fps))
            msgs[first:first] = chunk
            for m in chunk:
                by_fp[m.fingerprint] = m
            emit(self._change(ChangeKind.INSERTED, first, last, fps))
            offset += len(chunk)
        return offset

    def remove(self, msg: Message) -> None:
        row, fps = self.row_of(msg), (msg.fingerprint,)
        self._emit(self._change(ChangeKind.REMOVING, row, row, fps))
        del self.messages[row]
        del self.by_fp[msg.fingerprint]
        self._emit(self._change(ChangeKind.REMOVED, row, row, fps))

    # ---- content ---------------------------------------------------------------------------

    def update(self, msg: Message, partial: Mapping[str, Any]) -> frozenset[str]:
        """Apply ``partial`` to one message; MOVING/MOVED if its place changes, then CHANGED."""
        src = self.row_of(msg)  # before the update: the key may change
        changed = msg.apply_update(partial)
        if not changed:
            return changed
        row, fps, emit = src, (msg.fingerprint,), self._emit
        if changed & _KEY_FIELDS:
            dest = move_dest(self.messages, src, msg.sort_key(), key=_sort_key)
            if dest is not None:
                emit(self._change(ChangeKind.MOVING, src, src, fps, dest))
                row = moved_index(src, dest)
                self.messages.insert(row, self.messages.pop(src))
                emit(self._change(ChangeKind.MOVED, src, src, fps, dest))
        emit(self._change(ChangeKind.CHANGED, row, row, fps, fields=changed))
        return changed

    def update_many(self, updates: Iterable[tuple[Message, Mapping[str, Any]]]) -> bool:
        """Apply updates that leave every key alone (acknowledgements): one CHANGED per run
        of consecutive changed rows, with the union of the fields. True if any changed."""
        changed_rows: dict[int, frozenset[str]] = {}
        for msg, partial in updates:
            fields = msg.apply_update(partial)
            if fields:
                changed_rows[self.row_of(msg)] = fields
        msgs = self.messages
        for first, last in runs(changed_rows):
            fields = frozenset().union(*(changed_rows[r] for r in range(first, last + 1)))
            fps = tuple(m.fingerprint for m in msgs[first:last + 1])
            self._emit(self._change(ChangeKind.CHANGED, first, last, fps, fields=fields))
        return bool(changed_rows)

"""The conversation list part of the store: conversations by id, kept sorted by ``ordering``.

The rows are a SortedRows (sortedrows.py): a row is found in O(log n), a move costs two small
blocks. Every Change names the session_ids of its rows.

A REST page read again is mostly rows exactly as the last read left them (the backfill reads
every view of the inbox, and the views overlap). Parsing and checking a conversation costs
about 40 us; so each row keeps the digest of the payload that last set it (``Digests``), for
as long as nothing else changed it, and an item with the same digest is skipped: applying
it again would change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crisp_console.core.changes import CONVERSATIONS, Change, ChangeKind
from crisp_console.core.digests import Digests
from crisp_console.core.intake import Intake
from crisp_console.core.models import Conversation
from crisp_console.core.optimistic import ASSIGNED, BLOCKED, STATE
from crisp_console.core.ordering import KEY_FIELDS, KEY_FUNCTIONS, Ordering
from crisp_console.core.results import ApplyResult, result
from crisp_console.core.sharing import Sharer
from crisp_console.core.sortedrows import SortedRows

Emit = Callable[[Change], None]
Held = Callable[[str, str, Any], bool]
OPTIMISTIC_FIELDS = frozenset({STATE, ASSIGNED, BLOCKED})
Forget = Callable[[list[str]], None]


class ConversationRows:
    """Attributes (read them, never mutate them):
        by_id: the conversations by session_id.
        ordering: the current order of the list.
        provisional: the conversations built from a live message alone (``add_provisional``),
            until Crisp's own copy replaces them (an upsert) or they are removed.
    """

    def __init__(self, intake: Intake, emit: Emit, ordering: Ordering = Ordering.ACTIVITY,
                 block_size: int = 1000, *, held: Held | None = None) -> None:
        """``held(field, session_id, value)``: whether a REST value of ``field`` may predate
        an optimistic change still waiting for Crisp (optimistic.py ``holds``)."""
        self._held = held
        self._intake = intake
        self._emit = emit
        self.by_id: dict[str, Conversation] = {}
        self.ordering = ordering
        self._key = KEY_FUNCTIONS[ordering]
        self._rows = SortedRows(emit, CONVERSATIONS, block_size)
        self._sharer = Sharer()
        self._unshared: list[Conversation] = []  # restored, meta not shared yet
        self.provisional: set[str] = set()
        self.digests = Digests()  # rows exactly as a REST payload left them (digests.py)

    # ---- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def ids(self) -> list[str]:
        """The list in its current order (a copy)."""
        return self._rows.all_ids()

    def at(self, row: int) -> Conversation:
        return self.by_id[self._rows.id_at(row)]

    def row_of(self, session_id: str) -> int:
        """The conversation's row, -1 if absent: two bisections plus its block's first row
        (O(log n); sortedrows.py)."""
        return self._rows.row_of(session_id) if isinstance(session_id, str) else -1

    def get(self, session_id: Any) -> Conversation | None:
        """The conversation, None for an unknown id or an id of the wrong type."""
        return self.by_id.get(session_id) if isinstance(session_id, str) else None

    # ---- changes ---------------------------------------------------------------------------

    def set_ordering(self, ordering: Ordering) -> None:
        """Re-sort the list under ``ordering``; emits RESET (if it changed)."""
        if ordering is self.ordering:
            return
        self.ordering = ordering
        self._key = key = KEY_FUNCTIONS[ordering]
        self._rows.replace([(key(c), sid) for sid, c in self.by_id.items()])
        self._emit(Change(ChangeKind.RESET, CONVERSATIONS))

    def upsert(self, payloads: Any) -> ApplyResult:
        """Load REST conversations: new ones are inserted in runs (one INSERTING/INSERTED
        pair per run of adjacent rows), known ones updated (MOVED if needed, CHANGED); an
        item identical to the one that last set its row, untouched since, is skipped."""
        sharer = self._sharer
        fresh, digest_of = self.digests.unseen(payloads)
        seen: dict[str, bytes | None] = {}  # the digest of the item each row was parsed from

        def parse(item: Any) -> Conversation:
            conv = Conversation.from_payload(item, sharer)
            seen[conv.session_id] = digest_of.get(id(item))
            return conv

        convs = self._intake.parse_list("rest:conversation", parse, fresh)
        if convs is None:
            return ApplyResult.MALFORMED
        parsed = {conv.session_id: conv for conv in convs}
        bad = len(fresh) - len(convs)
        changed = False
        new: list[Conversation] = []
        for sid, conv in parsed.items():
            if sid in self.by_id:
                self.provisional.discard(sid)  # Crisp's own copy now
                values = conv.field_values()
                kept = self._fresh(sid, values)
                changed |= bool(self.update(sid, kept))
                # A held field left out: the row is not as the payload says.
                self.digests.keep(sid, seen[sid] if len(kept) == len(values) else None)
            else:
                new.append(conv)
                self.digests.keep(sid, seen[sid])
        if new:
            by_id = {c.session_id: c for c in new}

            def add(ids: list[str]) -> None:
                for sid in ids:
                    self.by_id[sid] = by_id[sid]

            key = self._key
            self._rows.insert_many([(key(c), c.session_id) for c in new], add)
        if bad and not parsed and len(fresh) == len(payloads):
            return ApplyResult.MALFORMED
        return result(changed or bool(new))

    def add_provisional(self, conv: Conversation) -> None:
        """Insert a conversation Crisp has not described yet (INSERTING/INSERTED), marked
        provisional until an upsert replaces its values."""
        sid = conv.session_id

        def add(_ids: list[str]) -> None:
            self.by_id[sid] = conv
            self.provisional.add(sid)

        self._rows.insert_many([(self._key(conv), sid)], add)

    def _fresh(self, session_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """A REST row's values without the ones an optimistic change outranks: a page read
        before a resolve (or an assignment, a block) reached Crisp must not undo it on
        screen; the change's echo, or its hold's end, settles it."""
        held = self._held
        if held is None:
            return values
        return {field: value for field, value in values.items()
                if field not in OPTIMISTIC_FIELDS or not held(field, session_id, value)}

    def update(self, session_id: str, partial: Mapping[str, Any]) -> frozenset[str]:
        """Set fields of a conversation (field names of ``Conversation``): MOVING/MOVED if its
        sort key changes, then CHANGED with the fields. Returns the changed fields."""
        conv = self.by_id.get(session_id) if isinstance(session_id, str) else None
        if conv is None:
            return frozenset()
        changed = self._intake.checked_update("update:conversation", conv, partial)
        if changed:
            self.digests.drop(session_id)  # no longer as its last payload left it
            if changed & KEY_FIELDS[self.ordering]:
                row = self._rows.rekey(session_id, self._key(conv))
            else:
                row = self._rows.row_of(session_id)
            self._emit(Change(ChangeKind.CHANGED, CONVERSATIONS, first=row, last=row,
                              fields=changed, ids=(session_id,)))
        return changed

    def remove(self, session_ids: Iterable[Any], forget: Forget) -> bool:
        """REMOVING/REMOVED per run of rows; ``forget`` gets each run's ids inside its pair
        (the store drops their timelines there). True if any was removed."""
        present = [sid for sid in session_ids if isinstance(sid, str) and sid in self.by_id]

        def drop(ids: list[str]) -> None:
            for sid in ids:
                del self.by_id[sid]
                self.provisional.discard(sid)
                self.digests.drop(sid)
            forget(ids)

        self._rows.remove_many(present, drop)
        return bool(present)

    def restore(self, convs: list[Conversation]) -> None:
        """Replace every conversation with saved ones, silently (the store announces the
        RESET); the first of a session_id wins. Their heavy meta values are shared as a
        REST load shares them (sharing.py), later: ``share_restored`` (the first frame does
        not wait for ~2k rows of JSON keys)."""
        self.by_id.clear()
        self.provisional.clear()
        self.digests.clear()
        for conv in convs:
            if conv.session_id not in self.by_id:
                self.by_id[conv.session_id] = conv
        self._unshared = list(self.by_id.values())
        key = self._key
        self._rows.replace([(key(c), sid) for sid, c in self.by_id.items()])

    def share_restored(self, limit: int) -> bool:
        """Share the meta of up to ``limit`` restored conversations still unshared; whether
        some remain. A row replaced since (an update) was shared by its own load."""
        batch, self._unshared = self._unshared[:limit], self._unshared[limit:]
        for conv in batch:
            if self.by_id.get(conv.session_id) is conv:
                self._sharer.meta(conv.meta)
        return bool(self._unshared)

    def clear(self) -> None:
        """Forget every conversation, silently (the store announces the RESET)."""
        self.by_id.clear()
        self.provisional.clear()
        self.digests.clear()
        self._unshared = []
        self._rows.replace([])

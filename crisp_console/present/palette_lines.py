"""The folded lines the command palette searches, kept current from store Changes.

Qt-free. Each conversation's line (and its head with its signature, haystack.head_of) is
folded once and kept per session id; a Change refolds only the conversations it touches.
The palette's idle work folds them, then lays the lines out, a part at a time, so that
opening it over 100k conversations finds the index ready. The layout is a snapshot in the
list's order. What changed since (new, edited, moved or removed conversations) is searched
from a small second Haystack of the current lines, each row put at its place in the list
now, while the snapshot's stale lines for those conversations are skipped: a search sees
the store as it is, keystroke after keystroke, while the palette is open, and the snapshot
(with the searches it remembers) stays valid. The lines are laid out anew while idle once
``IDLE_RELAYOUT`` conversations changed, and at once (on a search) past ``RELAYOUT``.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Set
from dataclasses import dataclass, field

from crisp_console.core import CONVERSATIONS, PEOPLE, Change, ChangeKind, Conversation, Store
from crisp_console.core.models import Person
from crisp_console.present.fuzzy import TAIL, fold_line
from crisp_console.present.haystack import Builder, Haystack, head_of

log = logging.getLogger(__name__)

EXCERPT = 120  # characters of the last message searched and shown
RELAYOUT = 2000  # conversations changed since the snapshot: lay the lines out now
IDLE_RELAYOUT = 300  # ... or while idle
# Conversation fields folded into its line: a change to any other field leaves it as is.
_LINE_FIELDS = frozenset(("nickname", "email", "last_message", "meta"))
_NOTHING: frozenset[str] = frozenset()


def conversation_line(conv: Conversation) -> str:
    phone = conv.meta.get("phone")
    head = (conv.nickname, conv.email, phone if isinstance(phone, str) else "")
    return "\t".join(map(fold_line, head)) + TAIL + fold_line(conv.last_message[:EXCERPT])


def person_line(person: Person) -> str:
    return (f"{fold_line(person.nickname)}\t{fold_line(person.email)}"
            f"{TAIL}{fold_line(' '.join(person.segments))}")


@dataclass(frozen=True, slots=True)
class Section:
    """Lines searched together: row ``n`` of ``haystack`` is the object ``ids[n]``, unless
    that id is in ``skip`` (its line there is stale). ``position``: where a row is in the
    list now, when the list interleaves several sections (None: only this one)."""

    haystack: Haystack
    ids: list[str]
    skip: Set[str] = _NOTHING
    position: Callable[[int], int] | None = None


class ConversationLines:
    """The folded line of every conversation: a Change marks the conversations it touches
    dirty; ``prepare`` is the idle work (fold them, lay the lines out anew when the snapshot
    is missing or ``IDLE_RELAYOUT`` changed since), a part at a time, so that a search finds
    little to do; ``sections`` gives what to search.

    ``on_dirty`` is called when idle work appears (a conversation turns dirty, or enough
    changed to lay out anew), so the Qt side can schedule it."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lines: dict[str, str] = {}
        self._heads: dict[str, str] = {}  # haystack.head_of the line
        self._dirty: set[str] = set(store.conversations)
        self.ids: list[str] = []  # the snapshot: its order, and its lines
        self.haystack = Haystack()
        self._laid_out = False  # False: the snapshot is no use (none yet, or a RESET since)
        self._since: set[str] = set()  # conversations changed since the snapshot
        self._rows: dict[str, int] = {}  # the snapshot's row of each conversation
        self._live: list[Section] | None = None  # what to search (None: to be built)
        self._job: _Layout | None = None  # a layout under way
        self.on_dirty: Callable[[], None] | None = None
        self._unsubscribe = store.subscribe(self._on_change)

    def detach(self) -> None:
        self._unsubscribe()

    def dirty(self) -> int:
        """How many conversations wait to be folded."""
        return len(self._dirty)

    def changed(self) -> int:
        """How many conversations changed since the snapshot."""
        return len(self._since)

    def idle_work(self) -> bool:
        """Whether ``prepare`` has something to do."""
        return bool(self._dirty) or not self._laid_out or len(self._since) > IDLE_RELAYOUT

    def _on_change(self, change: Change) -> None:
        if change.collection != CONVERSATIONS:
            return
        kind = change.kind
        had_work = self.idle_work()
        if kind is ChangeKind.RESET:
            self._lines, self._heads = {}, {}
            self._dirty = set(self._store.conversations)
            self._laid_out = False
            self._job = None
        elif kind is ChangeKind.INSERTED or (kind is ChangeKind.CHANGED
                                            and change.fields & _LINE_FIELDS):
            self._dirty.update(change.ids)
        elif kind is ChangeKind.REMOVING:
            for sid in change.ids:
                self._lines.pop(sid, None)
                self._heads.pop(sid, None)
                self._dirty.discard(sid)
        elif kind is not ChangeKind.MOVED:
            return
        self._since.update(change.ids)
        if self._job is not None:
            self._job.since.update(change.ids)
        self._live = None
        if not had_work and self.idle_work() and self.on_dirty is not None:
            self.on_dirty()

    def fold_dirty(self, limit: int) -> int:
        """Fold up to ``limit`` dirty conversations; returns how many are left."""
        convs, lines, heads, dirty = (self._store.conversations, self._lines, self._heads,
                                      self._dirty)
        for _ in range(min(limit, len(dirty))):
            sid = dirty.pop()
            conv = convs.get(sid)
            if conv is not None:
                line = lines[sid] = conversation_line(conv)
                heads[sid] = head_of(line)
        return len(dirty)

    def prepare(self, limit: int) -> bool:
        """Idle work for ``limit`` conversations: fold, else lay out; True if more is left.
        The conversations that change during a layout are searched from their current
        lines once it is in place, like any change since the snapshot."""
        if self._dirty:
            self.fold_dirty(limit)
        elif self.idle_work():
            self._lay_out(limit)
        return self.idle_work()

    def refresh(self) -> None:
        """Bring what ``sections`` gives up to date: lay the lines out now when there is no
        snapshot or too much changed since, else fold what the changes touched."""
        while not self._laid_out or len(self._since) > RELAYOUT:
            self.fold_dirty(len(self._dirty))
            self._lay_out(len(self._store.conversations) + 1)
        if self._live is None:
            self._live = self._changed_section()

    def _lay_out(self, limit: int) -> None:
        """Lay out the next ``limit`` lines of a layout (begun if none is under way); put
        the snapshot in place after the last."""
        if self._job is None:
            self._job = _Layout(self._store.conversation_ids())
        job = self._job
        part = job.ids[job.at:job.at + limit]
        job.rows.update(zip(part, range(job.at, job.at + len(part)), strict=True))
        job.at += len(part)
        lines = [self._lines.get(sid, "") for sid in part]  # a line is never empty...
        if "" in lines:  # ...but removed since the layout began, or a Change we did not see
            convs = self._store.conversations
            unseen = [sid for sid in part if sid not in self._lines and sid in convs]
            if unseen:
                log.warning("palette index out of step with the store; refolded")
                self._dirty.update(unseen)
                self.fold_dirty(len(self._dirty))
                lines = [self._lines.get(sid, "") for sid in part]
        empty = head_of("")
        job.builder.add(lines, [self._heads.get(sid, empty) for sid in part])
        if job.at < len(job.ids):
            return
        self.ids, self.haystack, self._since = job.ids, job.builder.build(), job.since
        self._rows = job.rows
        self._laid_out, self._live, self._job = True, None, None

    def sections(self) -> list[Section]:
        """What to search: the changed conversations, and the snapshot without them, each
        row with its place in the list now (the list is the snapshot's rows that did not
        change, in their order, with the changed ones in between)."""
        self.refresh()
        assert self._live is not None
        return self._live

    def _changed_section(self) -> list[Section]:
        store = self._store
        if not self._since:
            return [Section(self.haystack, self.ids)]
        self.fold_dirty(len(self._dirty))
        rows = sorted((row, sid) for sid in self._since if (row := store.row_of(sid)) >= 0)
        ids = [sid for _row, sid in rows]
        try:
            lines = list(map(self._lines.__getitem__, ids))
        except KeyError:  # a Change we did not see (a bug): fold them again
            log.warning("palette index out of step with the store; refolded")
            self._dirty.update(ids)
            self.fold_dirty(len(self._dirty))
            lines = list(map(self._lines.__getitem__, ids))
        now = [row for row, _sid in rows]
        # A row that did not change is the k-th such in the snapshot (k: its row there less
        # the changed ones above it), and the changed ones above it now are those whose
        # row now, less how many come before them, is at most k.
        shifts = [row - n for n, row in enumerate(now)]
        gone = sorted(self._rows[sid] for sid in self._since if sid in self._rows)

        def position(row: int) -> int:
            k = row - bisect_left(gone, row)
            return k + bisect_right(shifts, k)

        changed = Haystack(lines, list(map(self._heads.__getitem__, ids)))
        return [Section(changed, ids, position=now.__getitem__),
                Section(self.haystack, self.ids, self._since, position)]


@dataclass(slots=True)
class _Layout:
    """A layout under way: the list's order when it began, how far it got, and what
    changed since it began."""

    ids: list[str]
    at: int = 0
    builder: Builder = field(default_factory=Builder)
    rows: dict[str, int] = field(default_factory=dict)
    since: set[str] = field(default_factory=set)


class PeopleLines:
    """People are few (thousands): any Change of them refolds them all on the next refresh."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._stale = True
        self.ids: list[str] = []
        self.haystack = Haystack()
        self._unsubscribe = store.subscribe(self._on_change)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_change(self, change: Change) -> None:
        if change.collection == PEOPLE:
            self._stale = True

    def refresh(self) -> None:
        if not self._stale:
            return
        people = self._store.people
        self.ids = self._store.people_ids()
        self.haystack = Haystack([person_line(people[pid]) for pid in self.ids])
        self._stale = False

    def sections(self) -> list[Section]:
        return [Section(self.haystack, self.ids)]

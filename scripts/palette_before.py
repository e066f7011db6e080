"""Today's palette search (main before issue 14), frozen for bench_palette.py's side-by-side
figures: the index that lays every line out again on each open and scores every candidate,
over palette_before_fuzzy.py's prefilter and scorer. Not used by the app. Folding, the row
builders and the prefixes have not changed: they are imported from the app.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter

from palette_before_fuzzy import Haystack, match_positions, score_terms

from crisp_console.core import (
    CONVERSATIONS,
    PEOPLE,
    Change,
    ChangeKind,
    Conversation,
    Ordering,
    Store,
)
from crisp_console.present.fuzzy import terms_of
from crisp_console.present.palette_lines import conversation_line, person_line
from crisp_console.present.palette_sources import (
    CAP,
    COMMAND_LIMIT,
    ENOUGH,
    LIMIT,
    PEOPLE_LIMIT,
    RECENT,
    SCATTERED,
    CommandSource,
    Mode,
    PaletteItem,
    Result,
    conversation_item,
    item_line,
    parse,
    person_item,
)

log = logging.getLogger(__name__)
_LINE_FIELDS = frozenset(("nickname", "email", "last_message", "meta"))
_KIND_ORDER = {"conversation": 0, "person": 1, "command": 2, "choice": 3, "text": 4}


def rank(items: Iterable[PaletteItem], query: str, limit: int = LIMIT) -> list[Result]:
    terms = terms_of(query)
    if not terms:
        return [Result(item) for item in list(items)[:limit]]
    scored: list[tuple[int, int, PaletteItem]] = []
    for n, item in enumerate(items):
        value = score_terms(terms, item_line(item))
        if value is not None:
            scored.append((-value, n, item))
    best = heapq.nsmallest(limit, scored)
    return [_result(item, -neg, query) for neg, _n, item in best]


def _result(item: PaletteItem, value: int, query: str) -> Result:
    return Result(item, value, tuple(match_positions(query, item.title) or ()))


class ConversationLines:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lines: dict[str, str] = {}
        self._dirty: set[str] = set(store.conversations)
        self._stale = True  # the order or a line changed since the last snapshot
        self.ids: list[str] = []
        self.haystack = Haystack(())
        self.on_dirty: Callable[[], None] | None = None
        self._unsubscribe = store.subscribe(self._on_change)

    def detach(self) -> None:
        self._unsubscribe()

    def dirty(self) -> int:
        return len(self._dirty)

    def _on_change(self, change: Change) -> None:
        if change.collection != CONVERSATIONS:
            return
        kind, store = change.kind, self._store
        was_clean = not self._dirty
        if kind is ChangeKind.RESET:
            self._lines = {}
            self._dirty = set(store.conversations)
        elif kind is ChangeKind.INSERTED:
            self._dirty.update(store.conversation_at(r).session_id
                               for r in range(change.first, change.last + 1))
        elif kind is ChangeKind.CHANGED:
            if not change.fields & _LINE_FIELDS:
                return  # a change of the order comes as MOVING/MOVED
            if 0 <= change.first < store.conversation_count():
                self._dirty.add(store.conversation_at(change.first).session_id)
        elif kind is ChangeKind.REMOVING:
            for r in range(change.first, change.last + 1):
                sid = store.conversation_at(r).session_id
                self._lines.pop(sid, None)
                self._dirty.discard(sid)
        elif kind not in (ChangeKind.MOVED, ChangeKind.REMOVED):
            return
        self._stale = True
        if was_clean and self._dirty and self.on_dirty is not None:
            self.on_dirty()

    def prepare(self, limit: int) -> bool:
        """What the palette's idle warm-up called then: fold_dirty (for --widget)."""
        return self.fold_dirty(limit) > 0

    def fold_dirty(self, limit: int) -> int:
        convs, lines, dirty = self._store.conversations, self._lines, self._dirty
        for _ in range(min(limit, len(dirty))):
            sid = dirty.pop()
            conv = convs.get(sid)
            if conv is not None:
                lines[sid] = conversation_line(conv)
        return len(dirty)

    def refresh(self) -> None:
        if not self._stale and not self._dirty:
            return
        self.fold_dirty(len(self._dirty))
        self.ids = self._store.conversation_ids()
        try:
            lines = list(map(self._lines.__getitem__, self.ids))
        except KeyError:  # a Change we did not see (a bug): fold everything again
            log.warning("palette index out of step with the store; rebuilt")
            self._lines = {sid: conversation_line(c)
                           for sid, c in self._store.conversations.items()}
            lines = list(map(self._lines.__getitem__, self.ids))
        self.haystack = Haystack(lines)
        self._stale = False


class PeopleLines:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._stale = True
        self.ids: list[str] = []
        self.haystack = Haystack(())
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


class PaletteIndex:
    def __init__(self, store: Store, commands: CommandSource,
                 shortcut_text: Callable[[str], str] = lambda _cid: "",
                 *, cap: int = CAP) -> None:
        self.store = store
        self.commands = commands
        self.shortcut_text = shortcut_text
        self.cap = cap
        self.conversations = ConversationLines(store)
        self.people = PeopleLines(store)
        self._command_items: list[PaletteItem] = []

    def detach(self) -> None:
        self.conversations.detach()
        self.people.detach()

    def refresh(self) -> None:
        self.conversations.refresh()
        self.people.refresh()
        self._command_items = [
            PaletteItem("command", c.id, c.title, c.category, self.shortcut_text(c.id),
                        self.commands.available(c.id))
            for c in self.commands.all()
            if c.listed_in_palette and c.id != "app.palette"  # it is the palette itself
        ]

    def command_items(self) -> list[PaletteItem]:
        return list(self._command_items)

    def search(self, text: str, limit: int = LIMIT) -> list[Result]:
        mode, query = parse(text)
        if mode is Mode.COMMANDS:
            return rank(self._command_items, query, limit)
        if mode is Mode.PEOPLE:
            return self._people(query, limit) if query.strip() else self._recent_people(limit)
        if not query.strip():
            recent = self._recent_conversations(min(RECENT, limit))
            return recent + rank(self._command_items, "", limit - len(recent))
        merged = (self._conversations(query, limit) + self._people(query, PEOPLE_LIMIT)
                  + rank(self._command_items, query, COMMAND_LIMIT))
        merged.sort(key=lambda r: (-r.score, _KIND_ORDER.get(r.item.kind, 9)))  # stable
        return merged[:limit]

    def _conversations(self, query: str, limit: int) -> list[Result]:
        convs = self.store.conversations
        best = self._best(self.conversations.haystack, self.conversations.ids, query, limit,
                          lambda sid: c.updated_at if (c := convs.get(sid)) else None)
        return [_result(conversation_item(convs[sid]), value, query) for value, sid in best]

    def _people(self, query: str, limit: int) -> list[Result]:
        people = self.store.people
        best = self._best(self.people.haystack, self.people.ids, query, limit,
                          lambda pid: p.active_last if (p := people.get(pid)) else None)
        return [_result(person_item(people[pid]), value, query) for value, pid in best]

    def _best(self, hay: Haystack, ids: Sequence[str], query: str, limit: int,
              recency: Callable[[str], int | None]) -> list[tuple[int, str]]:
        terms = terms_of(query)
        scored: list[tuple[int, int, str]] = []
        for row in hay.candidates(terms, self.cap, enough=ENOUGH, scattered=SCATTERED):
            value = score_terms(terms, hay.lines[row])
            at = recency(ids[row])
            if value is not None and at is not None:
                scored.append((value, at, ids[row]))
        return [(value, key) for value, _at, key in heapq.nlargest(limit, scored)]

    def _recent_conversations(self, limit: int) -> list[Result]:
        store = self.store
        pool: Iterable[Conversation] = store.conversations.values()
        if store.ordering is Ordering.ACTIVITY:
            lo, hi = 0, store.conversation_count()
            while lo < hi:
                mid = (lo + hi) // 2
                if store.conversation_at(mid).state == "pending":
                    lo = mid + 1
                else:
                    hi = mid
            rows = [*range(min(limit, lo)),
                    *range(lo, min(store.conversation_count(), lo + limit))]
            pool = [store.conversation_at(r) for r in rows]
        recent = heapq.nlargest(limit, pool, key=attrgetter("updated_at"))
        return [Result(conversation_item(c)) for c in recent]

    def _recent_people(self, limit: int) -> list[Result]:
        recent = heapq.nlargest(limit, self.store.people.values(),
                                key=lambda p: (p.active_last, p.updated_at, p.people_id))
        return [Result(person_item(p)) for p in recent]

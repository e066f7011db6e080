"""What the command palette searches: conversations, people and commands, ranked.

Qt-free. The folded line of each conversation is kept per session id and refolded only for
the conversations a store Change touched (the palette does that while idle), so opening the
palette over 100k conversations costs one layout of the lines, not 100k folds. The layout is
a snapshot taken when the palette opens (``refresh``); a search only reads it, and skips
conversations that have gone since.
"""

from __future__ import annotations

import enum
import heapq
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from crisp_console.core import (
    CONVERSATIONS,
    PEOPLE,
    Change,
    ChangeKind,
    Conversation,
    Ordering,
    Store,
)
from crisp_console.core.models import Person
from crisp_console.present.fuzzy import (
    TAIL,
    Haystack,
    fold_line,
    match_positions,
    score_terms,
    terms_of,
)
from crisp_console.present.plain import one_line

log = logging.getLogger(__name__)

LIMIT = 50  # rows shown
CAP = 1000  # lines scored per keystroke (after the prefilter), at most
ENOUGH = 100  # lines matching a term as is: enough, no scattered matches needed
SCATTERED = 300  # lines matching only scattered, at most
PEOPLE_LIMIT = 15  # people among the mixed results
COMMAND_LIMIT = 15  # commands among the mixed results
RECENT = 20  # conversations shown for an empty query
EXCERPT = 120  # characters of the last message searched and shown
SEARCH_QUOTED = 60  # characters of the typed text quoted in "Search messages for …"
# Conversation fields folded into its line: a change to any other field leaves it as is.
_LINE_FIELDS = frozenset(("nickname", "email", "last_message", "meta"))
_KIND_ORDER = {"conversation": 0, "person": 1, "command": 2, "choice": 3, "text": 4}


@dataclass(frozen=True)
class PaletteItem:
    """One row. ``kind``: "command" | "conversation" | "person" | "choice" (pick()),
    "text" for the free text pick() returns, and "search" (search messages for the typed
    text). ``key``: command id, session id, people id, the caller's key of a choice, or the
    text to search."""

    kind: str
    key: str
    title: str
    detail: str = ""
    shortcut: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Result:
    """A ranked row: the item, its score, and the indices of the title's matched
    characters (empty when the query matched elsewhere in the line)."""

    item: PaletteItem
    score: int = 0
    highlights: tuple[int, ...] = ()


class Mode(enum.Enum):
    MIXED = "mixed"
    COMMANDS = "commands"  # ">" prefix
    PEOPLE = "people"  # "@" prefix


def parse(text: str) -> tuple[Mode, str]:
    """The mode a prefix selects and the query after it."""
    if text.startswith(">"):
        return Mode.COMMANDS, text[1:]
    if text.startswith("@"):
        return Mode.PEOPLE, text[1:]
    return Mode.MIXED, text


class CommandSource(Protocol):
    """What the palette reads of the CommandRegistry (ui/commands.py)."""

    def all(self) -> Sequence[_CommandLike]: ...

    def available(self, command_id: str) -> bool: ...


class _CommandLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def listed_in_palette(self) -> bool: ...


# ---- rows --------------------------------------------------------------------------------


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = one_line(text, 4 * limit)
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


# Visitor-given text goes through one_line: the rows are painted as text, and bidi controls
# must not reorder the row around them.
def conversation_item(conv: Conversation) -> PaletteItem:
    email = one_line(conv.email)
    title = one_line(conv.nickname) or email or "Visitor"
    parts = [email if email != title else "", excerpt(conv.last_message), conv.state]
    return PaletteItem("conversation", conv.session_id, title,
                       " · ".join(p for p in parts if p))


def person_item(person: Person) -> PaletteItem:
    email = one_line(person.email)
    title = one_line(person.nickname) or email or person.people_id
    detail = email if email != title else ""
    if person.segments:
        detail = " · ".join(p for p in (detail, one_line(", ".join(person.segments)))
                          if p)
    return PaletteItem("person", person.people_id, title, detail)


def conversation_line(conv: Conversation) -> str:
    phone = conv.meta.get("phone")
    head = (conv.nickname, conv.email, phone if isinstance(phone, str) else "")
    return "\t".join(map(fold_line, head)) + TAIL + fold_line(conv.last_message[:EXCERPT])


def person_line(person: Person) -> str:
    return (f"{fold_line(person.nickname)}\t{fold_line(person.email)}"
            f"{TAIL}{fold_line(' '.join(person.segments))}")


def item_line(item: PaletteItem) -> str:
    return f"{fold_line(item.title)}\t{fold_line(item.detail)}"


def rank(items: Iterable[PaletteItem], query: str, limit: int = LIMIT) -> list[Result]:
    """Rank a small list (commands, pick() choices) by score; ties keep the given order.
    An empty query keeps every item in order."""
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


# ---- sources -----------------------------------------------------------------------------


class ConversationLines:
    """The folded line of every conversation, kept current from store Changes: a Change
    marks the conversations it touches dirty (O(log n) each); ``fold_dirty`` refolds some
    of them (idle work, so that opening the palette finds little to do), and ``refresh``
    refolds the rest and lays the lines out in the list's order.

    ``on_dirty`` is called when the first conversation turns dirty after a fold, so the Qt
    side can schedule the idle work."""

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
        """How many conversations wait to be folded."""
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

    def fold_dirty(self, limit: int) -> int:
        """Fold up to ``limit`` dirty conversations; returns how many are left."""
        convs, lines, dirty = self._store.conversations, self._lines, self._dirty
        for _ in range(min(limit, len(dirty))):
            sid = dirty.pop()
            conv = convs.get(sid)
            if conv is not None:
                lines[sid] = conversation_line(conv)
        return len(dirty)

    def refresh(self) -> None:
        """Bring the snapshot up to date (nothing to do when nothing changed)."""
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
    """People are few (thousands): any Change of them refolds them all on the next refresh."""

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
    """Searches for the quick switcher. ``shortcut_text(command_id)`` gives the text shown
    right-aligned on a command row (the Qt side formats it natively)."""

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
        """Take a snapshot for a palette session (on open)."""
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

    # -- kinds --

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
        """The ``limit`` best (score, id) among the prefiltered lines; ties go to the most
        recent; ids whose object left the store are skipped."""
        terms = terms_of(query)
        scored: list[tuple[int, int, str]] = []
        for row in hay.candidates(terms, self.cap, enough=ENOUGH, scattered=SCATTERED):
            value = score_terms(terms, hay.lines[row])
            at = recency(ids[row])
            if value is not None and at is not None:
                scored.append((value, at, ids[row]))
        return [(value, key) for value, _at, key in heapq.nlargest(limit, scored)]

    def _recent_conversations(self, limit: int) -> list[Result]:
        """The most recent activity first, whatever the list's ordering."""
        store = self.store
        pool: Iterable[Conversation] = store.conversations.values()
        if store.ordering is Ordering.ACTIVITY:
            # Pending rows first, each block by activity: the heads of both blocks hold
            # the most recent ones (no pass over 100k conversations on every open).
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

    def website_of(self, people_id: str) -> str:
        """The website of a person: the profile's, else that of one of their conversations."""
        person = self.store.people.get(people_id)
        if person is not None and person.website_id:
            return person.website_id
        return next((c.website_id for c in self.store.conversations.values()
                     if c.people_id == people_id), "")


def search_item(text: str, shortcut: str = "") -> PaletteItem | None:
    """"Search messages for “<text>”": the last row of the switcher, when the typed text is
    not a command (no ">" or "@" prefix). One item, no search: the search runs in the
    search pane once chosen."""
    mode, query = parse(text)
    query = " ".join(query.split())
    if mode is not Mode.MIXED or not query:
        return None
    shown = one_line(query, SEARCH_QUOTED) + ("…" if len(query) > SEARCH_QUOTED else "")
    return PaletteItem("search", query, f"Search messages for “{shown}”",
                       "Messages, notes, files, names and emails", shortcut)

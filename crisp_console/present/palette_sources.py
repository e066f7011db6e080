"""What the command palette searches: conversations, people and commands, ranked.

Qt-free. The folded lines come from palette_lines.py (kept current from store Changes), the
prefilter from haystack.py (which lines can match, strong ones first, capped), the scores
from fuzzy.py. A keystroke scores at most ``CAP`` lines per kind, however many there are.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol

from crisp_console.core import Conversation, Ordering, Store
from crisp_console.core.models import Person
from crisp_console.present.fuzzy import (
    EXACT,
    as_is,
    as_prefix,
    bound,
    fold_line,
    match_positions,
    scattered_bound,
    score_terms,
    terms_of,
)
from crisp_console.present.haystack import longest
from crisp_console.present.palette_lines import (
    EXCERPT,
    ConversationLines,
    PeopleLines,
    Section,
)
from crisp_console.present.plain import one_line
from crisp_console.present.previews import last_preview

LIMIT = 50  # rows shown
CAP = 1000  # lines scored per keystroke (after the prefilter), at most
ENOUGH = 100  # lines matching a term as is: enough, no scattered matches needed
SCATTERED = 300  # lines matching only scattered, at most
PEOPLE_LIMIT = 15  # people among the mixed results
COMMAND_LIMIT = 15  # commands among the mixed results
RECENT = 20  # conversations shown for an empty query
SEARCH_QUOTED = 60  # characters of the typed text quoted in "Search messages for …"
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
    last = excerpt(last_preview(conv.last_type, conv.last_message, 4 * EXCERPT))
    parts = [email if email != title else "", last, conv.state]
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


def _merged(parts: list[tuple[list[tuple[str, str]], list[int], Callable[[int], int] | None]],
            limit: int) -> list[tuple[str, str]]:
    """The first ``limit`` items of sections' parts in the list's order: the few changed
    rows (the first part) put in place among the others by bisection, so that few of
    those need their place worked out."""
    (changed, rows, place), (others, other_rows, other_place) = parts
    assert place is not None and other_place is not None
    out: list[tuple[str, str]] = []
    done = 0
    for item, row in zip(changed, rows, strict=True):
        at = place(row)
        lo, hi = done, len(others)
        while lo < hi:
            mid = (lo + hi) // 2
            if other_place(other_rows[mid]) < at:
                lo = mid + 1
            else:
                hi = mid
        out += others[done:lo]
        out.append(item)
        done = lo
        if len(out) >= limit:
            return out[:limit]
    return (out + others[done:])[:limit]


def _ranked(best: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    return [(value, key) for value, _at, key in sorted(best, reverse=True)]


def _result(item: PaletteItem, value: int, query: str) -> Result:
    return Result(item, value, tuple(match_positions(query, item.title) or ()))


# ---- the index ------------------------------------------------------------------------------


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
        """Bring the index up to date for a palette session (on open)."""
        self.conversations.refresh()
        self.people.refresh()
        self._command_items = [
            PaletteItem("command", c.id, c.title, c.category, self.shortcut_text(c.id),
                        self.commands.available(c.id))
            for c in self.commands.all()
            if c.listed_in_palette and c.id != "app.palette"  # it is the palette itself
        ]

    def ahead(self, text: str) -> bool:
        """Idle work after a search for ``text``: find a step further the lines holding
        its longest term and the term being typed (as is, and scattered in the head), which
        the next keystrokes filter (haystack.Haystack.ahead); True while more is left."""
        mode, query = parse(text)
        terms = terms_of(query)
        if mode is Mode.COMMANDS or not terms:
            return False
        wanted = list(dict.fromkeys((terms[longest(terms)], terms[-1])))
        hays = [self.conversations.haystack] if mode is Mode.MIXED else []
        return any(hay.ahead(wanted) for hay in [*hays, self.people.haystack])

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
        convs = self._conversations(query, limit)
        # A person ranks after the conversations of the same score: below the worst of a
        # full page of them, they would not be shown.
        floor = convs[-1].score if len(convs) == limit else None
        merged = (convs + self._people(query, PEOPLE_LIMIT, floor)
                  + rank(self._command_items, query, COMMAND_LIMIT))
        merged.sort(key=lambda r: (-r.score, _KIND_ORDER.get(r.item.kind, 9)))  # stable
        return merged[:limit]

    # -- kinds --

    def _conversations(self, query: str, limit: int) -> list[Result]:
        convs = self.store.conversations
        best = self._best(self.conversations.sections(), query, limit,
                          lambda sid: c.updated_at if (c := convs.get(sid)) else None)
        return [_result(conversation_item(convs[sid]), value, query) for value, sid in best]

    def _people(self, query: str, limit: int, floor: int | None = None) -> list[Result]:
        people = self.store.people
        best = self._best(self.people.sections(), query, limit,
                          lambda pid: p.active_last if (p := people.get(pid)) else None, floor)
        return [_result(person_item(people[pid]), value, query) for value, pid in best]

    def _best(self, sections: Sequence[Section], query: str, limit: int,
              recency: Callable[[str], int | None],
              floor: int | None = None) -> list[tuple[int, str]]:
        """The ``limit`` best (score, id) above ``floor`` among the first ``cap`` strong
        lines, then (unless there are ``ENOUGH`` of those) the first weak ones; ties go to
        the most recent; ids whose object left the store are skipped. The weak lines are
        not even looked for when their bound cannot beat what the strong ones gave."""
        terms = terms_of(query)
        best: list[tuple[int, int, str]] = []  # a heap: the worst of the best first
        least = -1 << 62 if floor is None else floor
        strong = self._lines(sections, terms, True, self.cap)
        self._rank(strong, terms, limit, least, recency, best, exact=len(terms) == 1)
        room = min(self.cap - len(strong), SCATTERED)
        if len(strong) >= ENOUGH or room <= 0:
            return _ranked(best)
        top = scattered_bound(terms, longest(terms))
        if top <= least or (len(best) == limit and top < best[0][0]):
            return _ranked(best)
        self._rank(self._lines(sections, terms, False, room), terms, limit, least, recency,
                   best)
        return _ranked(best)

    @staticmethod
    def _lines(sections: Sequence[Section], terms: tuple[str, ...], strong: bool,
               limit: int) -> list[tuple[str, str]]:
        """The first ``limit`` (line, id) of a tier in the list's order, across sections."""
        parts: list[tuple[list[tuple[str, str]], list[int], Callable[[int], int] | None]] = []
        for section in sections:
            hay, ids, skip = section.haystack, section.ids, section.skip
            want = limit
            while True:  # rows with a stale line do not count
                tier = hay.tier(terms, strong, want)
                rows = [r for r in tier.rows if ids[r] not in skip] if skip else tier.rows
                if len(rows) >= limit or tier.upto >= len(hay):
                    break
                want += limit - len(rows)
            lines = hay.lines
            rows = rows[:limit]
            parts.append(([(lines[r], ids[r]) for r in rows], rows, section.position))
        found = [part for part in parts if part[0]]
        if len(found) < 2:
            return found[0][0] if found else []
        return _merged(found, limit)

    @staticmethod
    def _rank(lines: list[tuple[str, str]], terms: tuple[str, ...], limit: int, least: int,
              recency: Callable[[str], int | None], best: list[tuple[int, int, str]],
              *, exact: bool = False) -> None:
        """Add the lines scoring above ``least`` to the heap ``best`` (``limit`` long).
        ``exact``: one term, as is in every line, cheap to score (fuzzy._whole): the lines
        it starts first (the best score a term can have), the others only if those leave
        room. Else lines are taken best bound first (fuzzy.bound), until no bound left can
        reach the worst of the heap: the same heap as scoring them all, for a fraction of
        the work."""
        def add(value: int | None, key: str) -> None:
            if value is None or value <= least or (len(best) == limit and value < best[0][0]):
                return
            at = recency(key)
            if at is None:
                return
            if len(best) < limit:
                heapq.heappush(best, (value, at, key))
            elif (value, at, key) > best[0]:
                heapq.heapreplace(best, (value, at, key))

        if exact:
            term = terms[0]
            first = as_prefix(term)
            rest = []
            for line, key in lines:
                if line.startswith(term):
                    add(first + (EXACT if line == term else 0), key)
                else:
                    rest.append((line, key))
            if as_is(term) <= least or (len(best) == limit and as_is(term) < best[0][0]):
                return
            for line, key in rest:
                add(score_terms(terms, line), key)
            return
        bounds = [bound(terms, line) for line, _key in lines]
        for n in sorted(range(len(lines)), key=lambda n: bounds[n][0], reverse=True):
            top, known = bounds[n]
            if top <= least or (len(best) == limit and top < best[0][0]):
                break
            line, key = lines[n]
            add(top if known else score_terms(terms, line), key)

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

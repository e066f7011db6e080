"""What the search pane shows, pure: a row per result, the status line, the empty text, and
the order that keeps rows in place when Crisp's answer joins the local one.

A result (client/search.py's SearchResult, read through ``Hit``: present/ does not import
the client) is a message the local index matched, or a conversation only Crisp named. Its
row holds everything the delegate paints, computed once per answer: the visitor's name, the
snippet without its marks and the ranges to highlight, what matched (a note, a file name, an
email…), where it was found (saved on this computer, Crisp, or both) and the words a screen
reader says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from crisp_console.core import Conversation
from crisp_console.present.plain import one_line
from crisp_console.present.previews import last_preview
from crisp_console.present.search_snippets import Range, focus, split_hits, term_ranges

SERVER_MIN_CHARS = 2  # client/search.py's: Crisp is not asked for one letter
SERVER_ONLY = "conversation"  # the field of a row only Crisp named

# What matched, said before the snippet ("" for a message: the usual case says nothing).
FIELD_LABELS = {"message": "", "note": "Note", "file": "File", "name": "Name",
                "email": "Email", "segment": "Segment", "data": "Custom data",
                "phone": "Phone", SERVER_ONLY: ""}
LAST_MESSAGE = "Last message"  # a row Crisp named whose last message lacks the words
SAVED, CRISP = "saved", "Crisp"
SOURCE_WORDS = {SAVED: "saved on this computer", CRISP: "found by Crisp"}
EMPTY_QUERY_TEXT = ("Search messages, notes, file names, names and emails. "
                    'Put words in "quotes" for an exact phrase.')
SEARCHING_TEXT = "Searching…"
OFFLINE_TEXT = "Searching what is saved on this computer"


class Hit(Protocol):
    """What a row reads of a client/search.py SearchResult."""

    @property
    def session_id(self) -> str: ...

    @property
    def website_id(self) -> str: ...

    @property
    def fingerprint(self) -> int | None: ...

    @property
    def timestamp(self) -> int: ...

    @property
    def snippet(self) -> str: ...

    @property
    def field(self) -> str: ...

    @property
    def local(self) -> bool: ...

    @property
    def server(self) -> bool: ...


RowKey = tuple[str, int | None, str]  # session id, fingerprint, field


@dataclass(frozen=True, slots=True)
class SearchRow:
    """One result as shown. ``text`` is plain text; ``hits`` are ranges of it."""

    session_id: str
    website_id: str
    fingerprint: int | None
    timestamp: int
    name: str
    text: str
    hits: tuple[Range, ...]
    label: str  # what matched ("Note", "Email"…), "" for a message
    sources: tuple[str, ...]  # SAVED and/or CRISP
    field: str

    @property
    def key(self) -> RowKey:
        return (self.session_id, self.fingerprint, self.field)

    def describe(self, website: str = "", when: str = "") -> str:
        """The row in words: who, where, when, what matched, where it was found."""
        head = ", ".join(p for p in (self.name, website, when) if p)
        body = f"{self.label}: {self.text}" if self.label else self.text
        found = " and ".join(SOURCE_WORDS[s] for s in self.sources)
        return ". ".join(p for p in (head, body, found[:1].upper() + found[1:]) if p)


def visitor_name(conv: Conversation | None) -> str:
    if conv is None:
        return "Visitor"
    return one_line(conv.nickname, 120) or one_line(conv.email, 120) or "Visitor"


def search_row(hit: Hit, conv: Conversation | None, query: str, marks: tuple[str, str],
               ) -> SearchRow:
    """The row of ``hit`` (``conv``: its conversation, if the store holds it); ``marks``:
    the snippet's HIT_START and HIT_END."""
    text, hits = split_hits(hit.snippet, *marks)
    if hit.field == SERVER_ONLY:  # the conversation's last message, in words
        text = last_preview(conv.last_type if conv is not None else "", text, len(text))
    label = FIELD_LABELS.get(hit.field, one_line(hit.field, 20).capitalize())
    if not hits:  # Crisp's row (its last message), or a hit without marks
        hits = term_ranges(text, query)
        if hit.field == SERVER_ONLY and not hits and text:
            label = LAST_MESSAGE
    text, hits = focus(text, hits)
    sources = tuple(s for s, on in ((SAVED, hit.local), (CRISP, hit.server)) if on)
    return SearchRow(hit.session_id, hit.website_id, hit.fingerprint, hit.timestamp,
                     visitor_name(conv), text, hits, label, sources, hit.field)


def keep_places(shown: Sequence[RowKey], rows: Sequence[SearchRow]) -> list[SearchRow]:
    """``rows`` (a newer answer to the same query) ordered so that the rows already shown
    keep their places: a shown row stays where it was (a conversation Crisp named gives its
    place to the first message of it found here), and the new rows follow in their order.
    A shown row that is gone leaves its place to the next."""
    by_key = {row.key: row for row in rows}
    shown_keys = set(shown)
    used: set[RowKey] = set()
    out: list[SearchRow] = []
    for key in shown:
        row = by_key.get(key)
        if row is None and key[2] == SERVER_ONLY:
            row = next((r for r in rows if r.session_id == key[0] and r.key not in shown_keys
                        and r.key not in used), None)
        if row is not None and row.key not in used:
            used.add(row.key)
            out.append(row)
    out.extend(row for row in rows if row.key not in used)
    return out


@dataclass(frozen=True, slots=True)
class SearchStatus:
    """Where a query's searches are.

    Attributes:
        query: the query (normalised); "" when nothing is searched.
        local: rows found on this computer; None until the local answer (or without an index).
        has_local: whether there is a local index at all.
        server: "short" (not asked: too short), "waiting", "done", "failed", "offline".
        more: conversations Crisp named that the local rows did not hold.
        problem: why Crisp could not be searched (words).
    """

    query: str = ""
    local: int | None = None
    has_local: bool = True
    server: str = "short"
    more: int = 0
    problem: str = ""


def status_text(s: SearchStatus) -> str:
    """"12 found here · searching Crisp…", "12 found here · Crisp found 3 more",
    "Crisp could not be searched: …", and offline "Searching what is saved on this
    computer · 12 found"."""
    if not s.query:
        return ""
    if s.server == "offline":
        found = "" if s.local is None else f"{s.local} found"
        return " · ".join(p for p in (OFFLINE_TEXT, found) if p)
    parts: list[str] = []
    if s.has_local:
        parts.append("Searching here…" if s.local is None else f"{s.local} found here")
    if s.server == "waiting":
        parts.append("searching Crisp…" if parts else "Searching Crisp…")
    elif s.server == "done":
        if not s.has_local:
            parts.append(f"Crisp found {s.more}")
        else:
            parts.append(f"Crisp found {s.more} more" if s.more else "Crisp found nothing more")
        if s.problem:  # a website failed, the others answered
            parts.append(f"not every website could be searched: {one_line(s.problem, 160)}")
    elif s.server == "failed":
        parts.append(f"Crisp could not be searched: {one_line(s.problem, 160)}")
    elif s.server == "short" and len(s.query) < SERVER_MIN_CHARS:
        parts.append(f"Crisp is searched from {SERVER_MIN_CHARS} characters")
    return " · ".join(parts)


def empty_text(s: SearchStatus) -> str:
    """What the result list says while it has no rows."""
    if not s.query:
        return EMPTY_QUERY_TEXT
    waiting = (s.has_local and s.local is None) or s.server == "waiting"
    if waiting:
        return SEARCHING_TEXT
    quoted = one_line(s.query, 40) + ("…" if len(s.query) > 40 else "")
    return f"Nothing matches “{quoted}”"

"""Find in the open thread, without Qt: folding text for a case- and accent-insensitive match,
the ranges a query covers in a text, what of a message is searchable, and the state of one
find (its matches, the current one, "3 of 12").

Folding: each character is case-folded, decomposed (NFKD) and stripped of its combining
marks, so "Crème" matches "creme", "STRASSE" matches "Straße" and "ﬁle" matches "file".
``fold_map`` keeps, for every folded character, the index of the character it came from, so
a match found in the folded text is a range of the original.

Matches are numbered newest first: "1 of 12" is the newest message that matches, the next
match (Enter, F3) is the next older one, the previous (Shift+Enter, Shift+F3) the next newer
one; both wrap around. A match is a message (one per message, however many times the text
occurs in it).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from crisp_console.core import Message
from crisp_console.present.content import body_of, file_name_of
from crisp_console.present.richtext import MAX_TEXT

Range = tuple[int, int]  # [start, end) in a text

NO_MATCH_LOADED = "No matches in the loaded messages"
NO_MATCH = "No matches in this conversation"
SEARCHED_TYPES = frozenset(("text", "note", "file", "animation", "picker", "field",
                            "carousel"))

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` case-folded, decomposed and without combining marks (see the module)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def fold_map(text: str) -> tuple[str, list[int] | None]:
    """``fold(text)``, and the index in ``text`` of each of its characters (None: the same
    index, as for ASCII, which folds one to one)."""
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    source: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        source.extend([i] * len(folded))
    return "".join(out), source


def query_of(text: str) -> str:
    """The folded query for ``text``; "" when there is nothing to look for (blank)."""
    return fold(text) if text.strip() else ""


def find_ranges(text: str, query: str) -> list[Range]:
    """The ranges of ``text`` where ``query`` occurs, folded (non-overlapping, in order).
    A range covers whole characters of ``text``: the marks a folded letter lost, and a
    character folded into several ("ß" into "ss") that a match covers in part."""
    q = query_of(query)
    if not q:
        return []
    folded, source = fold_map(text)
    ranges: list[Range] = []
    start = folded.find(q)
    while start >= 0:
        end = start + len(q)
        if source is None:
            a, b = start, end
        else:
            a = source[start]
            # Up to the next folded character's source: the marks the last letter lost too.
            b = max(source[end - 1] + 1, source[end]) if end < len(source) else len(text)
        if ranges and a < ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(b, ranges[-1][1]))
        else:
            ranges.append((a, b))
        start = folded.find(q, end)
    return ranges


def utf16_ranges(text: str, ranges: Sequence[Range]) -> list[Range]:
    """``ranges`` of ``text`` in UTF-16 code units (Qt's text positions): a character outside
    the Basic Multilingual Plane (most emoji) takes two."""
    if not ranges or all(ord(ch) < 0x10000 for ch in text):
        return list(ranges)
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) >= 0x10000 else 1))
    return [(offsets[a], offsets[b]) for a, b in ranges]


def visible_text(msg: Message) -> str:
    """What of a message find searches: the text of a text or note, the name of a file or
    animation, the words of a picker, field or carousel (not their links' labels). Events
    and audio have none."""
    kind, content = msg.type, msg.content
    if kind not in SEARCHED_TYPES:
        return ""
    if kind in ("text", "note"):
        return content[:MAX_TEXT] if isinstance(content, str) else ""
    if not isinstance(content, Mapping):
        return ""
    if kind == "file":
        name = content.get("name")
        return name if isinstance(name, str) and name else file_name_of(content.get("url"))
    if kind == "animation":
        return file_name_of(content.get("url"))
    return _plain(body_of(kind, content).html)


def _plain(markup: str) -> str:
    """The text of the bubble HTML present/content.py writes (its own tags only)."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup)))


def matcher(text: str, *, every_word: bool = False) -> Callable[[Message], bool]:
    """A predicate: whether a message's visible text contains ``text``, folded (never, for
    a blank ``text``); ``every_word``: each of its words, anywhere (as a server's word search
    matches). The client's ``newest_match`` takes it."""
    q = query_of(text)
    words = q.split() if every_word else [q] if q else []

    def matches(msg: Message) -> bool:
        if not words:
            return False
        folded = fold(visible_text(msg))
        return all(word in folded for word in words)

    return matches


@dataclass(frozen=True, slots=True)
class Mark:
    """How the thread highlights a message (the timeline's MARK role): ``query`` is what to
    highlight in its text, ``found`` that it matches the find, ``current`` that it is the
    match the find is on, ``flash`` that it was revealed just now."""

    query: str = ""
    found: bool = False
    current: bool = False
    flash: bool = False


class FindResults:
    """One find over a thread's messages. Attributes (read them):
        query: what the operator typed; matches: the fingerprints of the matching messages,
        oldest first (as the rows); current: the fingerprint of the match the find is on,
        None before any or once it stopped matching.
    """

    def __init__(self) -> None:
        self.query = ""
        self.matches: list[int] = []
        self.current: int | None = None
        self._folded = ""
        self._rows: dict[int, int] = {}  # fingerprint -> its place in ``matches``
        self._cache: dict[int, tuple[object, str, str]] = {}  # fp -> (content, type, folded)

    def search(self, query: str, messages: Sequence[Message]) -> None:
        """A new query: its matches, the newest one current."""
        self.query = query
        self._folded = query_of(query)
        self._collect(messages)
        self.current = self.matches[-1] if self.matches else None

    def refresh(self, messages: Sequence[Message]) -> None:
        """The messages changed (live ones, an older page, an edit): the matches again. The
        current match stays current, wherever it is now; None if it no longer matches."""
        self._collect(messages)
        if self.current is not None and self.current not in self._rows:
            self.current = None

    def clear(self) -> None:
        self.query, self._folded = "", ""
        self.matches, self.current = [], None
        self._rows = {}
        self._cache.clear()

    def step(self, *, older: bool) -> int | None:
        """Make the next older (or newer) match current, wrapping around; from none, the
        newest (older) or the oldest (newer). Its fingerprint, None when there is none."""
        matches = self.matches
        if not matches:
            self.current = None
            return None
        row = self._rows.get(self.current) if self.current is not None else None
        if row is None:
            self.current = matches[-1] if older else matches[0]
        else:
            self.current = matches[(row - 1) % len(matches) if older
                                   else (row + 1) % len(matches)]
        return self.current

    def number(self) -> int:
        """The current match's number, newest first (1: the newest); 0 when none is."""
        if self.current is None:
            return 0
        row = self._rows.get(self.current)
        return 0 if row is None else len(self.matches) - row

    def label(self, *, at_start: bool = False) -> str:
        """"3 of 12", "12 matches" (none current), or why there is none ("" before any
        query); ``at_start``: every message of the conversation is loaded."""
        if not self._folded:
            return ""
        total = len(self.matches)
        if not total:
            return NO_MATCH if at_start else NO_MATCH_LOADED
        number = self.number()
        if number:
            return f"{number} of {total}"
        return "1 match" if total == 1 else f"{total} matches"

    def mark(self, fingerprint: int) -> Mark | None:
        """The highlight of a message for this find (None: none)."""
        if fingerprint == self.current:
            return Mark(self.query, found=True, current=True)
        return Mark(self.query, found=True) if fingerprint in self._rows else None

    def _collect(self, messages: Sequence[Message]) -> None:
        q = self._folded
        if not q:
            self.matches, self._rows = [], {}
            return
        old, cache = self._cache, {}
        found: list[int] = []
        for msg in messages:
            entry = old.get(msg.fingerprint)
            if entry is None or entry[0] is not msg.content or entry[1] != msg.type:
                entry = (msg.content, msg.type, fold(visible_text(msg)))
            cache[msg.fingerprint] = entry
            if q in entry[2]:
                found.append(msg.fingerprint)
        self._cache = cache
        self.matches = found
        self._rows = {fp: row for row, fp in enumerate(found)}

"""Which lines of a Haystack hold a term: found once, a step at a time, and kept.

Pure Python, no Qt. A query's tiers (haystack.py) are the lines that hold its longest term as
is (strong) or scattered in the head (weak), filtered by its other terms. While the operator
types the other terms, the longest term stays the same: the lines holding it are found once
(a regex scan of 100k lines or heads, ~10 ms) and each keystroke only filters them. Typing a
term on, the lines holding the new term are among those holding the old one (a line holding
"sione" holds "sion"): they are filtered from the old one's first, then scanned for from
where those stopped. Either way the work is done a step at a time, as a search needs rows or
as idle work between keystrokes (``Haystack.ahead``), so that no step takes long.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

SCAN_STEP = 8192  # lines (or heads) scanned by the regex a step (~1 ms)
FILTER_STEP = 2048  # rows of an older term filtered a step (~1 ms)
DERIVE = 3  # characters a term needs before its lines are kept (shorter: too many)


class Searched(Protocol):
    """haystack_text.Text: items searched together."""

    def rows(self, pattern: re.Pattern[str], start: int, end: int | None = None
             ) -> Iterator[int]: ...


def is_subsequence(old: str, new: str) -> bool:
    """Whether ``old`` is ``new`` with characters left out: every head holding ``new``
    scattered holds ``old`` scattered."""
    it = iter(new)
    return all(ch in it for ch in old)


def is_part(old: str, new: str) -> bool:
    """Whether every line holding ``new`` as is holds ``old`` as is."""
    return old in new


@dataclass(slots=True)
class Holding:
    """The rows holding ``term`` (as is when ``strong``, else scattered in the head), in
    order: all of them from row ``first`` to ``upto``. ``source``: the rows of an older
    term (the first ``source_len`` of them, all of that term's from ``first`` to
    ``source_upto``), filtered from ``taken`` before scanning on from ``source_upto``."""

    term: str
    strong: bool
    find: re.Pattern[str]  # in ``text``: an item holding the term
    holds: Callable[[str], object]  # a line holding the term
    text: Searched
    rows: array[int] = field(default_factory=lambda: array("l"))  # 8 bytes a row, not 36
    first: int = 0
    upto: int = 0
    source: Sequence[int] = ()
    source_len: int = 0
    source_upto: int = 0
    taken: int = 0

    def complete(self, size: int) -> bool:
        return self.upto >= size

    def covers(self, row: int) -> bool:
        return self.first <= row <= self.upto

    def extend(self, lines: Sequence[str]) -> None:
        """One step further: filter the next rows of the source, else scan the next items."""
        if self.taken < self.source_len:
            end = min(self.source_len, self.taken + FILTER_STEP)
            holds = self.holds
            self.rows.extend([row for row in self.source[self.taken:end] if holds(lines[row])])
            self.taken = end
            self.upto = self.source[end] if end < self.source_len else self.source_upto
            return
        end = min(len(lines), self.upto + SCAN_STEP)
        self.rows.extend(self.text.rows(self.find, self.upto, end))
        self.upto = end

    @classmethod
    def of(cls, term: str, strong: bool, find: re.Pattern[str], holds: Callable[[str], object],
           text: Searched, known: Iterable[Holding], first: int = 0) -> Holding:
        """A term's lines from row ``first`` on, to be found from the furthest known ones of
        a term it holds (those below ``first`` left out: a search that starts there has
        them already)."""
        new = cls(term, strong, find, holds, text, first=first, upto=first)
        within = is_part if strong else is_subsequence
        base = max((h for h in known if h.strong == strong and h.first <= first
                    and within(h.term, term)), key=lambda h: h.upto, default=None)
        if base is not None and base.upto > first:
            new.source, new.source_len, new.source_upto = base.rows, len(base.rows), base.upto
            new.taken = bisect_left(base.rows, first)
            new.upto = base.rows[new.taken] if new.taken < new.source_len else base.upto
        return new

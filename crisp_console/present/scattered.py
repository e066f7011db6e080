"""Which heads of a Haystack hold a term scattered: found once, a step at a time, and kept.

Pure Python, no Qt. The weak tier of a query (haystack.py) is the lines whose head holds its
longest term scattered, filtered by its other terms. While the operator types the other
terms, that longest term stays the same: the heads holding it are found once (the regex scan
of the heads, ~10 ms over 100k) and each keystroke only filters them. Typing the longest
term on, the heads of the new term are among those of the old one (a head holding "sione"
scattered holds "sion"): they are filtered from the old ones first, then scanned for from
where those stopped. Either way the work is done a step at a time, as a search needs rows or
as idle work (``Haystack.ahead``) between keystrokes, so that no step takes long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crisp_console.present.haystack import Text

SCAN_STEP = 8192  # heads scanned by the regex a step (~1 ms over names and e-mails)
FILTER_STEP = 2048  # rows of an older term filtered a step (~1 ms)
DERIVE = 3  # characters a term needs before its heads are remembered (shorter: too many)


def is_subsequence(old: str, new: str) -> bool:
    """Whether ``old`` is ``new`` with characters left out: every head holding ``new``
    scattered holds ``old`` scattered."""
    it = iter(new)
    return all(ch in it for ch in old)


@dataclass(slots=True)
class Scattered:
    """The rows whose head holds ``term`` scattered, in order: all of them below ``upto``.
    ``source``: the rows of an older term (the first ``source_len`` of them, all of that
    term's below ``source_upto``) to filter before scanning on from ``source_upto``."""

    term: str
    find: re.Pattern[str]  # a head holding the term (haystack._patterns, weak)
    scattered: Callable[[str], object]  # the term scattered in a line's head
    rows: list[int] = field(default_factory=list)
    upto: int = 0
    source: Sequence[int] = ()
    source_len: int = 0
    source_upto: int = 0
    taken: int = 0

    def complete(self, length: int) -> bool:
        return self.upto >= length

    def extend(self, lines: Sequence[str], heads: Text) -> None:
        """One step further: filter the next rows of the source, else scan the next heads."""
        if self.taken < self.source_len:
            end = min(self.source_len, self.taken + FILTER_STEP)
            match = self.scattered
            self.rows += [row for row in self.source[self.taken:end] if match(lines[row])]
            self.taken = end
            self.upto = self.source[end] if end < self.source_len else self.source_upto
            return
        end = min(len(lines), self.upto + SCAN_STEP)
        self.rows += heads.rows(self.find, self.upto, end)
        self.upto = end

    @classmethod
    def of(cls, term: str, find: re.Pattern[str], scattered: Callable[[str], object],
           known: Iterable[Scattered]) -> Scattered:
        """A term's heads, to be found from the furthest known ones of a term it holds."""
        new = cls(term, find, scattered)
        base = max((s for s in known if is_subsequence(s.term, term)),
                   key=lambda s: s.upto, default=None)
        if base is not None:
            new.source, new.source_len, new.source_upto = base.rows, len(base.rows), base.upto
            new.upto = base.rows[0] if base.rows else base.upto
        return new


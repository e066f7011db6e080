"""Items laid out for the regex engine: a Haystack's lines, or its heads, as a ``Text``.

Pure Python, no Qt. A Haystack (haystack.py) searches its lines and its heads with a regex
over a few strings, not with a Python loop over the items: this is that layout, and the one
question asked of it (which items a pattern matches, from a row on). Apart from haystack.py
because it knows nothing of queries, terms or tiers; holding.py scans the same Texts (its
``Searched``), and haystack.Builder lays a big one out a part at a time (``Text.add``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate


def _joined(items: list[str], at: int = 0) -> tuple[str, list[int]]:
    """The items in one string, each after a line feed, and where each starts (the string
    itself starting at ``at``)."""
    starts = list(accumulate(map((1).__add__, map(len, items)), initial=at + 1))
    starts.pop()
    return "\n" + "\n".join(items), starts


@dataclass(slots=True)
class Text:
    """Items searched together: one or more strings of whole items, each item after a line
    feed (a big one is laid out in parts and never joined: that would take a while), where
    each string begins in their concatenation, and where each item begins."""

    parts: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, items: list[str]) -> Text:
        text = cls()
        text.add(items)
        return text

    def add(self, items: list[str]) -> None:
        end = self.offsets[-1] + len(self.parts[-1]) if self.parts else 0
        part, starts = _joined(items, end)
        self.parts.append(part)
        self.offsets.append(end)
        self.starts += starts

    def rows(self, pattern: re.Pattern[str], start: int, end: int | None = None
             ) -> Iterator[int]:
        """The items where ``pattern`` matches, from item ``start`` on, before item ``end``
        (one a match; a match ends in its item)."""
        if start >= min(len(self.starts), len(self.starts) if end is None else end):
            return
        starts, offsets = self.starts, self.offsets
        at = starts[start] - 1
        stop = starts[end] - 1 if end is not None and end < len(starts) else None
        for n in range(bisect_right(offsets, at) - 1, len(self.parts)):
            base = offsets[n]
            if stop is not None and base >= stop:
                return
            part = self.parts[n]
            limit = len(part) if stop is None else min(len(part), stop - base)
            for match in pattern.finditer(part, max(at - base, 0), limit):
                yield bisect_right(starts, base + match.end() - 1) - 1

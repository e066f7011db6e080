"""A search result's snippet as text and highlight ranges, pure.

The local index marks matches with two private-use characters (storage/search.py's
HIT_START/HIT_END, passed in: present/ does not import storage). ``split_hits`` takes the
marks out and says where the matches are in what is left; the text is visitor text, so it
stays text: the ranges are painted as formats (ui/delegates/search_hit.py), never turned
into markup. Whitespace runs become one space and direction controls and marks go, as for
every one-line label (plain.one_line), so a snippet cannot reorder the row around it.

Crisp's text search names conversations without a snippet: the row shows the last message,
and ``term_ranges`` marks the query's words wherever they appear in it. ``focus`` keeps a
long text short, starting a little before its first match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from crisp_console.present.plain import BIDI_CONTROLS

Range = tuple[int, int]  # [start, end) in the shown text

# Explicit controls (plain.BIDI_CONTROLS) and the implicit marks: LRM, RLM, ALM.
_DROPPED = frozenset((*map(chr, BIDI_CONTROLS), "\u200e", "\u200f", "\u061c"))
SCAN_CHARS = 4000  # of a snippet read at all (a 10k-character message is cut here)
SHOWN_CHARS = 400  # of it kept for the row (two lines hold far less)
LEAD_CHARS = 40  # before the first match, when the match is further in
_QUOTED = re.compile(r'"([^"]*)"')


def split_hits(snippet: str, start: str, end: str,
               *, scan: int = SCAN_CHARS) -> tuple[str, tuple[Range, ...]]:
    """The snippet without its marks, whitespace runs made one space, controls dropped, and
    the ranges the marks enclosed. An unclosed mark runs to the end; a stray end mark is
    ignored; empty ranges are dropped."""
    out: list[str] = []
    ranges: list[Range] = []
    opened: int | None = None
    space = False
    for ch in snippet[:scan]:
        if ch == start:
            if opened is None:
                opened = len(out) + (1 if space and out else 0)
            continue
        if ch == end:
            if opened is not None:
                if len(out) > opened:
                    ranges.append((opened, len(out)))
                opened = None
            continue
        if ch.isspace():
            space = True
            continue
        if ch in _DROPPED or unicodedata.category(ch) == "Cc":
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append(ch)
    if opened is not None and len(out) > opened:
        ranges.append((opened, len(out)))
    return "".join(out), _merged(ranges)


def query_terms(query: str) -> list[str]:
    """The words and "quoted phrases" of a query, as typed (no quotes, no empties)."""
    phrases = [" ".join(p.split()) for p in _QUOTED.findall(query)]
    rest = _QUOTED.sub(" ", query).replace('"', " ")
    return [t for t in (*phrases, *rest.split()) if t]


def find_text(query: str) -> str:
    """What the thread's find bar looks for when the row names no message: the query
    without its quotes, one space between words."""
    return " ".join(" ".join(query_terms(query)).split())


def term_ranges(text: str, query: str) -> tuple[Range, ...]:
    """Where the query's words and phrases appear in ``text``, ignoring case."""
    ranges: list[Range] = []
    for term in query_terms(query):
        pattern = re.compile(re.escape(term), re.IGNORECASE)
        ranges.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    return _merged(ranges)


def focus(text: str, ranges: Sequence[Range], *, lead: int = LEAD_CHARS,
          limit: int = SHOWN_CHARS) -> tuple[str, tuple[Range, ...]]:
    """At most ``limit`` characters of ``text`` around its first match: when the match is
    more than ``lead`` characters in, the text starts "…" a word before it; a cut end gets
    "…". The ranges follow (cut to what is kept)."""
    cut = 0
    if ranges and ranges[0][0] > lead:
        cut = ranges[0][0] - lead
        space = text.find(" ", cut, ranges[0][0])
        if space >= 0 and space - cut < lead // 2:
            cut = space + 1
    prefix = "…" if cut else ""
    kept = text[cut:cut + limit]
    suffix = "…" if cut + limit < len(text) else ""
    shift = len(prefix) - cut
    end = len(prefix) + len(kept)
    moved = [(max(a + shift, len(prefix)), min(b + shift, end)) for a, b in ranges]
    return prefix + kept + suffix, tuple((a, b) for a, b in moved if b > a)


def _merged(ranges: Iterable[Range]) -> tuple[Range, ...]:
    out: list[Range] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)

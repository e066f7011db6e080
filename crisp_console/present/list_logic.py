"""The conversation list pane's pure logic (no widgets): count labels, empty-state texts, what
"unread or waiting" means, and where a conversation that left the list used to be.

The "gap" functions follow the place of a row that is gone (the current conversation, after
it left the filter) through later row signals: ``gap`` counts the rows above that place, so
the row that took its place is row ``gap`` and the one above it is ``gap - 1``. Rows that
arrive exactly at the gap go above it, so the neighbour below stays the one after the gap.
"""

from __future__ import annotations

from crisp_console.core import Conversation
from crisp_console.present.filters import Filter

# What the list says when a filter takes nothing.
EMPTY_TEXTS = {
    Filter.PENDING: "No pending conversations",
    Filter.UNRESOLVED: "No unresolved conversations",
    Filter.MINE: "No conversations assigned to you",
    Filter.UNASSIGNED: "No unassigned conversations",
    Filter.MENTIONS: "No conversations mention you",
    Filter.UNREAD: "No unread conversations",
    Filter.RESOLVED: "No resolved conversations",
    Filter.ALL: "No conversations yet",
}
QUOTED_CHARS = 40  # of the search text quoted in the empty state


def compact_count(n: int) -> str:
    """A count for a filter tab: 999, 1.2k, 12k, 1.2M. Rounds down, so a label never claims
    more than there is (1,999 is "1.9k", not "2k")."""
    if n < 1000:
        return str(max(n, 0))
    scale, suffix = (1_000_000, "M") if n >= 1_000_000 else (1000, "k")
    if n < 10 * scale:
        whole, frac = divmod(n * 10 // scale, 10)
        return f"{whole}.{frac}{suffix}" if frac else f"{whole}{suffix}"
    return f"{n // scale}{suffix}"


def count_text(n: int, exact: bool) -> str:
    """A tab's count: exact only when the view's list was read to its end on Crisp, else
    what is loaded followed by "+" ("50+")."""
    return compact_count(n) if exact else f"{compact_count(n)}+"


def count_words(label: str, n: int, exact: bool, as_of: str = "") -> str:
    """The tab's accessible name and tooltip: "Unresolved, 12 conversations", or "Mentions,
    at least 50 conversations as of 14:02; more are on Crisp" when not read to its end."""
    many = f"{n:,} conversation{'s' * (n != 1)}"
    if exact:
        return f"{label}, {many}"
    when = f" as of {as_of}" if as_of else ""
    return f"{label}, at least {many}{when}; more are on Crisp (scroll the list to load them)"


def empty_text(kind: Filter, text: str, saved: str = "") -> str:
    """The empty list's message for quick filter ``kind`` (or the saved view named
    ``saved``) and search ``text``."""
    needle = " ".join(text.split())
    if not needle:
        return f"No conversation in “{saved}”" if saved else EMPTY_TEXTS[kind]
    if len(needle) > QUOTED_CHARS:
        needle = needle[:QUOTED_CHARS - 1] + "…"
    return f"No conversation matches “{needle}”"


def needs_attention(conv: Conversation) -> bool:
    """What "next unread or waiting" stops at: unread visitor messages, no operator reply
    yet (pending), or a visitor waiting for an answer."""
    return conv.unread_operator > 0 or conv.state == "pending" or conv.waiting_since > 0


def gap_after_insert(gap: int, first: int, last: int) -> int:
    """``gap`` after rows ``first..last`` were inserted."""
    return gap + (last - first + 1) if first <= gap else gap


def gap_after_remove(gap: int, first: int, last: int) -> int:
    """``gap`` after rows ``first..last`` were removed."""
    if first >= gap:
        return gap
    return gap - (min(last, gap - 1) - first + 1)


def gap_after_move(gap: int, first: int, last: int, dest: int) -> int:
    """``gap`` after rows ``first..last`` moved before row ``dest`` (Qt's beginMoveRows
    arguments, rows numbered as before the move)."""
    count = last - first + 1
    gap = gap_after_remove(gap, first, last)
    at = dest - count if dest > last else dest
    return gap_after_insert(gap, at, at + count - 1)

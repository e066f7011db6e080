"""Sort keys of the conversation list, and the row arithmetic of a move in a sorted list.

Every conversation key ends with the session_id (and every message key with the
fingerprint), so keys are unique and a row is found by bisection: no ``list.index``, no
re-sort. ``move_dest`` serves the timelines; the conversation list (sortedrows.py) finds the
same destination as a rank.
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

from crisp_console.core.models import Conversation

SortKey = tuple[Any, ...]


class Ordering(enum.Enum):
    ACTIVITY = "activity"  # pending first, then the latest activity (updated_at) first
    WAITING = "waiting"  # longest waiting first (waiting_since asc), then the others by activity
    CREATED = "created"  # newest first (created_at desc)


def activity_key(c: Conversation) -> SortKey:
    return (c.state != "pending", -c.updated_at, c.session_id)


def waiting_key(c: Conversation) -> SortKey:
    if c.waiting_since:
        return (0, c.waiting_since, c.session_id)
    return (1, -c.updated_at, c.session_id)


def created_key(c: Conversation) -> SortKey:
    return (-c.created_at, c.session_id)


KEY_FUNCTIONS: dict[Ordering, Callable[[Conversation], SortKey]] = {
    Ordering.ACTIVITY: activity_key,
    Ordering.WAITING: waiting_key,
    Ordering.CREATED: created_key,
}

# The fields each ordering reads: an update touching none of them cannot move a row.
KEY_FIELDS: dict[Ordering, frozenset[str]] = {
    Ordering.ACTIVITY: frozenset(("state", "updated_at")),
    Ordering.WAITING: frozenset(("waiting_since", "updated_at")),
    Ordering.CREATED: frozenset(("created_at",)),
}


def move_dest(seq: Sequence[Any], src: int, new_key: Any,
              key: Callable[[Any], Any]) -> int | None:
    """Where the row at ``src`` goes once its sort key is ``new_key``, in Qt's terms.

    ``seq`` is sorted except (possibly) at ``src``, whose item may already carry its new key;
    ``key`` maps an item to its sort key (keys may repeat: the row moves only past strictly
    smaller or greater neighbours, and lands before its new equals). Returns Qt's
    ``destinationChild`` (an index in the list *before* the move, never ``src`` or
    ``src + 1``), or None when the row keeps its place.
    """
    if src > 0 and new_key < key(seq[src - 1]):
        return bisect_left(seq, new_key, 0, src, key=key)
    if src + 1 < len(seq) and key(seq[src + 1]) < new_key:
        return bisect_left(seq, new_key, src + 2, len(seq), key=key)
    return None


def moved_index(src: int, dest: int) -> int:
    """The row's index after the move (Qt's destinationChild counts the row itself)."""
    return dest if dest < src else dest - 1

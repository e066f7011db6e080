"""Change notifications: what the store tells its observers, napari/Quaternion style.

A Qt adapter maps each Change one-to-one onto a model call, so the pairing and the row
arithmetic follow Qt's rules exactly:

- ``INSERTING``/``INSERTED`` carry the same ``first..last`` range, as ``beginInsertRows``/
  ``endInsertRows``; rows are in the list *after* the insertion.
- ``MOVING``/``MOVED`` move the one row ``first == last`` to ``dest``, which is Qt's
  ``destinationChild``: the index in the list *before* the move where the row is inserted
  (never ``first`` or ``first + 1``).
- ``REMOVING``/``REMOVED`` carry the range in the list *before* the removal.
- ``CHANGED`` comes alone (``dataChanged``), with the names of the fields that changed.
- ``RESET`` comes alone, *after* the whole collection was replaced.

Every Change also names what it concerns, so that a view asks "is it mine?" by id instead of
turning rows back into ids: ``ids`` holds the ids of the rows (session_id, website_id,
user_id, people_id) in row order, for a move the one row's; a message Change carries its
timeline's session_id in ``key`` and the messages' ``fingerprints``. A RESET names nothing:
it concerns every item of its collection (of its timeline, or of every timeline when its
``key`` is None). ``concerns(item_id)`` answers the question for a view.

Between an ``-ING`` and its ``-ED`` the store mutates nothing else, and observers must not
mutate the store from a callback.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import NamedTuple

CONVERSATIONS = "conversations"
MESSAGES = "messages"
WEBSITES = "websites"
OPERATORS = "operators"
PEOPLE = "people"
COLLECTIONS = (CONVERSATIONS, MESSAGES, WEBSITES, OPERATORS, PEOPLE)


class ChangeKind(enum.Enum):
    INSERTING = "inserting"
    INSERTED = "inserted"
    CHANGED = "changed"
    MOVING = "moving"
    MOVED = "moved"
    REMOVING = "removing"
    REMOVED = "removed"
    RESET = "reset"


class Change(NamedTuple):
    """One notification. ``key`` names the timeline (session_id) for ``messages``; ``ids``
    and ``fingerprints`` name the rows it concerns (see the module docstring).

    Immutable, and a NamedTuple rather than a frozen dataclass: a store event emits several
    of these, and a frozen dataclass costs twice as much to build (bench_store.py)."""

    kind: ChangeKind
    collection: str
    key: str | None = None
    first: int = -1
    last: int = -1
    dest: int = -1
    fields: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ()
    fingerprints: tuple[int, ...] = ()

    def concerns(self, item_id: str) -> bool:
        """Whether this change may concern ``item_id``: a row of its collection by id, or for
        ``messages`` the timeline of that session_id. A RESET concerns every item."""
        if self.collection == MESSAGES:
            return self.key is None or self.key == item_id
        return self.kind is ChangeKind.RESET or item_id in self.ids


Observer = Callable[[Change], None]

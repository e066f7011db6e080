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
import logging
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

log = logging.getLogger(__name__)

CONVERSATIONS = "conversations"
MESSAGES = "messages"
WEBSITES = "websites"
OPERATORS = "operators"
PEOPLE = "people"
T = TypeVar("T")


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


class Notifier(Generic[T]):
    """A list of observers called synchronously, in subscription order (the store's Changes,
    and its live events: live.py).

    An observer that raises is logged and skipped: one broken view must not leave the others
    (or the store) half-updated.
    """

    __slots__ = ("_observers",)

    def __init__(self) -> None:
        self._observers: tuple[Callable[[T], None], ...] = ()

    def __len__(self) -> int:
        """How many observers listen (none: a note nobody reads is never built)."""
        return len(self._observers)

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Add ``callback``; returns a function that removes it (idempotent)."""
        self._observers = (*self._observers, callback)

        def unsubscribe() -> None:
            # Identity, not equality: two equal bound methods are still two subscriptions.
            obs = self._observers
            for i, cb in enumerate(obs):
                if cb is callback:
                    self._observers = obs[:i] + obs[i + 1:]
                    return

        return unsubscribe

    def emit(self, item: T) -> None:
        for callback in self._observers:  # a tuple: (un)subscribing inside a callback is safe
            try:
                callback(item)
            except Exception:
                log.exception("store observer %r failed on %s", callback, item)

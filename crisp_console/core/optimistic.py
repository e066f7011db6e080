"""Optimistic changes: the console shows a change before Crisp confirms it, and remembers it.

An operator resolves a conversation: the store shows it resolved at once (``Store.change_state``
returns an ``Optimistic``), the client sends the REST call, and undoes the change
(``Store.undo``) if Crisp refuses it. Meanwhile events sent before the change may still be in
flight: an echo of another value for the same field would undo it on screen. So each change
is *expected* for ``hold`` seconds: until an echo of the same value arrives (or the time is
up), an echo of another value is stale and dropped (the handlers ask ``outdated``). A REST
page of messages read before the change reached Crisp is just as stale for its content
(history.py asks ``holds``), but it never ends the expectation.

The clock is injected (monotonic seconds), so tests drive the hold without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# The fields an optimistic change sets (the echo that confirms it: session:set_state,
# session:set_routing, session:set_block, message:updated).
STATE, ASSIGNED, BLOCKED, CONTENT = "state", "assigned", "is_blocked", "content"
Key = tuple[str, str, int | None]


@dataclass(frozen=True, slots=True)
class Optimistic:
    """A change shown before Crisp confirmed it: ``field`` of the conversation (of its message
    ``fingerprint`` for CONTENT) set to ``value``, which replaced ``old``."""

    field: str
    session_id: str
    fingerprint: int | None
    value: Any
    old: Any

    @property
    def key(self) -> Key:
        return (self.field, self.session_id, self.fingerprint)


class Expectations:
    """The optimistic changes waiting for their echo: key -> (value, deadline)."""

    __slots__ = ("_clock", "_expected")

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._expected: dict[Key, tuple[Any, float]] = {}

    def __len__(self) -> int:
        return len(self._expected)

    def expect(self, change: Optimistic, hold: float) -> None:
        """Echoes of other values are stale for ``hold`` seconds from now (or until one of
        ``change.value`` arrives)."""
        self._expected[change.key] = (change.value, self._clock() + hold)

    def forget(self, change: Optimistic) -> None:
        """The change was undone: no echo is stale because of it any more."""
        self._expected.pop(change.key, None)

    def holds(self, field: str, session_id: str, fingerprint: int | None, value: Any) -> bool:
        """Whether a REST answer giving ``field`` as ``value`` may predate an optimistic
        change of another value (keep the change on show). Unlike an echo, a REST answer
        never ends the expectation: it may have been read before the change reached Crisp."""
        expected = self._expected.get((field, session_id, fingerprint))
        if expected is None:
            return False
        wanted, deadline = expected
        return value != wanted and self._clock() <= deadline

    def outdated(self, field: str, session_id: str, fingerprint: int | None,
                 value: Any) -> bool:
        """Whether an echo setting ``field`` to ``value`` predates an optimistic change (drop
        it). An echo of the expected value, or the hold's end, ends the expectation."""
        if not self._expected:
            return False
        key = (field, session_id, fingerprint)
        expected = self._expected.get(key)
        if expected is None:
            return False
        wanted, deadline = expected
        if value == wanted or self._clock() > deadline:
            del self._expected[key]
            return False
        log.debug("dropping a stale %s for %s", field, session_id)
        return True

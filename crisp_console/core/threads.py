"""The timelines part of the store: one Timeline per conversation it has messages or history
bookkeeping of (timeline.py), created on first use.

A timeline and its bookkeeping (loaded, cursor, at_start) live and die together: ``take``
forgets all of it at once, so a conversation that is removed and comes back starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from crisp_console.core.changes import MESSAGES, Change, ChangeKind
from crisp_console.core.models import Message
from crisp_console.core.parse import is_int
from crisp_console.core.snapshot import SavedTimeline
from crisp_console.core.timeline import Timeline

Emit = Callable[[Change], None]


class Threads:
    __slots__ = ("_emit", "_timelines")

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._timelines: dict[str, Timeline] = {}

    # ---- reading ---------------------------------------------------------------------------

    def get(self, session_id: Any) -> Timeline | None:
        """The conversation's timeline if it has one (None too for an id of the wrong type)."""
        return self._timelines.get(session_id) if isinstance(session_id, str) else None

    def messages(self, session_id: Any) -> list[Message]:
        """The timeline as far as the store has it, oldest first (a copy)."""
        tl = self.get(session_id)
        return list(tl.messages) if tl else []

    def count(self, session_id: Any) -> int:
        tl = self.get(session_id)
        return len(tl) if tl else 0

    def at(self, session_id: str, row: int) -> Message:
        return self._timelines[session_id].messages[row]

    def message(self, session_id: Any, fingerprint: Any) -> Message | None:
        tl = self.get(session_id)
        return tl.by_fp.get(fingerprint) if tl and is_int(fingerprint) else None

    def loaded(self, session_id: Any) -> bool:
        """Whether the newest page of the conversation's messages was read from REST."""
        tl = self.get(session_id)
        return tl is not None and tl.loaded

    def cursor(self, session_id: Any) -> int | None:
        """Where the next older page starts (the oldest timestamp a page gave), or None."""
        tl = self.get(session_id)
        return tl.cursor if tl else None

    def at_start(self, session_id: Any) -> bool:
        """Whether the conversation's first message is loaded (an older page was empty)."""
        tl = self.get(session_id)
        return tl is not None and tl.at_start

    # ---- changes ---------------------------------------------------------------------------

    def open(self, session_id: str) -> Timeline:
        """The conversation's timeline, created empty on first use (the caller checks that
        the conversation is in the store)."""
        tl = self._timelines.get(session_id)
        if tl is None:
            tl = self._timelines[session_id] = Timeline(session_id, self._emit)
        return tl

    def take(self, session_id: str) -> bool:
        """Forget the timeline and its bookkeeping, silently (the caller announces the
        RESET once its own pair of notifications is closed). True if there was one."""
        return self._timelines.pop(session_id, None) is not None

    def reset(self, session_id: str | None) -> None:
        """Announce that a timeline (None: every timeline) was replaced or dropped."""
        self._emit(Change(ChangeKind.RESET, MESSAGES, key=session_id))

    def clear(self) -> None:
        """Forget every timeline, silently (the store announces the RESET)."""
        self._timelines = {}

    def restore(self, saved: Iterable[SavedTimeline]) -> None:
        """Replace every timeline with saved ones, silently (the store announces the RESET);
        the first of a session_id wins."""
        self._timelines = {}
        for s in saved:
            if s.session_id not in self._timelines:
                tl = self._timelines[s.session_id] = Timeline(s.session_id, self._emit)
                tl.restore(s.messages, loaded=s.loaded, cursor=s.cursor, at_start=s.at_start)

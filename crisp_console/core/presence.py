"""Colleagues at work in a conversation, as the live feed tells it: who is typing a reply
(``message:compose:receive``) and who has just written in it (``message:received``).

A part of the Store (its one owner), fed by the message handlers, read by the thread
header's collision line and the stale-reply prompt. Nothing here is saved or sent: it is
what the live feed said lately, and it expires on the store's clock (injectable, monotonic
seconds):

- typing ends on a "stop", on that operator's message, or ``typing_timeout`` after their last
  "start": compose events can be lost, and a client that typed and left sends no "stop";
- "has just written" lasts ``wrote_window`` after the message arrived here.

Operators only: the visitor's typing is the conversation's ``compose_visitor``. Automated
compose events and messages (bots, triggers) are not colleagues and are never recorded.
The store does not know who "me" is: readers pass ``exclude`` (my user id), since my own
compose events and messages come back on the feed like anyone's.

Memory: one small slotted entry per (conversation, operator) heard from lately, updated in
place on every event; expired entries go when their conversation is written to or read,
and every conversation's once more than ``SWEEP_AT`` conversations hold any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

TYPING_TIMEOUT = 30.0
WROTE_WINDOW = 120.0
SWEEP_AT = 256


class _Entry:
    __slots__ = ("nickname", "note", "typing_at", "wrote_at")

    def __init__(self, nickname: str) -> None:
        self.nickname = nickname
        self.typing_at: float | None = None  # clock time of the last "start"; None: not typing
        self.wrote_at: float | None = None  # clock time their last message arrived here
        self.note = False  # that message was a private note


class Colleague(NamedTuple):
    """One operator's recent activity in a conversation, as read now. ``seconds``: since
    their last "start" (typing) or since their message arrived (wrote); ``note``: that
    message was a private note."""

    user_id: str
    nickname: str
    seconds: float
    note: bool = False


class Presence:
    """See the module docstring. ``typing_timeout`` and ``wrote_window`` are seconds."""

    __slots__ = ("_clock", "_sessions", "typing_timeout", "wrote_window")

    def __init__(self, clock: Callable[[], float], *, typing_timeout: float = TYPING_TIMEOUT,
                 wrote_window: float = WROTE_WINDOW) -> None:
        self._clock = clock
        self._sessions: dict[str, dict[str, _Entry]] = {}
        self.typing_timeout = typing_timeout
        self.wrote_window = wrote_window

    # ---- writing (the handlers) ------------------------------------------------------------

    def compose(self, session_id: str, user_id: str, nickname: str, typing: bool) -> bool:
        """An operator's compose "start" (``typing``) or "stop"; True if whether they are
        typing changed."""
        now = self._clock()
        entries = self._live_entries(session_id, now)
        entry = entries.get(user_id) if entries is not None else None
        if not typing:
            if entry is None or entry.typing_at is None:
                return False
            entry.typing_at = None
            if entry.wrote_at is None and entries is not None:
                del entries[user_id]
                if not entries:
                    del self._sessions[session_id]
            return True
        entry = self._entry(session_id, user_id, nickname)
        was_typing = entry.typing_at is not None
        entry.typing_at = now
        return not was_typing

    def message(self, session_id: str, user_id: str, nickname: str, *, note: bool) -> None:
        """An operator's message arrived: they wrote just now, and are no longer typing."""
        now = self._clock()
        self._live_entries(session_id, now)
        entry = self._entry(session_id, user_id, nickname)
        entry.typing_at = None
        entry.wrote_at = now
        entry.note = note

    def forget(self, session_id: str) -> None:
        """The conversation left the store."""
        self._sessions.pop(session_id, None)

    def clear(self) -> None:
        self._sessions.clear()

    # ---- reading ---------------------------------------------------------------------------

    def typing(self, session_id: str, exclude: str | None = None) -> list[Colleague]:
        """Who is typing in the conversation now (but ``exclude``), who started first first."""
        now = self._clock()
        entries = self._live_entries(session_id, now) or {}
        found = [Colleague(uid, e.nickname, now - e.typing_at)
                 for uid, e in entries.items() if e.typing_at is not None and uid != exclude]
        found.sort(key=lambda c: -c.seconds)
        return found

    def wrote(self, session_id: str, exclude: str | None = None) -> list[Colleague]:
        """Who wrote in the conversation within the window (but ``exclude``), latest first."""
        now = self._clock()
        entries = self._live_entries(session_id, now) or {}
        found = [Colleague(uid, e.nickname, now - e.wrote_at, e.note)
                 for uid, e in entries.items() if e.wrote_at is not None and uid != exclude]
        found.sort(key=lambda c: c.seconds)
        return found

    def next_change(self, session_id: str) -> float | None:
        """Seconds until something of the conversation expires by itself (None: nothing
        will), so a view knows when to look again without polling."""
        now = self._clock()
        entries = self._live_entries(session_id, now)
        ends = [at + span for e in (entries or {}).values()
                for at, span in ((e.typing_at, self.typing_timeout),
                                 (e.wrote_at, self.wrote_window)) if at is not None]
        return max(0.0, min(ends) - now) if ends else None

    def __len__(self) -> int:
        """How many conversations hold an entry (expired ones included until swept)."""
        return len(self._sessions)

    # ---- expiry ----------------------------------------------------------------------------

    def _entry(self, session_id: str, user_id: str, nickname: str) -> _Entry:
        entries = self._sessions.get(session_id)
        if entries is None:
            if len(self._sessions) >= SWEEP_AT:
                self._sweep(self._clock())
            entries = self._sessions[session_id] = {}
        entry = entries.get(user_id)
        if entry is None:
            entry = entries[user_id] = _Entry(nickname)
        elif nickname:
            entry.nickname = nickname
        return entry

    def _live_entries(self, session_id: str, now: float) -> dict[str, _Entry] | None:
        """The conversation's entries with the expired parts dropped; None if none is left."""
        entries = self._sessions.get(session_id)
        if entries is None:
            return None
        if self._expire(entries, now):
            return entries
        del self._sessions[session_id]
        return None

    def _expire(self, entries: dict[str, _Entry], now: float) -> bool:
        """Drop what expired from one conversation's entries; False when none is left."""
        gone: list[str] = []
        for uid, e in entries.items():
            if e.typing_at is not None and now - e.typing_at >= self.typing_timeout:
                e.typing_at = None
            if e.wrote_at is not None and now - e.wrote_at >= self.wrote_window:
                e.wrote_at = None
            if e.typing_at is None and e.wrote_at is None:
                gone.append(uid)
        for uid in gone:
            del entries[uid]
        return bool(entries)

    def _sweep(self, now: float) -> None:
        for sid in [sid for sid, entries in self._sessions.items()
                    if not self._expire(entries, now)]:
            del self._sessions[sid]

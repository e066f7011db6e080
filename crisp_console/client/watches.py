"""Which sessions live events named while a REST request was out: its answer may be older
than them. ``settle()`` gets a conversation into the store with that in mind (the owed
fetches and the catch-up use it)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from crisp_console.core import Store

ROUNDS = 3
MAX_TOUCHED = 10_000  # session ids one watch keeps; past that, every session counts as touched


class Touched:
    """The sessions live events named while one REST request was out."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self.overflow = False

    def add(self, session_id: str) -> None:
        if self.overflow:
            return
        if len(self._ids) >= MAX_TOUCHED:
            self.overflow = True  # a flood: treat every session as touched
            self._ids.clear()
            return
        self._ids.add(session_id)

    def __contains__(self, session_id: object) -> bool:
        return self.overflow or session_id in self._ids


class Watches:
    """The watches open now; the event sink tells each of them every event (``note``)."""

    def __init__(self) -> None:
        self._open: list[Touched] = []

    @contextlib.contextmanager
    def watch(self) -> Iterator[Touched]:
        """Collect the sessions live events name while the block awaits a REST answer."""
        touched = Touched()
        self._open.append(touched)
        try:
            yield touched
        finally:
            self._open.remove(touched)

    def note(self, name: str, payload: Any) -> None:
        if self._open and not name.startswith("message:compose:") \
                and isinstance(payload, dict) and isinstance(payload.get("session_id"), str):
            for touched in self._open:  # typing alone does not outdate a snapshot
                touched.add(payload["session_id"])


async def settle(store: Store, watches: Watches, session_id: str,
                 fetch: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    """Get A Conversation into the store so that it is not older than what arrived live.

    An answer is applied unless live events named the conversation while the request was
    out and the store already knows it (a provisional row too: live events reach it): they
    may be newer than the answer (a message bumps the unread count, which an older snapshot
    would undo), so it is asked again. An unknown
    conversation's answer is applied at once (nothing live could reach it) and asked again
    if events came meanwhile (the store dropped them). After ``ROUNDS`` the last answer
    stands. ``fetch``'s errors propagate.
    """
    for round_ in range(1, ROUNDS + 1):
        with watches.watch() as touched:
            payload = await fetch()
        last = round_ == ROUNDS
        if session_id in touched and session_id in store.conversations and not last:
            continue
        store.upsert_conversations([payload])
        if session_id not in touched or last:
            return

"""Crisp's availability of "me" (the operator the console acts as): read, never set.

A plugin token can read availability (List Website Operator Availabilities, and the RTM event
``website:update_operators_availability``) but cannot set it: Update User Availability
(``PATCH user/availability``) is a user-session route, dropped from Crisp's own clients with
the user tier (go-crisp-api v3.0.0), and no plugin or website route writes an operator's
availability (crisp-api.md §2.4). So the console's own "Away" (ui/availability.py) mutes
the console; this only shows what Crisp says.

What it costs: one request when the live feed first connects, and again after a reconnect
(events may have been missed meanwhile) when the last read is older than ``min_interval``
(5 min: a flaky network must not spend the daily quota on this), asking the first website
that lists "me" (more only when a website does not, at most ``MAX_WEBSITES``). The operators'
list read at start-up already carries an ``availability``, but a warm start shows the cached
one, which may be hours old. Between reads the RTM event keeps the store current
(core/handlers.py ``on_operator_availability``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from crisp_console.api import CrispApi, purpose
from crisp_console.client.identity import Identity
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.words import describe
from crisp_console.core import Store
from crisp_console.core.parse import interned
from crisp_console.errors import (
    CrispError,
    NotFoundError,
    NotSubscribedError,
    QuotaExceededError,
)
from crisp_console.observers import Observers
from crisp_console.realtime import ConnectionState

log = logging.getLogger("crisp_console.client")

EVENT = "website:update_operators_availability"
MAX_WEBSITES = 3  # websites asked before giving up on finding "me"
MAX_TYPE = 32  # an availability is a short word ("online", "away", "offline")
MIN_INTERVAL = 300.0  # seconds between two reads after reconnects


def availability_type(value: Any) -> str | None:
    """A usable availability word from Crisp, else None (peer text: short and printable)."""
    if not isinstance(value, str) or not value or len(value) > MAX_TYPE \
            or not value.isprintable():
        return None
    return interned(value.lower())


class MyAvailability:
    """``since_ms``: when Crisp says the current availability began (epoch ms; None when not
    known); ``problem``: why it could not be read, in words ("" when it was). Observers hear
    of a change of either (the availability itself is the store operator's, observed
    there). ``requests`` counts the reads this session and ``skipped`` the reconnects that
did not read (the tests read them)."""

    def __init__(self, api: CrispApi, store: Store, identity: Identity,
                 websites: Callable[[], list[str]], tasks: TaskOwner,
                 wall_ms: Callable[[], int], monotonic: Callable[[], float]) -> None:
        self._api, self._store, self._identity = api, store, identity
        self._websites, self._tasks, self._wall_ms = websites, tasks, wall_ms
        self._monotonic = monotonic
        self.min_interval = MIN_INTERVAL
        self._read_at: float | None = None  # when the last read began (monotonic)
        self.since_ms: int | None = None
        self.problem = ""
        self.requests = 0
        self.skipped = 0  # reconnects that did not read (the last read was recent)
        self._connects = 0
        self._heard = 0  # events about "me" so far: a read that raced one is stale
        self._observers: Observers[[]] = Observers(log, "availability observer")

    def observe(self, observer: Callable[[], None]) -> Callable[[], None]:
        """``observer()`` when ``since_ms`` or ``problem`` changes; returns the unsubscribe."""
        return self._observers.add(observer)

    # ---- inputs ----------------------------------------------------------------------------

    def on_connection_state(self, state: ConnectionState) -> None:
        """The gateway's observer: read when the live feed first connects, and after a
        reconnect unless the last read is recent."""
        if state is not ConnectionState.CONNECTED:
            return
        self._connects += 1
        now = self._monotonic()
        if self._read_at is not None and now - self._read_at < self.min_interval:
            self.skipped += 1
            return
        self._read_at = now
        self._tasks.spawn(self.refresh(first=self._connects == 1), "my availability",
                          key="my-availability")

    def on_event(self, name: str, payload: Any) -> None:
        """The event sink's listener (after the store applied the event)."""
        if name != EVENT or not isinstance(payload, dict):
            return
        me = self._identity.me
        if me is None or payload.get("user_id") != me:
            return
        self._heard += 1
        self._set(self._wall_ms(), "")

    # ---- reading ---------------------------------------------------------------------------

    async def refresh(self, *, first: bool = True) -> None:
        """Read "me"'s availability from Crisp into the store; failures are kept in
        ``problem`` (logged), never raised."""
        me = self._identity.me
        if me is None:
            return
        heard = self._heard
        with purpose("start-up" if first else "reconcile"):
            try:
                entry = await self._read(me)
            except CrispError as exc:
                if not isinstance(exc, QuotaExceededError):
                    log.warning("my availability not read: %s", describe(exc))
                self._set(self.since_ms, describe(exc))
                return
        if entry is None:
            self._set(self.since_ms, "Crisp does not list you among these websites' "
                                     "operator availabilities")
            return
        if heard != self._heard:
            return  # an event about "me" arrived meanwhile: it is newer than this answer
        kind = availability_type(entry.get("type"))
        if kind is not None:
            self._store.update_operator(me, {"availability": kind})
        time = entry.get("time")
        since = time.get("since") if isinstance(time, dict) else None
        valid = isinstance(since, int) and not isinstance(since, bool) and since > 0
        self._set(since if valid else None, "")

    async def _read(self, me: str) -> dict[str, Any] | None:
        """"me"'s entry from the first website that lists it; None when none does."""
        for website_id in self._websites()[:MAX_WEBSITES]:
            try:
                self.requests += 1
                items = await self._api.operator_availabilities(website_id)
            except (NotFoundError, NotSubscribedError):
                continue  # the website went meanwhile (a 403 is the token's: raised)
            entry = next((i for i in items if i.get("user_id") == me), None)
            if entry is not None:
                return entry
        return None

    def _set(self, since_ms: int | None, problem: str) -> None:
        if (since_ms, problem) == (self.since_ms, self.problem):
            return
        self.since_ms, self.problem = since_ms, problem
        self._observers.notify()

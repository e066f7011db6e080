"""The client's health, for the status bar and the panels: one frozen snapshot, observed.

``client.health`` is the current ``Health``; ``client.add_health_observer(cb)`` calls
``cb(health)`` on the event loop, synchronously, each time the snapshot changes (never twice
with an equal one), and returns the function that unsubscribes. Observers must not raise
(what they raise is logged and swallowed).

``Health`` fields:

- ``catching_up``: the console owes Crisp a catch-up (after start-up or a reconnect of the
  live feed) or the fetch of a conversation it heard of over RTM and does not show (a
  provisional row's fetch counts only once it fails: fetches.py ``behind``). Until it is
  done the list may miss conversations or messages: show "catching up". The work is retried with
  backoff until it succeeds (through REST outages, a spent quota: then it waits for the
  reset), so this stays True for as long as that takes.
- ``catchup_problem``: while ``catching_up``, why the last attempt failed, in words ("" when
  no attempt failed yet). Cleared once the catch-up succeeds.
- ``quota_resets_at``: while the daily API quota is spent, when it resets (an aware UTC
  datetime: show it in local time, "resets at HH:MM"); None while requests go out (again:
  after a probe succeeds, or once the reset time has passed). Background work waits for
  it; the user's actions fail at once with QuotaExceededError (its ``resets_at`` too).
- ``offline``: Crisp's REST API cannot be reached: the last request could not connect
  (refused, no route, DNS, connect timeout) and none was answered since (api/reach.py). Not
  set by a refusal, a 5xx or a spent quota: Crisp is there. Show that saved data can be read
  and replies queue.
- ``feed_silent_since``: the live feed's relay has answered nothing since then (the gateway's
  ``monotonic`` clock): no pong to the watchdog's pings for ``stall_after`` seconds, or the
  reconnect's attempts and probes time out (realtime/liveness.py). None while it answers, or
  refuses connections outright (that is down, not silent: the connection state says so).
- ``requests_unanswered_since``: Crisp's REST API has answered none of the console's waiting
  requests since then (the client's ``clock``), for ``no_answer_after`` seconds or more (or
  a request timed out with no answer since); None while it answers (api/reach.py).
  ``not_responding`` is either: show "Not responding" (not "Connected", not "Offline").
  Neither costs a request: the pings ride the open socket, and the requests are the
  console's own.
- ``denied``: feature -> words, for every feature Crisp refused with 403 (the token lacks a
  scope). The words say what is unavailable and why; show them where the feature lives.
  A later success removes the key. Keys (build them with the functions below):

  * ``LIVE_FEED`` ("live_feed"): no live feed. Get Connect Endpoints was refused, or the
    RTM server refused the authentication for good. Nothing arrives live; no catch-up is
    owed (there is nothing to catch up with).
  * ``OPERATORS`` ("operators"): the operators could not be listed: "me" is unknown
    (``client.me`` is None unless configured), the assignment picker is empty.
  * ``conversations_of(W)`` ("conversations:W"): the conversations of website W: show the
    words instead of its rows.
  * ``website_details_of(W)`` ("website_details:W"): website W's details: its name is its id.
  * ``team_settings_of(W)`` ("team_settings:W"): website W's plugin subscription settings:
    the team's canned responses and default reply mode are unavailable (defaults apply).

  ``Health.denied_for(key)`` reads one (None when allowed).

The people panel's sections are denied per conversation, on ``ConversationDetails.denied``
(section -> words), not here: see ``SECTIONS``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from crisp_console.api import QuotaGate
from crisp_console.observers import Observed

log = logging.getLogger("crisp_console.client")

LIVE_FEED = "live_feed"
OPERATORS = "operators"

# ConversationDetails.denied keys: the thread's messages and the people panel's sections.
SECTIONS = ("messages", "pages", "events", "profile", "data", "person_events",
            "past_conversations")

_EMPTY: Mapping[str, str] = MappingProxyType({})
RESET_SLACK = 0.1  # seconds after the quota's reset time to look at the gate again


def conversations_of(website_id: str) -> str:
    return f"conversations:{website_id}"


def website_details_of(website_id: str) -> str:
    return f"website_details:{website_id}"


def team_settings_of(website_id: str) -> str:
    return f"team_settings:{website_id}"


@dataclass(frozen=True)
class Health:
    """A snapshot; see the module docstring for what each field means."""

    catching_up: bool = False
    catchup_problem: str = ""
    quota_resets_at: datetime | None = None
    offline: bool = False
    feed_silent_since: float | None = None
    requests_unanswered_since: float | None = None
    denied: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def not_responding(self) -> bool:
        """Crisp answers nothing: its live feed's relay, or its REST API."""
        return self.feed_silent_since is not None or self.requests_unanswered_since is not None

    def denied_for(self, key: str) -> str | None:
        """The words for a denied feature, or None when it is allowed."""
        return self.denied.get(key)


HealthObserver = Callable[[Health], None]


class HealthMonitor(Observed[[Health]]):
    """Builds ``Health`` from its owners and tells observers when it changes.

    It owns only the denials; ``catching_up`` and ``catchup_problem`` are read from
    ``sources`` (the catch-up and the owed fetches own them) and the quota from the gate.
    Owners call ``refresh()`` after a change.
    """

    def __init__(self, gate: QuotaGate, *, catching_up: Callable[[], bool],
                 problem: Callable[[], str],
                 offline: Callable[[], bool] = lambda: False,
                 feed_silent: Callable[[], float | None] = lambda: None,
                 unanswered: Callable[[], float | None] = lambda: None,
                 no_answer_after: float = 6.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``offline``: whether Crisp cannot be reached now; ``feed_silent``: since when the
        live feed's relay is silent; ``unanswered``: since when REST requests wait with no
        answer (``clock`` time), which says "not responding" once ``no_answer_after``
        seconds old. Their owners call refresh() on every change."""
        super().__init__(log, "health observer")
        self._gate = gate
        self._offline = offline
        self._feed_silent = feed_silent
        self._unanswered = unanswered
        self._no_answer_after = no_answer_after
        self._clock = clock
        self._silence_timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._catching_up = catching_up
        self._problem = problem
        self._denied: dict[str, str] = {}
        self._current = Health()
        self._refreshing = False
        self._again = False
        self._reset_timer: asyncio.TimerHandle | None = None
        self._unobserve = gate.observe(self._on_gate)

    @property
    def current(self) -> Health:
        return self._current

    def close(self) -> None:
        self._closed = True
        self._unobserve()
        self._observers.clear()
        for timer in (self._reset_timer, self._silence_timer):
            if timer is not None:
                timer.cancel()

    def _on_gate(self, spent: bool, resets_at: datetime | None) -> None:
        """The gate reopens by itself at ``resets_at`` only when it is next read: read it
        then, so that ``quota_resets_at`` goes back to None even if nothing is owed."""
        if self._reset_timer is not None:
            self._reset_timer.cancel()
            self._reset_timer = None
        if spent and resets_at is not None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop (a synchronous test): read when next refreshed
                pass
            else:
                wait = (resets_at - self._gate.now()).total_seconds()
                self._reset_timer = loop.call_later(max(0.0, wait) + RESET_SLACK,
                                                    self.refresh)
        self.refresh()

    def deny(self, key: str, words: str) -> None:
        if self._denied.get(key) != words:
            log.warning("not allowed: %s", words)
            self._denied[key] = words
            self.refresh()

    def allow(self, key: str) -> None:
        if self._denied.pop(key, None) is not None:
            log.info("allowed again: %s", key)
            self.refresh()

    def refresh(self) -> None:
        """Recompute; notify observers if the snapshot changed. Re-entrant calls (the gate
        notifies while it is read) fold into one more pass."""
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        try:
            while True:
                self._again = False
                snapshot = self._snapshot()
                if snapshot != self._current:
                    self._current = snapshot
                    self._observers.notify(snapshot)
                if not self._again:
                    return
        finally:
            self._refreshing = False

    def _snapshot(self) -> Health:
        catching_up = self._catching_up()
        return Health(catching_up=catching_up,
                      catchup_problem=self._problem() if catching_up else "",
                      quota_resets_at=self._gate.resets_at, offline=self._offline(),
                      feed_silent_since=self._feed_silent(),
                      requests_unanswered_since=self._requests_unanswered(),
                      denied=MappingProxyType(dict(self._denied)) if self._denied else _EMPTY)

    def _requests_unanswered(self) -> float | None:
        """Since when requests wait with no answer, once that is ``no_answer_after`` old;
        until then a timer looks again when it will be."""
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None
        since = self._unanswered()
        if since is None:
            return None
        wait = since + self._no_answer_after - self._clock()
        if wait <= 0:
            return since
        if self._closed:  # requests settling while the client closes: no timer left behind
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous test): looked at when next refreshed
            return None
        self._silence_timer = loop.call_later(wait, self.refresh)
        return None

"""Whether Crisp's REST API can be reached, and whether it answers, as the requests found it.

A request whose connection could not be made (refused, no route, DNS, connect timeout) says
"unreachable"; any answer from Crisp, whatever its status, says "reachable". A cut after the
request left, a 5xx or a spent quota say nothing here: Crisp is there, it answered or may
have (the health's other fields speak for those). The client's health reads it (``offline``).

Every Crisp request also tells how long it waited (``sent()``, then ``settled()``):
``unanswered_since`` is since when Crisp has answered none of the requests that wait, or
since the start of one that timed out with no answer since. That is the health's "not
responding" (client/health.py applies the threshold); it costs no request of its own.
"""

from __future__ import annotations

import enum
import itertools
import logging
import time
from collections.abc import Callable

from crisp_console.observers import Observed, Observers

log = logging.getLogger("crisp_console.api")

ReachObserver = Callable[[bool], None]


class Settled(enum.Enum):
    """How a request's wait ended."""

    ANSWERED = enum.auto()  # Crisp answered (any status)
    TIMED_OUT = enum.auto()  # it left, and no answer came in time: Crisp is silent
    REFUSED = enum.auto()  # it never left (no connection): down or offline, not silent
    OTHER = enum.auto()  # cancelled, cut, closed: says nothing of Crisp


class Reach(Observed[[bool]]):
    """Observed: ``callback(offline)`` when it changes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(log, "reach observer")
        self._offline = False
        self._clock = clock
        self._tokens = itertools.count()
        self._pending: dict[int, float] = {}  # token -> when it was sent
        self._answered_at: float | None = None
        self._timed_out_since: float | None = None  # a timeout, and no answer since
        self._unanswered_since: float | None = None
        self.waits: Observers[[float | None]] = Observers(log, "reach wait observer")
        self.answers: Observers[[int]] = Observers(log, "reach answer observer")

    @property
    def offline(self) -> bool:
        """The last Crisp request could not connect, and none has been answered since."""
        return self._offline

    @property
    def unanswered_since(self) -> float | None:
        """Since when (``clock``) Crisp owes an answer: the oldest waiting request's start or
        the last answer, whichever is later, or the start of a request that timed out with
        no answer since. None while nothing waits. ``waits`` observers hear every change;
        ``answers`` observers hear the status of every answer."""
        return self._unanswered_since

    def sent(self) -> int:
        """A Crisp request leaves; returns its token for ``settled()``."""
        token = next(self._tokens)
        self._pending[token] = self._clock()
        self._update()
        return token

    def settled(self, token: int, how: Settled, status: int = 0) -> None:
        """The request of ``token`` ended (``status``: the answer's, when ANSWERED)."""
        started = self._pending.pop(token, None)
        if started is None:
            return
        if how is Settled.ANSWERED:
            self._answered_at = self._clock()
            self._timed_out_since = None
        elif how is Settled.TIMED_OUT:
            if self._timed_out_since is None:
                self._timed_out_since = max(started, self._answered_at or started)
        elif how is Settled.REFUSED:
            self._timed_out_since = None
        self._update()
        if how is Settled.ANSWERED:
            self.answers.notify(status)

    def _update(self) -> None:
        since: float | None = None
        if self._pending:
            oldest = min(self._pending.values())
            since = max(oldest, self._answered_at) if self._answered_at is not None else oldest
        if self._timed_out_since is not None:
            since = min(since, self._timed_out_since) if since is not None \
                else self._timed_out_since
        if since != self._unanswered_since:
            self._unanswered_since = since
            self.waits.notify(since)

    def answered(self) -> None:
        self._set(False)

    def unreachable(self) -> None:
        self._set(True)

    def _set(self, offline: bool) -> None:
        if offline != self._offline:
            self._offline = offline
            log.info("Crisp %s", "cannot be reached" if offline else "answers again")
            self._observers.notify(offline)

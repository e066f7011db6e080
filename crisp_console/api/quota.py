"""The daily quota: telling a spent quota from a rate limit, and the gate that stops asking.

Plugin tokens are exempt from Crisp's rate limits; their one limit is the daily quota, and
a spent quota answers "429 or 420" with an undocumented body (crisp-api.md §6, §10 row 2).
So a 429/420 is a short rate limit only when it carries a short Retry-After; anything else
(no Retry-After, a long one, reason ``quota_limited``) means the quota is spent until the
next 00:00 UTC. The console treats every token as a plugin token.

While the quota is spent, ``QuotaGate`` refuses requests locally instead of spending them:
one probe per ``probe_interval`` goes out to learn whether Crisp counts again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from crisp_console.errors import QuotaExceededError, RateLimitError
from crisp_console.observers import Observers

log = logging.getLogger("crisp_console.api")

QUOTA_REASON = "quota_limited"
PROBE_INTERVAL = 60.0

GateObserver = Callable[[bool, datetime | None], None]


def next_midnight(now: datetime) -> datetime:
    """The next 00:00 UTC after ``now`` (aware)."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def is_quota(err: RateLimitError, short: float) -> bool:
    """True when a 429/420 means the daily quota is spent rather than a short rate limit."""
    return err.reason == QUOTA_REASON or err.retry_after is None or err.retry_after > short


def quota_resets_at(now: datetime, retry_after: float | None) -> datetime:
    """The next 00:00 UTC, or ``now + retry_after`` when that is sooner."""
    midnight = next_midnight(now)
    # Compared as floats first: a Retry-After of 1e300 s must not overflow a timedelta.
    if retry_after is not None and retry_after < (midnight - now).total_seconds():
        return now + timedelta(seconds=retry_after)
    return midnight


def quota_error(err: RateLimitError, resets_at: datetime) -> QuotaExceededError:
    """``err`` (a 429/420 Crisp answered) as the spent-quota error it means."""
    message = err.message or f"the daily API quota is spent until {resets_at:%H:%M} UTC"
    return QuotaExceededError(err.status, err.reason, message, err.data, err.retry_after,
                              resets_at=resets_at)


class QuotaGate:
    """Open, or spent until ``resets_at``.

    While spent, ``admit()`` refuses every request but one per ``probe_interval`` (the
    probe); any success (``reopen()``) or reaching ``resets_at`` opens it again. Observers
    hear ``(spent, resets_at)`` on every change. ``wall`` gives epoch seconds (the quota's
    UTC day), ``clock`` monotonic seconds (probe spacing); both are injectable for tests.
    """

    def __init__(self, *, probe_interval: float = PROBE_INTERVAL,
                 wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.probe_interval = probe_interval
        self._wall = wall
        self._clock = clock
        self._resets_at: datetime | None = None
        self._next_probe = 0.0  # clock time of the next probe slot while spent
        self._observers: Observers[[bool, datetime | None]] = Observers(log, "quota gate observer")

    def __repr__(self) -> str:
        return f"QuotaGate(spent={self.spent}, resets_at={self._resets_at})"

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    @property
    def spent(self) -> bool:
        """True while the quota is spent; reaching ``resets_at`` reopens the gate."""
        if self._resets_at is not None and self.now() >= self._resets_at:
            log.info("daily API quota: reset time reached, requests resume")
            self._set(None)
        return self._resets_at is not None

    @property
    def resets_at(self) -> datetime | None:
        """When the quota resets (aware UTC), or None while the gate is open."""
        return self._resets_at if self.spent else None

    def observe(self, callback: GateObserver) -> Callable[[], None]:
        """Call ``callback(spent, resets_at)`` on every change; returns an unsubscribe."""
        return self._observers.add(callback)

    def close(self, resets_at: datetime) -> None:
        """Crisp refused a request for quota: spent until ``resets_at``."""
        if not self.spent:
            self._next_probe = self._clock() + self.probe_interval
            log.warning("daily API quota spent: requests stop until %s (one probe per %g s)",
                        f"{resets_at:%Y-%m-%d %H:%M} UTC", self.probe_interval)
        if resets_at != self._resets_at:
            self._set(resets_at)

    def reopen(self) -> None:
        """A request succeeded: Crisp counts again."""
        if self._resets_at is not None:
            log.info("daily API quota: a request succeeded, requests resume")
            self._set(None)

    def admit(self) -> bool:
        """True when a request may go out: the gate is open, or this request takes the due
        probe slot (the next one is then ``probe_interval`` away). False: refuse it."""
        if not self.spent:
            return True
        now = self._clock()
        if now < self._next_probe:
            return False
        self._next_probe = now + self.probe_interval
        return True

    def probing(self) -> bool:
        """True while spent: an admitted request is then the probe (it is never retried)."""
        return self._resets_at is not None

    def seconds_to_wait(self) -> float:
        """While spent: seconds until the next probe slot or the reset, whichever is first
        (0 when one is due). Open: 0."""
        if not self.spent or self._resets_at is None:
            return 0.0
        to_probe = self._next_probe - self._clock()
        to_reset = (self._resets_at - self.now()).total_seconds()
        return max(0.0, min(to_probe, to_reset))

    def refusal(self) -> QuotaExceededError:
        """The error a locally refused request raises."""
        resets_at = self._resets_at or next_midnight(self.now())
        return QuotaExceededError(
            429, QUOTA_REASON,
            f"the daily API quota is spent until {resets_at:%H:%M} UTC; not sent",
            resets_at=resets_at, local=True)

    def _set(self, resets_at: datetime | None) -> None:
        self._resets_at = resets_at
        self._observers.notify(resets_at is not None, resets_at)

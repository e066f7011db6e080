"""How hard the REST layer tries (RetryPolicy) and how much daily quota it spent (QuotaMeter).

Plugin tokens are exempt from Crisp's per-route limits but have a daily request quota
(crisp-api.md §6: 5,000 a day by default, reset each UTC day). Crisp reports no remaining
count, so the console keeps its own estimate of what it spent.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crisp_console.observers import Observers

log = logging.getLogger("crisp_console.api")

QuotaObserver = Callable[[date, int], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request tries; delays in seconds. Every loop is bounded in attempts AND
    time, whatever the server says.

    Network errors and 5xx (retry-safe requests only): at most ``max_attempts`` attempts and
    ``max_elapsed`` seconds from the first, with jittered exponential backoff (``jitter`` is
    the fraction of a delay that is randomised).

    429/420: a Retry-After of at most ``rate_limit_short`` seconds is a rate limit: every
    request of the client pauses for max(Retry-After, ``rate_limit_min_delay`` doubled per
    repeat), at most ``rate_limit_attempts`` times and ``rate_limit_max_wait`` seconds in
    all, then RateLimitError. Any other 429/420 means the daily quota is spent (api/quota.py).
    """

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: float = 0.5
    max_elapsed: float = 30.0
    rate_limit_short: float = 30.0
    rate_limit_min_delay: float = 1.0
    rate_limit_attempts: int = 4
    rate_limit_max_wait: float = 60.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Delay before retry number ``retry`` (1-based): exponential, capped, jittered down."""
        delay = min(self.max_delay, self.base_delay * 2 ** min(retry - 1, 60))
        return delay * (1.0 - self.jitter * rng.random())

    def rate_limit_delay(self, limited: int, retry_after: float | None) -> float:
        """Pause after the ``limited``-th (1-based) rate-limited answer to one request: the
        server's delay, but never under a floor that doubles per repeat (a Retry-After of 0
        must not turn into a busy loop). Never shorter than the server asked: a pause that
        would break ``rate_limit_max_wait`` is not taken at all (see http._Budget)."""
        floor = self.rate_limit_min_delay * 2 ** min(limited - 1, 60)
        return max(retry_after or 0.0, floor)


class RetryBudget:
    """What one request may still spend on retries: attempts and seconds (``clock`` is
    monotonic). Delays are counted as asked too, so the bounds hold even if a test's sleep
    does not move the clock."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.policy = policy
        self._clock = clock
        self._start = clock()
        self.failures = 0  # network errors and 5xx
        self._backed_off = 0.0  # their delays (counted even if a test's sleep takes none)
        self._limited = 0  # rate-limited answers
        self._paused = 0.0  # rate-limit pauses waited, this request's or another's

    def failure(self, delay: float) -> float | None:
        """Count a failure; the delay before the next attempt, or None: give up."""
        self.failures += 1
        elapsed = max(self._clock() - self._start, self._backed_off)
        if self.failures >= self.policy.max_attempts \
                or elapsed + delay > self.policy.max_elapsed:
            return None
        self._backed_off += delay
        return delay

    def limited(self, retry_after: float | None) -> float | None:
        """Count a rate-limited answer; the pause it asks for, or None: give up."""
        self._limited += 1
        if self._limited > self.policy.rate_limit_attempts:
            return None
        delay = self.policy.rate_limit_delay(self._limited, retry_after)
        return delay if self._paused + delay <= self.policy.rate_limit_max_wait else None

    def pause(self, left: float) -> bool:
        """Count ``left`` seconds of pause; False when that breaks the budget."""
        if self._paused + left > self.policy.rate_limit_max_wait * (1 + 1e-9):
            return False
        self._paused += left
        return True


class QuotaMeter:
    """Requests answered by Crisp today (UTC), as far as this client knows.

    It counts what the quota counts: every answered request except rate-limited ones (a
    429/420 was refused at the edge). Requests lost to the network are not counted either:
    whether they reached Crisp is unknown. ``clock`` gives epoch seconds.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._day = self._today()
        self._count = 0
        self._observers: Observers[[date, int]] = Observers(log, "quota observer")

    def _today(self) -> date:
        return datetime.fromtimestamp(self._clock(), UTC).date()

    def _roll(self) -> None:
        today = self._today()
        if today != self._day:  # a new UTC day: the quota starts again
            self._day, self._count = today, 0

    @property
    def day(self) -> date:
        self._roll()
        return self._day

    @property
    def count(self) -> int:
        self._roll()
        return self._count

    def observe(self, callback: QuotaObserver) -> Callable[[], None]:
        """Call ``callback(day, count)`` after each counted request; returns an unsubscribe."""
        return self._observers.add(callback)

    def record(self) -> None:
        """Count one request and tell the observers."""
        self._roll()
        self._count += 1
        self._observers.notify(self._day, self._count)

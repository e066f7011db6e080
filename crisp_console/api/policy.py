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

log = logging.getLogger("crisp_console.api")

QuotaObserver = Callable[[date, int], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Delays in seconds. ``jitter`` is the fraction of a backoff delay that is randomised."""

    max_attempts: int = 5  # per request, for network errors and 5xx (rate limits: see below)
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: float = 0.5
    rate_limit_default: float = 1.0  # first pause after a 429/420 without Retry-After
    rate_limit_max_wait: float = 300.0  # total pause one request accepts before giving up
    rate_limit_max_delay: float = 60.0  # cap of one default pause as it grows

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Delay before retry number ``retry`` (1-based): exponential, capped, jittered down."""
        delay = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return delay * (1.0 - self.jitter * rng.random())

    def rate_limit_delay(self, limited: int) -> float:
        """Pause after the ``limited``-th consecutive 429/420 that named no Retry-After."""
        cap = max(self.rate_limit_max_delay, self.rate_limit_default)
        return min(cap, self.rate_limit_default * 2 ** (limited - 1))


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
        self._observers: list[QuotaObserver] = []

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
        self._observers.append(callback)

        def unsubscribe() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return unsubscribe

    def record(self) -> None:
        """Count one request and tell the observers."""
        self._roll()
        self._count += 1
        for callback in list(self._observers):
            try:
                callback(self._day, self._count)
            except Exception:  # an observer's bug must not fail the request it observed
                log.exception("quota observer failed")

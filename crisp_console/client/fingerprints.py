"""Client fingerprints: unique per console, strictly increasing, below JavaScript's 2**53.

A reply's fingerprint is how the console recognises its own message in Crisp's history and
echoes (crisp-api.md §1.4). Nothing says Crisp de-duplicates on it (§10 row 4), so two sends
sharing one fingerprint are two messages, and a collision would confirm one reply with
another's message. Milliseconds * 1000 plus three random digits collided 9 times in 4,000
concurrent sends; this source cannot collide with itself: every value is larger than the one
before, whatever the clock does. A random offset inside the millisecond (drawn once per
source) keeps two consoles that start together apart, and the values stay within the range
node's types (and JavaScript numbers) hold exactly.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

SAFE_LIMIT = 2 ** 53  # Number.MAX_SAFE_INTEGER + 1
SLOT = 1000  # values per millisecond


def wall_ms() -> int:
    return int(time.time() * 1000)


class FingerprintSource:
    """``next()`` gives max(last + 1, now_ms * 1000 + salt): strictly increasing per source.

    ``clock`` gives epoch milliseconds, ``rng`` draws the salt (0..999) once; both are
    injectable for tests. Thread-safe, so one source can serve a whole process.
    """

    def __init__(self, *, clock: Callable[[], int] = wall_ms,
                 rng: random.Random | None = None) -> None:
        self._clock = clock
        self._rng = rng if rng is not None else random.SystemRandom()
        self._salt = self._rng.randrange(SLOT)
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            # A clock past the year 2255 (or absurd) still yields a value in range.
            slot = (max(0, self._clock()) * SLOT) % SAFE_LIMIT
            value = max(self._last + 1, slot + self._salt)
            if value >= SAFE_LIMIT:
                # Only after ~2**53 draws, or a clock at the end of the range: start again
                # low, with a fresh salt (uniqueness over centuries is not at stake).
                self._salt = self._rng.randrange(SLOT)
                value = self._salt + 1
            self._last = value
            return value


# One source per process: every client of this console draws from it, so two sign-ins in
# one process cannot collide either.
PROCESS_FINGERPRINTS = FingerprintSource()


def new_fingerprint() -> int:
    """The next fingerprint of this process (see FingerprintSource)."""
    return PROCESS_FINGERPRINTS.next()

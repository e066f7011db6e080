"""Owed work: background REST work that must happen eventually, retried until it succeeds.

A catch-up after a reconnect, or the fetch of a conversation heard of over RTM, must not be
dropped because REST failed for a few seconds (issue 11: 17 of 314 conversations were lost
that way). ``Retrier.run`` repeats an attempt with jittered exponential backoff, each delay
at most ``cap`` seconds, for as long as it takes; while the daily quota is spent it waits
for the quota gate (``api.wait_quota()``: at most one probe a minute) instead of looping.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from crisp_console.api import CrispApi
from crisp_console.client.words import describe
from crisp_console.errors import ClosedError, CrispError, QuotaExceededError

log = logging.getLogger("crisp_console.client")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]
FailureHook = Callable[[BaseException], None]


class Retrier:
    """``run(attempt)`` until it succeeds; ``sleep`` and ``rng`` are injectable for tests."""

    def __init__(self, api: CrispApi, *, base: float, cap: float, sleep: Sleep = asyncio.sleep,
                 rng: random.Random | None = None) -> None:
        self.api = api
        self.base = base
        self.cap = cap
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()

    def delay(self, failures: int) -> float:
        """Before retry ``failures`` (1-based): base * 2**(n-1), capped, jittered to 50-100 %."""
        nominal = min(self.cap, self.base * 2 ** min(failures - 1, 60))
        return nominal * (0.5 + 0.5 * self._rng.random())

    async def run(self, attempt: Callable[[], Awaitable[T]], *, what: str,
                  final: tuple[type[BaseException], ...] = (),
                  on_failure: FailureHook | None = None, loud: bool = True) -> T:
        """The result of the first ``attempt()`` that succeeds.

        Errors in ``final`` propagate at once (the work is moot: a 404, a 403...), and so do
        ClosedError and anything that is not a CrispError (a bug). Every other CrispError
        is told to ``on_failure`` and retried after a delay; a spent quota is retried once
        the gate reopens. ``loud``: the first failure is logged at WARNING (else INFO: many
        small debts failing together would flood the log).
        """
        failures = 0
        while True:
            try:
                await self.api.wait_quota()
                return await attempt()
            except final:
                raise
            except ClosedError:
                raise
            except QuotaExceededError as exc:
                if on_failure is not None:
                    on_failure(exc)
                if self.api.gate.spent:
                    log.info("%s waits for the daily quota (resets at %s UTC)", what,
                             f"{exc.resets_at:%H:%M}")
                    continue  # wait_quota() above: one probe per interval, no loop
                failures += 1  # the gate is open again already: back off all the same
                await self._sleep(self.delay(failures))
            except CrispError as exc:
                failures += 1
                if on_failure is not None:
                    on_failure(exc)
                delay = self.delay(failures)
                log.log(logging.WARNING if loud and failures == 1 else logging.INFO,
                        "%s failed (%s); retry %d in %.2f s", what, describe(exc), failures,
                        delay)
                await self._sleep(delay)

"""Owed work: background REST work that must happen eventually, retried until it succeeds.

A catch-up after a reconnect, or the fetch of a conversation heard of over RTM, must not be
dropped because REST failed for a few seconds (issue 11: 17 of 314 conversations were lost
that way). ``Retrier.run`` repeats an attempt with jittered exponential backoff, each delay
at most ``cap`` seconds, for as long as it takes; while the daily quota is spent it waits
for the quota gate (``api.wait_quota()``: at most one probe a minute) instead of looping.

The backoff is shared by all the owed work of a client: they talk to the same Crisp. Once an
attempt failed, the others do not each hammer it: they take turns, one attempt at a time,
each after the current delay; the first success lets all of them go at once again. During
an outage of any length the owed work costs one request per delay, however much is owed.
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


class _Failed(Exception):
    """An attempt failed in a way worth retrying (wraps the CrispError)."""

    def __init__(self, error: CrispError) -> None:
        super().__init__(str(error))
        self.error = error


class Retrier:
    """``run(attempt)`` until it succeeds; ``sleep`` and ``rng`` are injectable for tests."""

    def __init__(self, api: CrispApi, *, base: float, cap: float, sleep: Sleep = asyncio.sleep,
                 rng: random.Random | None = None) -> None:
        self.api = api
        self.base = base
        self.cap = cap
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self.failures = 0  # consecutive failed attempts, all owed work together
        self._turn = asyncio.Lock()  # while failing: one attempt at a time

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
        is told to ``on_failure`` and retried after the shared delay; a spent quota is
        retried once the gate reopens. ``loud``: this work's first failure is logged at
        WARNING (else INFO: many small debts failing together would flood the log).
        """
        mine = 0  # this work's failures, for the log
        while True:
            try:
                await self.api.wait_quota()
                return await self._take_turn(attempt, final)
            except _Failed as failed:
                exc = failed.error
                mine += 1
                if on_failure is not None:
                    on_failure(exc)
                if isinstance(exc, QuotaExceededError):
                    if self.api.gate.spent:
                        log.info("%s waits for the daily quota (resets at %s UTC)", what,
                                 f"{exc.resets_at:%H:%M}")
                        continue  # wait_quota() above: one probe per interval, no loop
                    self.failures += 1  # open again already: take turns all the same
                log.log(logging.WARNING if loud and mine == 1 else logging.INFO,
                        "%s failed (%s); retrying in turn, next in about %.2f s", what,
                        describe(exc), self.delay(self.failures))

    async def _take_turn(self, attempt: Callable[[], Awaitable[T]],
                         final: tuple[type[BaseException], ...]) -> T:
        if self.failures:
            async with self._turn:
                if self.failures:  # still failing: this turn's attempt, after the delay
                    await self._sleep(self.delay(self.failures))
                    return await self._attempt(attempt, final)
        return await self._attempt(attempt, final)  # REST answers: no need to queue

    async def _attempt(self, attempt: Callable[[], Awaitable[T]],
                       final: tuple[type[BaseException], ...]) -> T:
        try:
            result = await attempt()
        except final:
            self.failures = 0  # Crisp answered: the work is moot, REST is fine
            raise
        except ClosedError:
            raise
        except QuotaExceededError as exc:
            raise _Failed(exc) from exc  # the quota gate paces these
        except CrispError as exc:
            self.failures += 1
            raise _Failed(exc) from exc
        self.failures = 0
        return result

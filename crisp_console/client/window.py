"""The window of list pages in flight: at most ``size`` List Conversations requests out at once
per website, handed out in order of need.

Crisp's list routes are independent per page, so a few pages of a website can be out at once
(views.py applies their answers in page order). A read asks for a slot with a rank, lowest
first: what the view on screen needs (``VIEW``) before the backfill's read-ahead
(``BACKFILL``), then in the order asked. No slot is handed out while the REST layer's shared
rate-limit pause lasts (a 429 with a short Retry-After, api/http.py): launching stops on a
429 and resumes once its Retry-After is waited out.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import Counter
from collections.abc import Callable

from crisp_console.client.retry import Sleep

VIEW = 0  # the list on screen, start-up: first
BACKFILL = 1  # reading ahead, to make the counts exact


class PageWindow:
    """``size`` slots per website. ``resume_at()``: the clock time the REST layer's shared
    rate-limit pause lasts until (``clock``'s, monotonic); ``sleep`` waits it out."""

    def __init__(self, size: int, *, resume_at: Callable[[], float],
                 clock: Callable[[], float], sleep: Sleep) -> None:
        self.size = max(1, size)
        self._resume_at, self._clock, self._sleep = resume_at, clock, sleep
        self._busy: Counter[str] = Counter()  # slots taken, per website
        self._queue: dict[str, list[tuple[int, int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()
        self.most = 0  # the most slots one website ever had taken at once
        self._freed: asyncio.Future[None] | None = None

    def freed(self) -> asyncio.Future[None]:
        """Done at the next release of any slot (a reader may then launch more)."""
        if self._freed is None or self._freed.done():
            self._freed = asyncio.get_running_loop().create_future()
        return self._freed

    def in_flight(self, website_id: str) -> int:
        return self._busy[website_id]

    def room(self, website_id: str) -> bool:
        """A slot of ``website_id`` is free and nobody waits for one."""
        return self._busy[website_id] + len(self._queue.get(website_id, ())) < self.size

    async def acquire(self, website_id: str, rank: int) -> None:
        """Wait for a slot of ``website_id`` (``rank``: VIEW or BACKFILL), then for the end of
        any rate-limit pause; ``release()`` it after the request."""
        if self._busy[website_id] >= self.size or self._queue.get(website_id):
            waiter = asyncio.get_running_loop().create_future()
            heapq.heappush(self._queue.setdefault(website_id, []),
                           (rank, next(self._order), waiter))
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self.release(website_id)  # handed a slot as it was cancelled
                else:
                    self._forget(website_id, waiter)
                raise
        else:
            self._take(website_id)
        try:
            await self._wait_pause()
        except BaseException:
            self.release(website_id)
            raise

    async def _wait_pause(self) -> None:
        """Sleep out the pause, then only what a later 429 added meanwhile: the loop ends
        even if the clock did not move (a test's sleep)."""
        waited_until = self._clock()
        while (until := self._resume_at()) > waited_until:
            left, waited_until = until - waited_until, until
            await self._sleep(left)

    def release(self, website_id: str) -> None:
        self._busy[website_id] -= 1
        if self._freed is not None and not self._freed.done():
            self._freed.set_result(None)
        queue = self._queue.get(website_id)
        while queue:
            _rank, _n, waiter = heapq.heappop(queue)
            if not waiter.done():
                self._take(website_id)
                waiter.set_result(None)
                break
        if queue is not None and not queue:
            del self._queue[website_id]

    def _take(self, website_id: str) -> None:
        self._busy[website_id] += 1
        self.most = max(self.most, self._busy[website_id])

    def _forget(self, website_id: str, waiter: asyncio.Future[None]) -> None:
        queue = self._queue.get(website_id, [])
        queue[:] = [entry for entry in queue if entry[2] is not waiter]
        heapq.heapify(queue)
        if not queue:
            self._queue.pop(website_id, None)

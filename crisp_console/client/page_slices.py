"""A page of conversations into the store a slice at a time, each slice in its own turn.

Applied at once, a REST page of 50 conversations (the backfill's, a view's next page) held
the loop 5-30 ms while live events waited behind it (scripts/bench_events.py, the pager's
steps; 1-3 ms a slice of 10). The rows go in as they would at once; the listing's own
bookkeeping stays with the pager, in page order (views.py ``_take``). The catch-up's rows
take the same turns (catchup.py).

Slicing alone was not enough: the backfill keeps up to a dozen pages in flight (a window per
website), and each took a slice on every turn of the loop, so a turn could run a dozen
slices before the socket was read again. At start-up under a busy feed the pager held about
three quarters of the loop for seconds. So slices take ``Turns``: one slice at a time across
every page, each after the loop's other ready work, and none while a frame of live events
waits (``FrameBatch.settled``): the live feed first, the backfill in the gaps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from crisp_console.core import Store

APPLY_SLICE = 10  # rows put into the store per turn of the loop


async def _no_wait() -> None:
    return None


class Turns:
    """Background slices one at a time, each after the live frame waiting (``after``: a
    coroutine function returning once no frame waits; none: nothing to wait for)."""

    def __init__(self, after: Callable[[], Awaitable[None]] = _no_wait) -> None:
        self._after = after
        self._lock: asyncio.Lock | None = None  # made in the loop that first asks

    async def take(self) -> None:
        """Wait for this slice's turn; the caller runs its slice right after, without
        awaiting, then the next waiter's turn comes on a later turn of the loop."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await asyncio.sleep(0)  # after what is ready now (the socket's reads among it)
            await self._after()


class InStore(list[Any]):
    """A page's answer whose rows are in the store already."""


async def into_store(store: Store, answer: list[Any], current: Callable[[], bool],
                     turns: Turns) -> InStore | None:
    """``answer``'s rows into ``store``, ``APPLY_SLICE`` per turn (``turns``: shared with the
    other pages being read), while ``current()`` holds (the page's listing has not moved
    on); None once it does not."""
    for start in range(0, len(answer), APPLY_SLICE):
        await turns.take()
        if not current():
            return None
        store.upsert_conversations(answer[start:start + APPLY_SLICE])
    return InStore(answer)

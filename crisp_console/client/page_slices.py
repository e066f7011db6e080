"""A page of conversations into the store a slice at a time, the loop free in between.

Applied at once, a REST page of 50 conversations (the backfill's, a view's next page) held
the loop 5-30 ms while live events waited behind it (scripts/bench_events.py, the pager's
steps; 1-3 ms a slice of 10). The rows go in as they would at once; the listing's own
bookkeeping stays with the pager, in page order (views.py ``_take``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from crisp_console.core import Store

APPLY_SLICE = 10  # rows put into the store per turn of the loop


class InStore(list[Any]):
    """A page's answer whose rows are in the store already."""


async def into_store(store: Store, answer: list[Any], current: Callable[[], bool]
                     ) -> InStore | None:
    """``answer``'s rows into ``store``, ``APPLY_SLICE`` per turn of the loop, while
    ``current()`` holds (the page's listing has not moved on); None once it does not."""
    for start in range(0, len(answer), APPLY_SLICE):
        await asyncio.sleep(0)
        if not current():
            return None
        store.upsert_conversations(answer[start:start + APPLY_SLICE])
    return InStore(answer)

"""The backfill: reading the views' lists to their end in the background, so that their
counts become exact without the operator scrolling, within a request budget.

It begins ``config.backfill_delay`` after start-up and keeps each website's window of pages
in flight full (views.py, window.py: ``config.list_window`` per website, the view's own reads
first), ``config.backfill_interval`` between two launches. Which page next, in order of
visible need: the view the operator looks at (the pager's ``focused``) first, then the list
with the fewest pages launched (page n+1 of one before page n+5 of another), in ORDER on a
tie: the views that need an operator (Mentions, not resolved — which holds the pending ones
the list shows first —, Mine, Unread, Unassigned) and every conversation (which makes every
quick filter exact at once, Resolved included), so the small views end in the first rounds.
It stops for good once it has launched ``config.backfill_budget`` requests this session, and
waits while the quota is spent; it also stops once today's requests reach
``config.backfill_quota_share`` of ``config.daily_quota``: what is left of the quota is the
operator's (replies, opening conversations). A failure of one list is logged once and that
list is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

from crisp_console.api import CrispApi
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.listing import UNSENT
from crisp_console.client.views import ViewPager
from crisp_console.client.window import BACKFILL
from crisp_console.client.words import describe
from crisp_console.core.views import ALL_QUERY, ListQuery, quick_query
from crisp_console.core.views import Filter as F
from crisp_console.errors import CrispError, QuotaExceededError

log = logging.getLogger("crisp_console.client")

# On a tie, the views that need an operator first; every conversation last.
ORDER = (F.MENTIONS, F.UNRESOLVED, F.MINE, F.UNREAD, F.UNASSIGNED, F.ALL)


class Backfill:
    def __init__(self, api: CrispApi, pager: ViewPager, config: ClientConfig, clocks: Clocks,
                 *, websites: Callable[[], list[str]], me: Callable[[], str | None]) -> None:
        self._api, self._pager = api, pager
        self._config, self._clocks = config, clocks
        self._websites, self._me = websites, me
        self.spent = 0  # requests this session
        self.stopped = ""  # why it stopped early, in words ("" while it may go on)

    def _low(self) -> str:
        config = self._config
        if self.spent >= config.backfill_budget:
            return f"its budget of {config.backfill_budget} requests is spent"
        if self._api.quota.count >= config.daily_quota * config.backfill_quota_share:
            return "today's API quota is running low"
        return ""

    def _next(self, skipped: set[tuple[ListQuery, str]]) -> tuple[ListQuery, str] | None:
        """The next list to launch a page of, on a website whose window has room: the
        focused view first, then the fewest pages launched, then ORDER."""
        pager = self._pager
        best: tuple[int, int, int, int] | None = None
        found: tuple[ListQuery, str] | None = None
        ahead = 2 * pager.window.size  # pages answered ahead of the one awaited, at most
        for w, wid in enumerate(self._websites()):
            every = pager.listing(ALL_QUERY, wid)
            if every.done or not pager.window.room(wid):
                continue
            # Every conversation's end is in sight: it makes every view exact in a moment.
            closing = every.loading and every.end_hint is not None
            for q, query in enumerate(self._queries()):
                listing = pager.listing(query, wid)
                if (query, wid) in skipped or not listing.can_launch() \
                        or listing.launched - listing.next_page >= ahead \
                        or (closing and query != ALL_QUERY):
                    continue
                rank = (query != pager.focused, listing.launched, q, w)
                if best is None or rank < best:
                    best, found = rank, (query, wid)
        return found

    def _queries(self) -> Iterator[ListQuery]:
        seen: set[ListQuery] = set()
        for kind in ORDER:
            query = quick_query(kind, self._me())
            if query is not None and query not in seen:
                seen.add(query)
                yield query

    async def run(self) -> None:
        """Read until every view is exact, the budget or the quota says stop (after
        ``config.backfill_delay``); returns once its pages are all back."""
        await self._clocks.sleep(self._config.backfill_delay)
        skipped: set[tuple[ListQuery, str]] = set()
        out: dict[asyncio.Future[int], tuple[ListQuery, str]] = {}
        while True:
            why = self._low()
            if why:
                self.stopped = why
                log.info("backfill stopped: %s", why)
                break
            if self._api.gate.spent:
                await self._api.wait_quota()
            target = self._next(skipped)
            if target is None:
                if not out:
                    break
                waits: list[asyncio.Future[Any]] = [*out, self._pager.window.freed()]
                await asyncio.wait(waits,
                                   return_when=asyncio.FIRST_COMPLETED)
                self._landed(out, skipped)
                continue
            query, wid = target
            reader = self._pager.launch(query, wid, why="backfill", rank=BACKFILL)
            if reader is None:  # closing
                break
            self.spent += 1
            out[reader] = target
            self._landed(out, skipped)
            await self._clocks.sleep(self._config.backfill_interval)
        if out:  # what is out lands (or is dropped) before run() returns
            await asyncio.wait(list(out))
            self._landed(out, skipped)

    def _landed(self, out: dict[asyncio.Future[int], tuple[ListQuery, str]],
                skipped: set[tuple[ListQuery, str]]) -> None:
        """Pages back: a failed list is skipped from now on (a spent quota is waited for)."""
        for reader in [r for r in out if r.done()]:
            target = out.pop(reader)
            exc = None if reader.cancelled() else reader.exception()
            if exc is None and not reader.cancelled() and reader.result() == UNSENT:
                self.spent -= 1  # dropped before it was asked: no request spent
                continue
            if exc is None or isinstance(exc, QuotaExceededError):
                continue  # a spent quota: the gate is closed now, the loop waits for it
            if isinstance(exc, CrispError):
                log.info("backfill: skipping %s of %s: %s", target[0].params, target[1],
                         describe(exc))
                skipped.add(target)

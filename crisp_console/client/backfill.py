"""The backfill: reading the views' lists to their end in the background, so that their
counts become exact without the operator scrolling, within a request budget.

It begins ``config.backfill_delay`` after start-up and reads one page at a time,
``config.backfill_interval`` apart, round-robin over the views
that need an operator (Mentions, not resolved — which holds the pending ones the list shows
first —, Mine, Unread, Unassigned) and every conversation (which makes every quick filter
exact at once, Resolved included): the small views end in the first rounds. It stops for
good once it has spent ``config.backfill_budget`` requests this session, and waits while the
quota is spent; it also stops once today's requests reach ``config.backfill_quota_share`` of
``config.daily_quota``: what is left of the quota is the operator's (replies, opening
conversations). A failure of one list is logged once and that list is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from crisp_console.api import CrispApi
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.views import ViewPager
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
        """Round-robin: the open list with the fewest pages read, in ORDER on a tie, so the
        small views end in the first rounds while the big ones go on."""
        pager = self._pager
        best: tuple[int, int, int] | None = None
        found: tuple[ListQuery, str] | None = None
        for w, wid in enumerate(self._websites()):
            if pager.listing(ALL_QUERY, wid).done:
                continue
            for q, query in enumerate(self._queries()):
                listing = pager.listing(query, wid)
                if (query, wid) in skipped or listing.done or listing.loading:
                    continue
                rank = (listing.next_page, q, w)
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
        ``config.backfill_delay``)."""
        await self._clocks.sleep(self._config.backfill_delay)
        skipped: set[tuple[ListQuery, str]] = set()
        while True:
            why = self._low()
            if why:
                self.stopped = why
                log.info("backfill stopped: %s", why)
                return
            target = self._next(skipped)
            if target is None:
                return
            query, wid = target
            if self._api.gate.spent:
                await self._api.wait_quota()
            self.spent += 1
            try:
                await self._pager.read_next(query, wid, why="backfill")
            except QuotaExceededError:
                continue  # the gate is closed now: the loop waits for it
            except CrispError as exc:
                log.info("backfill: skipping %s of %s: %s", query.params, wid, describe(exc))
                skipped.add(target)
            await self._clocks.sleep(self._config.backfill_interval)

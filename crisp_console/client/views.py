"""Paging the inbox's views from Crisp: one ``Listing`` per (query, website), the one owner
of how far each List Conversations query has been read.

A view's rows are the store's (core/views.py); pages only feed the store, so a conversation
read for one view shows in every view it matches, and live events keep them all current.

- ``fetch_more(query, websites)`` reads the next page of the one website that limits the
  merged list: the one whose oldest conversation read is the newest (a website not started
  limits most). A scroll to the end asks again until the view fills or every website's
  query is exhausted.
- A query is exhausted at its first empty page (Crisp gives no total: crisp-api.md §1.3).
  Then the view's count is exact, and stays so: live events and the catch-up bring every
  later change. The empty query (every conversation) exhausted makes every quick filter
  exact, as the predicates are local.
- Pages are numbered, and the list moves while it is read. A conversation that comes in
  above shifts the rest down (a repeat: harmless); one that leaves the query shifts the rest
  up, and the first row of the next page would be skipped. So when a conversation read for
  a query no longer matches it (core's ``query_takes``) the next read starts a page back.
  A server that ignores the page number (pages with nothing new, twice) ends the listing.
- Several pages of a listing may be out at once (window.py: at most ``config.list_window``
  per website), but answers are applied strictly in page order, whichever comes back first,
  so the store, the members and the guards above end exactly as with one page at a time.
  What is out past an end, a shift or a failure is dropped unapplied (a *generation*), and
  the listing goes on from where a single read would. An empty page, or a short one (the
  next is then the only one launched), stops launching: at most ``list_window - 1`` pages
  are asked past the end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Iterable
from typing import Any

from crisp_console.api import CrispApi, Purpose, purpose
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.listing import DROPPED, UNSENT, Listing, ViewState
from crisp_console.client.page_slices import APPLY_SLICE, InStore, Turns, into_store
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.window import VIEW, PageWindow
from crisp_console.client.words import describe
from crisp_console.core import CONVERSATIONS, WEBSITES, Change, ChangeKind, Store
from crisp_console.core.views import ALL_QUERY, ListQuery, query_takes
from crisp_console.errors import CrispError, NotAllowedError, NotFoundError, NotSubscribedError
from crisp_console.observers import Observed

log = logging.getLogger("crisp_console.client")

MAX_PAGES = 2000  # 100k conversations at 50 a page: past that, a server is looping us
_STALE_LIMIT = 2  # pages in a row with nothing new: the server ignores the page number


class ViewPager(Observed[[]]):
    """Observers are called (no arguments) after any listing changed."""

    def __init__(self, api: CrispApi, store: Store, tasks: TaskOwner, config: ClientConfig,
                 clocks: Clocks, *, denied: Callable[[str, NotAllowedError], None],
                 turns: Turns | None = None) -> None:
        super().__init__(log, "view pager observer")
        self._api, self._store, self._tasks = api, store, tasks
        self._turns = turns or Turns()  # the pages' slices, one at a time (page_slices.py)
        self._config, self._clocks = config, clocks
        self._denied = denied
        self._listings: dict[tuple[ListQuery, str], Listing] = {}
        self.window = PageWindow(config.list_window, resume_at=lambda: api.resume_at,
                                 clock=clocks.monotonic, sleep=clocks.sleep)
        self.focused: ListQuery | None = None  # the view the operator looks at (the UI's)
        store.subscribe(self._on_change)
        api.reach.observe(self._on_reach)

    # ---- reading -------------------------------------------------------------------------

    def focus(self, query: ListQuery | None) -> None:
        """The view the operator looks at: the backfill reads it before the others."""
        self.focused = query

    def listing(self, query: ListQuery, website_id: str) -> Listing:
        key = (query, website_id)
        found = self._listings.get(key)
        if found is None:
            found = self._listings[key] = Listing()
        return found

    def state(self, query: ListQuery, website_ids: Iterable[str]) -> ViewState:
        listings = [self.listing(query, wid) for wid in website_ids]
        return ViewState(
            exhausted=all(lst.done for lst in listings),
            loading=any(lst.loading for lst in listings),
            read_at=max((lst.read_at for lst in listings), default=0),
            problem=next((lst.problem for lst in listings if lst.problem), ""))

    def exact(self, query: ListQuery | None, website_ids: Collection[str]) -> bool:
        """Whether the store holds every conversation ``query`` takes on these websites:
        the query, or the one of every conversation, read to its end on each. A view with
        nothing to ask (None) is exact."""
        if query is None:
            return True
        return all(self.listing(query, wid).done or self.listing(ALL_QUERY, wid).done
                   for wid in website_ids)

    def members(self, query: ListQuery) -> frozenset[str]:
        """Session ids Crisp answered for ``query`` so far, on every website."""
        out: set[str] = set()
        for (q, _wid), lst in self._listings.items():
            if q == query:
                out |= lst.members
        return frozenset(out)

    def can_fetch_more(self, query: ListQuery | None, website_ids: Collection[str]) -> bool:
        """Whether a scroll to the end should read more: something is left, and no read
        failed in the last ``config.list_retry_pause`` seconds (the list's every layout
        would ask again: the footer's Retry asks at once)."""
        return bool(self._open(query, website_ids, now=False))

    def _open(self, query: ListQuery | None, website_ids: Collection[str], *,
              now: bool) -> list[tuple[str, Listing]]:
        if query is None:
            return []
        pause_from = self._clocks.monotonic() - self._config.list_retry_pause
        out = []
        for wid in website_ids:
            listing = self.listing(query, wid)
            if listing.done or self.listing(ALL_QUERY, wid).done:
                continue
            if not now and listing.failed_at is not None and listing.failed_at > pause_from:
                continue
            out.append((wid, listing))
        return out

    # ---- reading more --------------------------------------------------------------------

    def fetch_more(self, query: ListQuery | None, website_ids: Collection[str], *,
                   now: bool = False) -> bool:
        """Start reading the next page of the website that limits the view; False when
        nothing is left to read or a read is already out for that view. ``now``: even
        within the pause after a failure (the operator asked)."""
        open_ = self._open(query, website_ids, now=now)
        if query is None or not open_ or any(lst.loading for _wid, lst in open_):
            return False
        wid, _lst = max(open_, key=lambda item: (item[1].oldest is None,
                                                 item[1].oldest or 0, item[0]))
        reader = self.launch(query, wid, why="list", rank=VIEW)
        if reader is None:  # closing
            return False
        reader.add_done_callback(lambda f: self._read_quietly(f, wid))
        return True

    def _read_quietly(self, reader: asyncio.Future[int], website_id: str) -> None:
        if not reader.cancelled() and isinstance(exc := reader.exception(), CrispError):
            log.info("more conversations of %s not listed: %s", website_id, describe(exc))

    async def read_start(self, website_id: str) -> int:
        """Start-up's (and a website's first) next page of every conversation. Lists Crisp
        refused before start over: the scope may be granted again."""
        for key in [k for k, lst in self._listings.items()
                    if k[1] == website_id and lst.denied]:
            del self._listings[key]
        return await self.read_next(ALL_QUERY, website_id, why="start-up")

    async def read_next(self, query: ListQuery, website_id: str, *,
                        why: Purpose = "list") -> int:
        """Read ``query``'s next page on ``website_id`` into the store; how many
        conversations it brought (0: the end, or a read already out). Raises what the API
        raised; a 403 marks the website's conversations refused and ends the listing, as
        does a website gone."""
        while True:
            listing = self.listing(query, website_id)
            if listing.done or listing.loading:
                return 0
            reader = self.launch(query, website_id, why=why, rank=VIEW)
            if reader is None:
                return 0
            count = await reader
            if count >= 0:
                return count

    def launch(self, query: ListQuery, website_id: str, *, why: Purpose,
               rank: int) -> asyncio.Future[int] | None:
        """Launch the listing's next page through the window; the future of how many
        conversations it brought once applied (DROPPED: dropped unapplied; UNSENT: dropped
        before it was asked), or of the error.
        None: nothing to launch (done, past the end) or closing."""
        listing = self.listing(query, website_id)
        if not listing.can_launch():
            return None
        if not listing.loading:  # nothing out: where a single read would start
            if listing.shifted:
                listing.next_page = max(1, listing.next_page - 1)
                listing.shifted = False
            listing.launched = listing.next_page - 1
        page = listing.launched + 1
        reader: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        task = self._tasks.spawn(self._page(query, website_id, listing, page,
                                            listing.generation, why, rank),
                                 f"list page {page} of {website_id}")
        if task is None:
            return None
        listing.launched = page
        listing.readers[page] = reader
        listing.problem, listing.failed_at = "", None
        self._observers.notify()
        return reader

    async def _page(self, query: ListQuery, website_id: str, listing: Listing, page: int,
                    generation: int, why: Purpose, rank: int) -> None:
        """One page: a slot of the window, the request, then its answer applied in order."""
        answer: Any
        try:
            await self.window.acquire(website_id, rank)
        except BaseException:
            self._drop(listing, page, generation, UNSENT)
            raise
        try:
            if listing.generation != generation:  # dropped while it waited for a slot
                self._drop(listing, page, generation, UNSENT)
                return
            else:
                with purpose(why):
                    answer = await self._api.list_conversations(
                        website_id, page, per_page=self._config.per_page, **query.as_params())
        except CrispError as exc:
            answer = exc
        except BaseException:
            self._drop(listing, page, generation)
            raise
        finally:
            self.window.release(website_id)
        if listing.generation != generation:
            self._drop(listing, page, generation)
            return
        if isinstance(answer, list) and len(answer) > APPLY_SLICE:
            try:
                answer = await into_store(self._store, answer,
                                          lambda: listing.generation == generation,
                                          self._turns)
            except BaseException:
                self._drop(listing, page, generation)
                raise
            if answer is None:  # dropped meanwhile (an end, a shift, a failure, a forget)
                self._drop(listing, page, generation)
                return
        if isinstance(answer, list):
            if not answer:
                listing.end_hint = min(page, listing.end_hint or page)
            elif len(answer) < self._config.per_page:
                listing.end_hint = min(page + 1, listing.end_hint or page + 1)
        listing.answers[page] = answer
        self._apply(query, website_id, listing)

    def _apply(self, query: ListQuery, website_id: str, listing: Listing) -> None:
        """Apply the answered pages in page order, from ``next_page`` on."""
        while listing.next_page in listing.answers and not listing.done:
            if listing.shifted:  # a row read left the query: start a page back
                self._restart(listing, max(1, listing.next_page - 1))
                listing.shifted = False
                break
            page = listing.next_page
            answer = listing.answers.pop(page)
            reader = listing.readers.pop(page, None)
            listing.read_at = self._clocks.now_ms()
            if isinstance(answer, CrispError):
                self._failed(website_id, listing, page, answer)
                if reader is not None and not reader.done():
                    reader.set_exception(answer)
                    reader.exception()  # retrieved here too: a quiet reader logs none
                break
            count = self._take(query, website_id, listing, page, answer)
            if reader is not None and not reader.done():
                reader.set_result(count)
        if listing.done:
            self._restart(listing, listing.next_page)
        self._observers.notify()

    def _failed(self, website_id: str, listing: Listing, page: int, exc: CrispError) -> None:
        """A page failed: nothing after it counts; the next read asks it again."""
        self._restart(listing, page)
        if isinstance(exc, NotAllowedError):
            listing.denied = True
            self._denied(website_id, exc)
        elif isinstance(exc, NotFoundError | NotSubscribedError):
            listing.denied = True
        else:
            listing.problem, listing.failed_at = describe(exc), self._clocks.monotonic()

    def _restart(self, listing: Listing, page: int) -> None:
        """Drop whatever is out or waiting; the next launch is ``page``. A page still out
        hears it when it ends (``_drop``): asked or not."""
        old = listing.generation
        listing.generation += 1
        listing.next_page = page
        listing.launched = page - 1
        listing.end_hint = None if not listing.done else listing.end_hint
        readers, listing.readers = listing.readers, {}
        for at, reader in readers.items():
            if at in listing.answers:
                reader.set_result(DROPPED)
            else:
                listing.orphans[(old, at)] = reader
        listing.answers.clear()

    def _drop(self, listing: Listing, page: int, generation: int, why: int = DROPPED) -> None:
        """A page that will never be applied (its generation is gone, or it was cancelled)."""
        reader = (listing.readers.pop(page, None) if generation == listing.generation
                  else listing.orphans.pop((generation, page), None))
        if reader is not None and not reader.done():
            reader.set_result(why)
        if generation != listing.generation or listing.readers or listing.answers:
            return
        if listing.launched >= listing.next_page:  # cancelled: nothing out any more
            listing.launched = listing.next_page - 1
            self._observers.notify()

    def _take(self, query: ListQuery, website_id: str, listing: Listing, page: int,
              batch: list[Any]) -> int:
        """Page ``page``'s answer into the store and the listing, as a single read would."""
        listing.next_page = page + 1
        if listing.end_hint is not None and page >= listing.end_hint and batch:
            listing.end_hint = None  # a short page that was not the end after all
        if not batch:
            listing.exhausted = True
            return 0
        if not isinstance(batch, InStore):  # page_slices.py put it there already
            self._store.upsert_conversations(batch)
        new = 0
        for item in batch:
            sid = item.get("session_id") if isinstance(item, dict) else None
            if isinstance(sid, str) and sid not in listing.members:
                listing.members.add(sid)
                new += 1
            conv = self._store.conversations.get(sid) if isinstance(sid, str) else None
            if conv is not None and (listing.oldest is None or conv.updated_at < listing.oldest):
                listing.oldest = conv.updated_at
        listing.stale = 0 if new else listing.stale + 1
        if listing.stale >= _STALE_LIMIT or listing.next_page > MAX_PAGES:
            log.warning("stopped listing %s of %s: pages bring nothing new", query.params,
                        website_id)
            listing.exhausted = True
        return len(batch)

    # ---- keeping in step -----------------------------------------------------------------

    def forget(self, website_id: str | None = None) -> None:
        """Start over (a website unbound, the store reset): nothing read counts any more."""
        for key in [k for k in self._listings if website_id is None or k[1] == website_id]:
            self._restart(self._listings.pop(key), 1)  # a read still out is dropped
        self._observers.notify()

    def _on_reach(self, offline: bool) -> None:
        """Crisp answers again: a read that failed meanwhile may be asked at once (the
        list asks again if its end is in sight)."""
        if offline:
            return
        failed = [lst for lst in self._listings.values() if lst.failed_at is not None]
        for listing in failed:
            listing.failed_at = None
        if failed:
            self._observers.notify()

    def _on_change(self, c: Change) -> None:
        if c.collection == WEBSITES and c.kind is ChangeKind.REMOVED:
            for wid in c.ids:
                self.forget(wid)
            return
        if c.collection != CONVERSATIONS:
            return
        if c.kind is ChangeKind.RESET:
            self.forget()
        elif c.kind is ChangeKind.CHANGED or c.kind is ChangeKind.REMOVING:
            conversations = self._store.conversations
            for (query, _wid), listing in self._listings.items():
                if listing.done or listing.shifted:
                    continue
                for sid in c.ids:
                    if sid not in listing.members:
                        continue
                    conv = conversations.get(sid)
                    if c.kind is ChangeKind.REMOVING or conv is None \
                            or query_takes(query, conv) is False:
                        listing.shifted = True
                        break

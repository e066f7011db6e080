"""The owed catch-up: filling the gap of a live-feed outage, retried until it succeeds.

A drop of the live feed (or start-up: events between the REST snapshot and the first
authentication) makes a catch-up *owed* from that moment. The debt is kept, the earliest
``since`` winning across repeated drops, until a catch-up run succeeds; a run that fails
(REST down, a spent quota) is retried with backoff (retry.py). A drop during a run is owed
again after it, from that drop. Runs happen only while the live feed is up: events
received live are in the store, so the run's REST reads and the live feed together leave
no hole.

A run: the websites are refreshed, then per website List Conversations ordered by
``updated_at`` is paged until older than ``since`` (minus ``catchup_margin_ms``, against
clock skew), and for each of those conversations whose timeline is loaded, messages are
paged back from the newest with ``timestamp_before`` until a batch reaches a message the
store held before the gap or a timestamp older than ``since`` (bounded in batches), then
merged oldest first. Nothing depends on which batch ``timestamp_after`` answers
(crisp-api.md §10 row 5).

A catch-up after a long drop lists hundreds of conversations at once, just when the feed
comes back busy. So they go into the store ``APPLY_SLICE`` at a time, each slice in its turn
after the live frame (page_slices.py's ``Turns``, shared with the pager). A row a live event
named before its slice went in may be newer than the page: it is left out and fetched again
(``settle``), as one named while the pages were read always was.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import Any

from crisp_console.api import tagged
from crisp_console.client import health
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.owed import OwedWork
from crisp_console.client.page_slices import APPLY_SLICE, Turns
from crisp_console.client.watches import settle
from crisp_console.client.websites import GONE
from crisp_console.client.words import describe
from crisp_console.core import MessageStatus
from crisp_console.errors import NotAllowedError
from crisp_console.realtime import ConnectionState

log = logging.getLogger("crisp_console.client")


def timestamp(value: Any) -> int | None:
    """An epoch-ms value as an int; None when it is not a finite number (wire data)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value)


class CatchUp:
    """The debt and the task that pays it. It hears the live feed's state
    (``on_connection_state``): a drop owes, being connected pays."""

    def __init__(self, work: OwedWork, config: ClientConfig, clocks: Clocks, *,
                 turns: Turns | None = None) -> None:
        """``turns``: when a slice of a page may go into the store (the pager's; none: the
        next turn of the loop)."""
        self._work = work
        self._turns = turns if turns is not None else Turns()
        self._monitor = work.monitor  # told of every change of the debt
        self._config = config
        self._clocks = clocks
        self._live = False  # the live feed is CONNECTED: runs happen only then
        self._since: int | None = None  # epoch ms the owed gap starts at
        self._during: int | None = None  # earliest drop while a run was under way
        self._running = False
        self.completed = 0  # runs that succeeded
        self.failures = 0  # attempts that failed, all runs together
        self.problem = ""  # the last failure in words, while owed

    @property
    def owed(self) -> bool:
        return self._since is not None

    @property
    def since(self) -> int | None:
        return self._since

    @property
    def running(self) -> bool:
        return self._running

    def owe(self, since_ms: int | None = None) -> None:
        """Owe a catch-up from ``since_ms`` (default: now; an earlier debt's ``since``
        wins), paid at once if the live feed is up, else once it is."""
        if since_ms is None:
            since_ms = self._clocks.now_ms()
        self._since = since_ms if self._since is None else min(self._since, since_ms)
        if self._running:
            self._during = since_ms if self._during is None else min(self._during, since_ms)
        self._monitor.refresh()
        if self._live:
            self._start()

    def forgive(self) -> None:
        """The live feed is gone for good: there is nothing left to catch up with."""
        self._since = self._during = None
        self.problem = ""
        self._monitor.refresh()

    def on_connection_state(self, state: ConnectionState) -> None:
        """A drop owes a catch-up from now; being connected pays it. A refusal for good
        forgives it: nothing comes to catch up with."""
        self._live = state is ConnectionState.CONNECTED
        if state is ConnectionState.RECONNECTING:
            self.owe()
        elif state is ConnectionState.CONNECTED:
            self._monitor.allow(health.LIVE_FEED)
            self._start()
        elif state is ConnectionState.UNAUTHORIZED:
            self._monitor.deny(health.LIVE_FEED, "Crisp refused the live feed's "
                               "authentication: nothing arrives live, the list shows what "
                               "was loaded")
            self.forgive()

    def _start(self) -> None:
        """Pay the debt now if there is one (a run already under way carries on)."""
        if self._since is not None:
            self._work.tasks.spawn(self._run(), "catch-up", key="catch-up")

    @tagged("reconcile")  # whoever started the task: its requests are the catch-up's
    async def _run(self) -> None:
        while self._since is not None and self._live:
            since = self._since
            self._during = None
            self._running = True
            try:
                await self._work.retrier.run(functools.partial(self._fill, since), what="catch-up",
                                        on_failure=self._failed)
            finally:
                self._running = False
            self._since, self._during = self._during, None
            self.problem = ""
            self.completed += 1
            log.info("caught up since %d%s", since,
                     "" if self._since is None else "; another drop is owed")
            self._monitor.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.failures += 1
        self.problem = describe(exc)
        self._monitor.refresh()

    # ---- one run -------------------------------------------------------------------------

    async def _fill(self, since_ms: int) -> None:
        since = since_ms - self._config.catchup_margin_ms
        work = self._work
        websites, store = work.websites, work.store
        await websites.refresh()
        for website_id in websites.ids():
            again: list[str] = []  # rows live events changed since their page was read
            with work.watches.watch() as touched:
                updated = await self._updated(website_id, since)
                for start in range(0, len(updated), APPLY_SLICE):
                    await self._turns.take()
                    kept = []
                    for conv in updated[start:start + APPLY_SLICE]:
                        sid = conv.get("session_id")
                        if isinstance(sid, str) and sid in touched \
                                and sid in store.conversations:
                            again.append(sid)  # the page's row may be older: asked again
                        else:
                            kept.append(conv)
                    store.upsert_conversations(kept)
            ids = [sid for conv in updated if isinstance(sid := conv.get("session_id"), str)]
            for session_id in again:
                try:
                    await settle(store, work.watches, session_id, functools.partial(
                        work.api.get_conversation, website_id, session_id))
                except GONE:
                    continue
            for session_id in ids:
                if store.timeline_loaded(session_id):
                    await self._messages(website_id, session_id, since_ms, since)

    async def _updated(self, website_id: str, since: int) -> list[dict[str, Any]]:
        """Conversations of the website updated since ``since``, newest activity first;
        [] when its conversations are not allowed (marked denied) or it is gone."""
        key = health.conversations_of(website_id)
        if self._monitor.current.denied_for(key) is not None:
            # Refused until now: a fresh start for its list, if it is allowed again.
            await self._work.websites.load_first_pages(website_id)
            if self._monitor.current.denied_for(key) is not None:
                return []
        out: list[dict[str, Any]] = []
        try:
            async for conv in self._work.api.iter_conversations(
                    website_id, per_page=self._config.per_page, order_date_updated=True):
                updated = timestamp(conv.get("updated_at"))
                if updated is not None and updated < since:
                    break
                out.append(conv)
        except NotAllowedError as exc:
            self._work.websites.deny_conversations(website_id, exc)
            return []
        except GONE:
            return []  # unbound meanwhile: the next websites refresh removes it
        self._monitor.allow(key)
        return out

    async def _messages(self, website_id: str, session_id: str, drop_ms: int,
                        since: int) -> None:
        """The loaded timeline's messages since ``since``, read backwards from the newest.

        A batch ends the paging when it holds a message the store had as SENT from before
        the gap (older than ``drop_ms``: a reply confirmed during the gap is no anchor,
        messages may hide before it) or one older than ``since``.
        """
        store = self._work.store
        anchors = {m.fingerprint for m in store.messages(session_id)
                   if m.status is MessageStatus.SENT and m.timestamp < drop_ms}
        batches: list[list[dict[str, Any]]] = []
        try:
            async for batch in self._work.api.iter_messages_before(website_id, session_id, None):
                batches.append(batch)
                if any(isinstance(fp := m.get("fingerprint"), int) and fp in anchors
                       for m in batch) or any(
                        (ts := timestamp(m.get("timestamp"))) is not None and ts < since
                        for m in batch):
                    break
                if len(batches) >= self._config.catchup_max_batches:
                    log.warning("catch-up of %s stopped after %d batches: older messages of "
                                "the gap stay unloaded", session_id, len(batches))
                    break
        except (NotAllowedError, *GONE) as exc:
            log.info("messages of %s not caught up: %s", session_id, describe(exc))
            return
        if batches:
            store.upsert_messages(session_id, [m for b in reversed(batches) for m in b])

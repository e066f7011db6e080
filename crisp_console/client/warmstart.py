"""The local cache's side of the client: the warm start's restore, and the sync state kept
beside the cached rows.

``restore()`` runs before any request: it reads the snapshot (storage/cache.py) and fills
the store with it in one go (``Store.restore``: one RESET per collection), then starts the
Persister, so that what the store learns from here on is written back, and the eviction down
to the size cap in the background: ``EVICT_STEP`` conversations per writer job, so that no
write (a reply's outbox row) waits behind it long, and the first paint never does (with the
search index, dropping a conversation's documents costs milliseconds each: a cache far over
its cap took tens of seconds). ``resume()`` then tells start-up where to pick up.

The sync cursor of a website is the time until which the store is known to be in step with
Crisp: now while the live feed is up and no catch-up is owed, the owed catch-up's start
while one is, unchanged otherwise (offline, or before start-up). It is written with every
batch and on close, so a warm start reconciles from it: what changed while the console was
away, never the whole inbox again.

Conversations removed on Crisp while the console was away are not in the reconcile's pages:
the saved rows stay until they are opened (the loader's refresh then gets a 404 and removes
them), removed live (``session:removed``), or evicted as the oldest.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crisp_console.client.catchup import CatchUp
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.persist import Persister
from crisp_console.client.startup import Resume, StartUp
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.websites import Websites
from crisp_console.core import Store
from crisp_console.realtime import ConnectionState, RealtimeGateway
from crisp_console.storage import cache as c
from crisp_console.storage.cache import Cache
from crisp_console.storage.first_screen import FirstScreen

EVICT_STEP = 5  # conversations per writer job: ~0.3 s of the writer at most (FTS deletes)
EVICT_PAUSE = 0.05  # seconds between two steps: other writes go first
VIEW_KEYS = (c.LAST_OPEN, c.FILTER, c.SCOPE, c.SAVED_VIEWS)  # the UI's (save_view)

log = logging.getLogger("crisp_console.client")


@dataclass(frozen=True)
class Restored:
    """What ``restore_cache()`` put back. ``saved_at``: when the cache was last written
    (None: never; show "showing saved data from HH:MM" until reconciled); ``view``: the
    last open conversation, filter and scope the UI saved (``save_view``)."""

    conversations: int = 0
    timelines: int = 0
    messages: int = 0
    people: int = 0
    skipped: int = 0  # rows that did not decode (an older or damaged file)
    saved_at: datetime | None = None
    view: dict[str, Any] = field(default_factory=dict)
    timeline_ids: tuple[str, ...] = ()


def saved_at(meta: dict[str, Any]) -> datetime | None:
    """When the cache was last written, as its meta says (None: never)."""
    saved = meta.get(c.SAVED_AT)
    return datetime.fromtimestamp(saved / 1000, UTC) if isinstance(saved, int) else None


class WarmStart:
    def __init__(self, store: Store, cache: Cache, persister: Persister, websites: Websites,
                 catchup: CatchUp, gateway: RealtimeGateway, startup: StartUp,
                 config: ClientConfig, clocks: Clocks, tasks: TaskOwner) -> None:
        self._store, self._cache, self._persister = store, cache, persister
        self._tasks = tasks
        self.evicted = 0  # conversations the background eviction dropped (the module doc)
        self.eviction_done = asyncio.Event()
        self._websites, self._catchup, self._gateway = websites, catchup, gateway
        self._startup = startup
        self._config, self._clocks = config, clocks
        self._meta: dict[str, Any] = {}  # as read at restore
        self._cursors: dict[str, int] = {}
        self._forgotten = False  # the cache was cleared: its rows no longer cover the inbox
        self.restored: Restored | None = None
        self._first_view: dict[str, Any] = {}  # first_screen()'s, until restore()

    async def restore(self) -> Restored:
        """Fill the store from the cache (no request); idempotent."""
        if self.restored is not None:
            return self.restored
        config = self._config
        loaded = await self._cache.load(conversations=config.cache_conversations,
                                        timelines=config.cache_timelines,
                                        messages=config.cache_messages)
        snap, meta = loaded.snapshot, loaded.meta
        self._store.restore(snap)
        self._meta = meta
        cursors = meta.get(c.SYNC_CURSORS)
        if isinstance(cursors, dict):
            self._cursors = {k: v for k, v in cursors.items() if isinstance(v, int)}
        self._persister.start()
        keep = {t.session_id for t in snap.timelines}
        if isinstance(meta.get(c.LAST_OPEN), str):
            keep.add(meta[c.LAST_OPEN])
        self._tasks.spawn(self._evict(keep), "cache eviction", key="cache-eviction")
        self.restored = Restored(
            conversations=len(snap.conversations), timelines=len(snap.timelines),
            messages=sum(len(t.messages) for t in snap.timelines), people=len(snap.people),
            skipped=loaded.skipped,
            saved_at=saved_at(meta),
            view={k: meta.get(k) for k in VIEW_KEYS},
            timeline_ids=tuple(t.session_id for t in snap.timelines))
        log.info("warm start: %d conversations, %d timelines (%d messages) from the cache; "
                 "%d rows skipped", self.restored.conversations, self.restored.timelines,
                 self.restored.messages, loaded.skipped)
        return self.restored

    async def first_screen(self, rows: int) -> FirstScreen | None:
        """The top ``rows`` of the list into the store, for the first frame (no people, no
        timelines: storage/first_screen.py); ``restore()`` then reads the whole snapshot,
        which replaces them. None when it cannot be read: ``restore()`` reads everything."""
        if self.restored is not None:
            return None
        try:
            first = await self._cache.load_first_screen(
                rows=rows, conversations=self._config.cache_conversations,
                ordering=self._store.ordering)
        except Exception as exc:  # noqa: BLE001 - the whole restore follows, and reports
            log.warning("warm start: the first screen could not be read first: %r", exc)
            return None
        self._store.restore(first.snapshot)
        self._first_view = {k: first.meta.get(k) for k in VIEW_KEYS}
        log.info("warm start: %d conversations (the top of the list) from the cache, %s",
                 len(first.snapshot.conversations),
                 "the rest after the first frame" if first.cut else "all there is")
        return first

    def view(self) -> dict[str, Any]:
        """The last open conversation, filter, scope and saved views the UI saved, as the
        restore (or the first screen before it) read them."""
        return dict(self.restored.view) if self.restored is not None else dict(self._first_view)

    async def _evict(self, keep: set[str]) -> None:
        """Down to the size cap, a step at a time (the module docstring); ``evicted`` says
        how many conversations went, ``evicting`` is set once done."""
        cap, scale = self._config.cache_cap_bytes, 0.0
        try:
            while True:
                step = await self._cache.evict(cap, keep, limit=EVICT_STEP, scale=scale)
                scale = step.scale
                self.evicted += step.conversations
                if step.conversations == 0 or step.after <= cap:
                    break
                await self._clocks.sleep(EVICT_PAUSE)
        except Exception as exc:  # noqa: BLE001 - the cache is a copy: never break the app
            log.warning("cache eviction stopped (the cap waits for the next start): %r", exc)
        finally:
            if self.evicted:
                log.info("cache: %d conversations evicted to fit its cap", self.evicted)
            self.eviction_done.set()

    def resume(self) -> Resume | None:
        """Where start-up picks up; None when the cache cannot stand in for a cold start
        (nothing restored, no account or no cursor: it was never in step)."""
        meta, store = self._meta, self._store
        plugin_id = meta.get(c.PLUGIN_ID)
        ids = self._websites.ids()
        cursors = [self._cursors[w] for w in ids if w in self._cursors]
        if not isinstance(plugin_id, str) or not plugin_id or not ids or not cursors \
                or len(cursors) < len(ids) or not store.conversations:
            return None
        since = meta.get(c.WEBSITES_SINCE)
        try:
            websites_since = datetime.fromisoformat(since) if isinstance(since, str) else None
        except ValueError:
            websites_since = None
        operators_at = meta.get(c.OPERATORS_AT)
        fresh = (isinstance(operators_at, int) and bool(store.operators)
                 and self._clocks.now_ms() - operators_at
                 < self._config.operators_freshness * 1000)
        if fresh:
            self._startup.operators_at = operators_at
        return Resume(plugin_id, min(cursors), websites_since, fresh)

    def synced_until(self) -> int | None:
        """Epoch ms the store is in step with Crisp until (None: not known to be now)."""
        if self._catchup.owed:
            return self._catchup.since
        if self._gateway.state is ConnectionState.CONNECTED:
            return self._clocks.now_ms()
        return None

    def forget_cursors(self) -> None:
        """The cache was cleared: no cursor is written again this session (the rows
        written from now on are only what changed, not the inbox: the next start is cold)."""
        self._forgotten = True
        self._cursors = {}

    def meta(self) -> dict[str, Any]:
        """The sync state, written with every batch (the Persister's ``meta``)."""
        synced = None if self._forgotten else self.synced_until()
        ids = set(self._websites.ids())
        cursors = {w: v for w, v in self._cursors.items() if w in ids}
        if synced is not None:
            cursors.update(dict.fromkeys(ids, synced))
        self._cursors = cursors
        since = self._websites.since
        out: dict[str, Any] = {
            c.SYNC_CURSORS: cursors,
            c.SAVED_AT: self._clocks.now_ms(),
            c.WEBSITES_SINCE: since.isoformat() if since is not None else None,
            c.OPERATORS_AT: self._startup.operators_at,
        }
        if self._websites.plugin_id:
            out[c.PLUGIN_ID] = self._websites.plugin_id
        return {k: v for k, v in out.items() if v is not None}

"""ConsoleClient: the facade the UI talks to. It builds the client's parts and holds them.

Each part takes what it needs through its constructor and offers a narrow public API; none
reaches into another. The UI uses the parts by name:

- ``replies``: send_text, send_note, send_file(s), retry_send, discard_send, last_own_message
  (replies.py);
- ``commands``: the optimistic commands, typing, read marks, reminders (commands.py);
- ``outbox``: every outgoing action kept until Crisp has it: resume() after a restart,
  unsent_count(), unsent(), wait_sent(), discard() for the quit question (outbox.py);
- ``loader``: open_conversation, load_older, fetch_conversation, and ensure_conversation,
  the one way a conversation named by its id alone reaches the store (loader.py);
- ``reveal``: a message (a search result) brought into its timeline with context, and the
  newest message matching a text (reveal.py); ``reveal_message`` is its facade;
- ``search``: the local index and Crisp's text search (search.py); ``pager`` and
  ``backfill``: how far each view's list was read, and reading them to the end (views.py,
  backfill.py);
- ``details``: the people panel's extras, loaded when it shows them (details.py);
- ``past``: the past conversations the people panel shows that the store lacks (past.py);
- ``media``: trusted, fetch (media.py);
- ``identity``: who "me" is (identity.py); ``availability``: what Crisp says of me's
  availability, read when the live feed connects and kept by its event (availability.py);
- ``websites``, ``catchup``, ``fetches``, ``sender``, ``events``: the sync and the owed work;
- with a local database (``cache=``): ``persister`` (persist.py) and ``warm``
  (warmstart.py): ``await restore_cache()`` before ``start()`` paints the saved inbox.

Two retry loops, one per layer: the send path's (``sender``: one per reply, sending.py) and
the owed work's (``retrier``, shared by the catch-up and the owed fetches: retry.py). The API
layer's retries (api/) are below both. Actions that wait for the quota or the connection
wait in ``waiting`` (waiting.py), which sends them again through their own path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crisp_console.api import CrispApi
from crisp_console.client.availability import MyAvailability
from crisp_console.client.backfill import Backfill
from crisp_console.client.batch import FrameBatch
from crisp_console.client.catchup import CatchUp
from crisp_console.client.commands import Commands
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.details import PeopleDetails
from crisp_console.client.events import EventListener, EventSink
from crisp_console.client.fetches import OwedFetches
from crisp_console.client.health import Health, HealthMonitor, HealthObserver
from crisp_console.client.identity import Identity
from crisp_console.client.loader import Loader
from crisp_console.client.local_ports import SavedData
from crisp_console.client.media import Media
from crisp_console.client.outbox import ClientOutbox
from crisp_console.client.owed import OwedWork
from crisp_console.client.page_slices import Turns
from crisp_console.client.past import PastLookups
from crisp_console.client.persist import Persister
from crisp_console.client.replies import Replies
from crisp_console.client.retry import Retrier, Sleep
from crisp_console.client.reveal import Reveal
from crisp_console.client.search import LocalIndex, Search
from crisp_console.client.sending import Sender, SendPolicy
from crisp_console.client.startup import StartUp
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.uploads import Uploads
from crisp_console.client.views import ViewPager
from crisp_console.client.waiting import Waiting
from crisp_console.client.warmstart import Restored, WarmStart, saved_at
from crisp_console.client.watches import Watches
from crisp_console.client.websites import Websites
from crisp_console.core import Message, Store
from crisp_console.realtime import ConnectionState, RealtimeGateway
from crisp_console.storage import cache as cached
from crisp_console.storage.cache import Cache
from crisp_console.storage.cache import Runner as CacheRunner
from crisp_console.storage.first_screen import FirstScreen
from crisp_console.storage.outbox import InlineRunner, Outbox, Runner
from crisp_console.types import Credentials

if TYPE_CHECKING:  # the network stack loads with the first request, after the first frame
    import httpx

log = logging.getLogger("crisp_console.client")


class ConsoleClient:
    """``await start()``, use the store and the parts, ``await aclose()`` (idempotent)."""

    def __init__(self, rest_url: str, credentials: Credentials, *,
                 config: ClientConfig | None = None, store: Store | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 operator_id: str | None = None, sleep: Sleep = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 rng: random.Random | None = None, database: Runner | None = None,
                 cache: CacheRunner | None = None, index: LocalIndex | None = None) -> None:
        """``operator_id``: who the console acts as (``me``); it overrides
        ``config.operator_id``. ``sleep``, ``clock`` (monotonic), ``wall`` (epoch) and ``rng``
        drive every wait of the client: the REST layer's waits and quota gate, the send
        path's window and backoff, the owed work's backoff, the websites poll, the typing
        throttle, and ``clock`` the hold of optimistic changes in a store made here; tests
        inject them (they must agree, as the defaults do). The live feed keeps real time.
        ``database`` keeps the outbox (the account's storage.Database; its owner closes
        it); by default an in-memory one of this client's (nothing survives it).
        ``cache``: the database the local cache lives in (the app passes the same one);
        None: no cache, every start is cold. ``index``: the local search over that database
        (storage/search.py's LocalSearch; None: messages are searched on Crisp only)."""
        self.config = config = config or ClientConfig()
        clocks = Clocks(sleep, clock, wall, rng if rng is not None else random.Random())
        self.api = api = CrispApi(rest_url, credentials, retry=config.retry,
                                  transport=transport, sleep=sleep, clock=clock, wall=wall,
                                  rng=rng)
        self.store = store = store if store is not None else Store(clock=clock)
        self.tasks = tasks = TaskOwner()
        self.identity = Identity(store, operator_id if operator_id is not None
                                 else config.operator_id)
        self.monitor = monitor = HealthMonitor(
            api.gate, catching_up=self._catching_up, problem=self._catchup_problem,
            offline=lambda: api.reach.offline, feed_silent=lambda: self.gateway.silent_since,
            unanswered=lambda: api.reach.unanswered_since,
            no_answer_after=config.no_answer_after, clock=clock)
        api.reach.observe(lambda _offline: monitor.refresh())
        api.reach.waits.add(lambda _since: monitor.refresh())
        watches = Watches()
        # The owed work's one retry policy: the catch-up and the owed fetches share it.
        self.retrier = retrier = Retrier(api, base=config.catchup_retry_base,
                                         cap=config.catchup_retry_cap, sleep=sleep,
                                         rng=clocks.rng)
        # Pages of conversations (the views', the backfill's, the catch-up's) go into the
        # store in slices, one at a time, each after the live frame (page_slices.py).
        turns = Turns(lambda: self.batch.settled())
        # How far each view's list was read (views.py); the backfill makes counts exact.
        self.pager = pager = ViewPager(api, store, tasks, config, clocks,
                                       denied=lambda wid, exc: websites.deny_conversations(
                                           wid, exc),
                                       turns=turns)
        self.websites = websites = Websites(
            api, store, monitor, tasks, config, clocks,
            pager.read_start)
        self.search = Search(api, store, index=index)
        self.backfill = Backfill(api, pager, config, clocks, websites=websites.ids,
                                 me=lambda: self.identity.me)
        owed = OwedWork(api, store, websites, watches, retrier, monitor, tasks)
        self.catchup = catchup = CatchUp(owed, config, clocks, turns=turns)
        self.fetches = fetches = OwedFetches(owed, config, clocks, overflow=catchup.owe,
                                             frame=lambda: self.batch.changed())
        self._uploads = uploads = Uploads(api, timeout=config.bucket_timeout)
        self.events = EventSink(store, watches, bucket_answer=uploads.answer,
                                owe_fetch=fetches.owe, plugin_changed=websites.schedule_refresh)
        # The feed reaches the sink in whole frames, typing coalesced (batch.py).
        self.batch = FrameBatch(self.events.on_event, note=watches.note, done=store.end_frame)
        self.gateway = RealtimeGateway(credentials, self.batch.push,
                                       policy=config.reconnect,
                                       rebind_interval=config.rebind_interval,
                                       on_refused=websites.refresh)
        self.gateway.add_state_observer(catchup.on_connection_state)
        # Crisp's availability of "me", read on each connect, then kept by its event.
        self.availability = MyAvailability(api, store, self.identity, websites.ids, tasks,
                                           clocks.now_ms, clocks.monotonic)
        self.gateway.add_state_observer(self.availability.on_connection_state)
        self.events.add_listener(self.availability.on_event)
        self.gateway.add_silence_observer(self._on_silence)
        api.reach.answers.add(self._on_rest_answer)
        self._own_database: InlineRunner | None = None
        if database is None:  # nothing to keep it in: in memory, for this client's life
            database = self._own_database = InlineRunner.open()
        self.outbox = outbox = ClientOutbox(Outbox(database, clock=wall))
        # Actions waiting for the quota or the connection, in order per conversation.
        self.waiting = waiting = Waiting(api, retrier, tasks.spawn, sleep=sleep)
        self.gateway.add_state_observer(self._on_connection)
        # The send path's one retry policy (sending.py), on the client's clocks.
        self.sender = Sender(api, store, SendPolicy(window=config.send_retry_window,
                                                    first_delay=config.send_retry_delay),
                             tasks.spawn, clock=clock, sleep=sleep, rng=clocks.rng,
                             waiting=waiting, journal=outbox)
        self.persister: Persister | None = None
        if cache is not None:
            self.persister = Persister(store, Cache(cache), interval=config.cache_flush_interval,
                                       wall=wall)
        on_page: Callable[[str], None] = (self.persister.timeline_read if self.persister
                                          else lambda session_id: None)
        self.loader = Loader(api, store, clocks, max_batches=config.catchup_max_batches,
                             on_page=on_page)
        self.reveal = Reveal(api, store, self.loader, on_page=on_page)
        self.details = PeopleDetails(api, store, listen=self.events.add_listener, clock=clock,
                                     fresh_for=config.details_fresh_for)
        self.past = PastLookups(self.loader.fetch_conversation, store, tasks,
                                low=lambda: api.gate.spent, clock=clock,
                                fresh_for=config.details_fresh_for)
        self.replies = Replies(store, self.sender, uploads, self.identity, clocks, outbox,
                               self.loader)
        self.commands = Commands(api, store, self.identity, config, clock, outbox, waiting)
        self.media = Media(api)
        self._startup = StartUp(api, store, websites, catchup, self.gateway, monitor, config,
                                tasks, retrier, clocks)
        self.warm: WarmStart | None = None
        if self.persister is not None:
            self.warm = WarmStart(store, self.persister.cache, self.persister, websites,
                                  catchup, self.gateway, self._startup, config, clocks, tasks)
            self.persister.set_meta_source(self.warm.meta)
        # The status bar's "showing saved data from HH:MM", until reconciled (local_ports.py).
        self.saved_data = SavedData(monitor)
        self._closing: asyncio.Task[None] | None = None

    @property
    def me(self) -> str | None:
        """The user_id of the operator the console acts as (identity.py)."""
        return self.identity.me

    @property
    def connection_state(self) -> ConnectionState:
        return self.gateway.state

    # ---- health (health.py) ---------------------------------------------------------------

    @property
    def health(self) -> Health:
        return self.monitor.current

    def add_health_observer(self, observer: HealthObserver) -> Callable[[], None]:
        """``observer(health)`` on every change of ``health``; returns the unsubscribe."""
        return self.monitor.observe(observer)

    def _catching_up(self) -> bool:
        return self.catchup.owed or self.fetches.behind()

    def _catchup_problem(self) -> str:
        return self.catchup.problem or self.fetches.problem or self._startup.problem

    def _on_connection(self, state: ConnectionState) -> None:
        if state is ConnectionState.CONNECTED:
            self.waiting.wake()  # Crisp answers again: what waits for it may go now

    def _on_rest_answer(self, status: int) -> None:
        if status < 500:  # Crisp's API works: an RTM reconnect need not wait (gateway.py)
            self.gateway.rest_answered()

    def _on_silence(self, since: float | None) -> None:
        self.monitor.refresh()
        if since is None and self.gateway.state is ConnectionState.CONNECTED:
            self.waiting.wake()  # the relay answers again: so may the rest of Crisp

    # ---- reveal (reveal.py) ---------------------------------------------------------------

    async def reveal_message(self, session_id: str, fingerprint: int, timestamp: int) -> bool:
        """Make sure the message is in the store's timeline, loading its context from Crisp
        when it is not (``timestamp``: the message's, epoch ms). False when it could not be:
        ``reveal.problem`` says why in words."""
        return await self.reveal.reveal(session_id, fingerprint, timestamp)

    async def newest_match(self, session_id: str,
                           matches: Callable[[Message], bool]) -> int | None:
        """The newest message of the conversation ``matches`` takes (the loaded messages,
        then up to 5 older pages); None if none (``reveal.problem`` says why on a failure)."""
        return await self.reveal.newest_match(session_id, matches)

    # ---- events ---------------------------------------------------------------------------

    def add_event_listener(self, listener: EventListener) -> Callable[[], None]:
        """Raw RTM events, after the store applied them (events.py); returns the function
        that unsubscribes."""
        return self.events.add_listener(listener)

    # ---- lifecycle ------------------------------------------------------------------------

    async def restore_first_screen(self, rows: int) -> FirstScreen | None:
        """The top ``rows`` of the cached list into the store, for the first frame, before
        ``restore_cache()`` (which replaces them with the whole cache); None without a cache
        or when they cannot be read first. ``cut``: the cache holds more than these."""
        first = await self.warm.first_screen(rows) if self.warm is not None else None
        if first is not None:  # "showing saved data from …" from the first frame on
            self.saved_data.restored(saved_at(first.meta) if first.snapshot.conversations
                                     else None)
        return first

    async def restore_cache(self) -> Restored | None:
        """Fill the store from the local cache, before any request (warmstart.py): what it
        restored and when it was saved. None without a cache."""
        if self.warm is None:
            return None
        if self.warm.restored is not None:  # idempotent: restored once
            return self.warm.restored
        restored = await self.warm.restore()
        self.loader.restored(restored.timeline_ids)
        self.saved_data.restored(restored.saved_at if restored.conversations else None)
        return restored

    async def clear_cache(self) -> None:
        """Preferences → Clear local data: the cached rows and the sync state go; the
        outbox and the drafts stay. What the store holds stays on screen; from now on only
        what changes is written, and the next start is cold (no sync cursor is kept)."""
        if self.persister is None or self.warm is None:
            return
        await self.persister.flush()  # nothing queued lands after the clear
        self.warm.forget_cursors()
        await self.persister.cache.clear()

    def save_view(self, **view: Any) -> None:
        """Keep ``last_open``, ``filter``, ``scope``, ``saved_views`` (plain values) for the
        next start."""
        if self.persister is not None:
            unknown = view.keys() - {cached.LAST_OPEN, cached.FILTER, cached.SCOPE,
                                     cached.SAVED_VIEWS}
            if unknown:
                raise ValueError(f"not a view value: {sorted(unknown)}")
            self.persister.set_meta(**view)

    async def start(self) -> None:
        """The start-up sequence (startup.py); raises StartupError with the step in words.
        After ``restore_cache()`` it is a warm start: it reconciles instead of loading.
        Then the outbox's unsent actions of earlier runs resume (once per client: call
        ``outbox.resume()`` earlier, e.g. after a warm start or when start-up fails offline,
        for them to go as soon as Crisp answers)."""
        if self.persister is not None:
            self.persister.start()
        if self.warm is not None and self.warm.restored is not None:
            self.tasks.spawn(share_restored(self.store), "share restored meta",
                             key="share-restored")
        await self._startup.run(self.warm.resume() if self.warm is not None else None)
        self.saved_data.started()
        if self.config.backfill:
            self.tasks.spawn(self.backfill.run(), "backfill", key="backfill")
        await self.outbox.resume()

    async def aclose(self) -> None:
        """Stop the live feed, the background tasks and HTTP, in that order. Idempotent."""
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close(),
                                                                   name="client-close")
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        """Unsent actions stay in the outbox as they are (never failed nor removed): the
        next start sends them."""
        self._uploads.close()
        self.batch.flush()  # what arrived is applied (and saved) before the feed stops
        if self.persister is not None:
            await self.persister.flush()  # while still in step: the sync cursor is now
        with contextlib.suppress(Exception):
            await self.gateway.aclose()
        self.batch.flush()
        self.batch.close()
        await self.outbox.flush()
        await self.tasks.aclose()
        if self.persister is not None:
            await self.persister.close()  # with the sync cursor as it stands now
        self.monitor.close()
        await self.api.aclose()
        if self._own_database is not None:
            self._own_database.close()

    async def __aenter__(self) -> ConsoleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def share_restored(store: Store) -> None:
    """The warm start's rows, their meta shared a slice per loop turn after the first
    frame (Store.share_restored): memory, not what the operator sees first."""
    more = True
    while more:
        more = store.share_restored()
        await asyncio.sleep(0)  # the loop's other work between two slices

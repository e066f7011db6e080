"""State shared by the ConsoleClient's parts (sync, commands): one object, several files.

The owed work (catch-up, fetches of conversations heard of live) and the health the UI
reads are objects composed here: catchup.py, fetches.py, health.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crisp_console.api import CrispApi, RetryPolicy
from crisp_console.client import health
from crisp_console.client.catchup import CatchUp
from crisp_console.client.fetches import OwedFetches, Touched
from crisp_console.client.health import Health, HealthMonitor, HealthObserver
from crisp_console.client.retry import Retrier, Sleep
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.words import answered
from crisp_console.core import ApplyResult, Store
from crisp_console.errors import NotAllowedError
from crisp_console.log import ThrottledReporter
from crisp_console.realtime import ConnectionState, RealtimeGateway, ReconnectPolicy

log = logging.getLogger("crisp_console.client")

EventListener = Callable[[str, Any], None]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class ClientConfig:
    """Knobs of the client; tests shrink the delays."""

    per_page: int = 50  # conversations per page (Crisp allows 20..50)
    first_pages: int = 1  # pages of conversations per website at start-up
    websites_refresh: float = 180.0  # seconds between List Connect Websites Since polls
    catchup_margin_ms: int = 10_000  # overlap before the disconnect, against clock skew
    # Owed work (a catch-up, a conversation heard of live) is retried until it succeeds:
    # delays from catchup_retry_base doubling up to catchup_retry_cap seconds (jittered).
    catchup_retry_base: float = 1.0
    catchup_retry_cap: float = 60.0
    catchup_max_batches: int = 25  # message batches read back per timeline in a catch-up
    max_owed_fetches: int = 200  # past this many owed fetches, owe a catch-up instead
    compose_interval: float = 2.0  # at most one "typing" start per conversation this often
    send_retry_window: float = 120.0  # keep retrying a reply this long before marking it failed
    send_retry_delay: float = 0.5  # first delay between whole-send retries (doubles, cap 8 s)
    rtm_connect_timeout: float = 30.0
    bucket_timeout: float = 30.0  # wait for the bucket URL to arrive over RTM
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    rebind_interval: float = 2.5
    echo_timeout: float = 10.0  # how long an optimistic change outranks older echoes
    # The operator the console acts as ("me"); None: the first operator of the first website.
    operator_id: str | None = None


@dataclass
class ConversationDetails:
    """What opening a conversation loads lazily for the people panel.

    ``denied``: section -> words for each part Crisp refused (403), the others loaded as
    usual. Sections (health.SECTIONS): ``messages`` (the thread's latest batch), ``pages``,
    ``events`` (the conversation's), ``profile``, ``data``, ``person_events``,
    ``past_conversations``."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    person_data: dict[str, Any] = field(default_factory=dict)
    person_events: list[dict[str, Any]] = field(default_factory=list)
    past_conversations: list[str] = field(default_factory=list)
    denied: dict[str, str] = field(default_factory=dict)


class ClientBase(ABC):
    """Holds the layers and the client's own bookkeeping."""

    api: CrispApi
    store: Store
    gateway: RealtimeGateway
    tasks: TaskOwner
    config: ClientConfig

    def __init__(self, api: CrispApi, store: Store, config: ClientConfig, *,
                 sleep: Sleep = asyncio.sleep, rng: random.Random | None = None) -> None:
        self.api = api
        self.store = store
        self.config = config
        self.tasks = TaskOwner()
        self.plugin_id = ""
        self.operator_id = config.operator_id  # see ``me``
        self._listeners: list[EventListener] = []
        self._bucket_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._compose_sent: dict[str, float] = {}  # session_id -> monotonic time of "start"
        self._watches: list[Touched] = []  # REST snapshots in flight (watch())
        self._closed = False
        self.problems = ThrottledReporter(log)  # failures on events: once per kind, counted
        self.retrier = Retrier(api, base=config.catchup_retry_base,
                               cap=config.catchup_retry_cap, sleep=sleep, rng=rng)
        self.catchup = CatchUp(self)
        self.fetches = OwedFetches(self)
        self.monitor = HealthMonitor(api.gate, catching_up=self._catching_up,
                                     problem=self._catchup_problem)

    @property
    def me(self) -> str | None:
        """The user_id of the operator the console acts as: Mine and Mentions, "assign to
        me", own messages. ``operator_id`` when configured, else the first operator of the
        first website (once ``start()`` has loaded them); None while no operator is known."""
        if self.operator_id:
            return self.operator_id
        return next(iter(self.store.operators), None)

    # ---- health (health.py) ---------------------------------------------------------------

    @property
    def health(self) -> Health:
        return self.monitor.current

    def add_health_observer(self, observer: HealthObserver) -> Callable[[], None]:
        """``observer(health)`` on every change of ``health``; returns the unsubscribe."""
        return self.monitor.observe(observer)

    @property
    def catchups(self) -> int:
        """Completed catch-ups, for the UI's "synced" mark and for tests."""
        return self.catchup.completed

    def _catching_up(self) -> bool:
        return self.catchup.owed or len(self.fetches) > 0

    def _catchup_problem(self) -> str:
        return self.catchup.problem or self.fetches.problem

    def owe_catchup(self, since_ms: int | None = None) -> None:
        """Owe a catch-up from ``since_ms`` (default: now) and pay it when connected."""
        self.catchup.owe(now_ms() if since_ms is None else since_ms)
        if self.gateway.state is ConnectionState.CONNECTED:
            self.catchup.start()

    def deny_conversations(self, website_id: str, exc: NotAllowedError) -> None:
        name = self._website_label(website_id)
        self.monitor.deny(health.conversations_of(website_id),
                          f"Crisp does not allow this token to list the conversations of "
                          f"{name} ({answered(exc)})")

    @contextlib.contextmanager
    def watch(self) -> Iterator[Touched]:
        """Collect the sessions live events name while a REST request is out: its answer
        may be older than them (fetches.settle)."""
        touched = Touched()
        self._watches.append(touched)
        try:
            yield touched
        finally:
            self._watches.remove(touched)

    def _website_label(self, website_id: str) -> str:
        site = self.store.websites.get(website_id)
        return site.name if site is not None and site.name else website_id

    # ---- events ---------------------------------------------------------------------------

    def add_event_listener(self, listener: EventListener) -> Callable[[], None]:
        """Raw RTM events, after the store applied them (``tail`` prints them; the team
        settings reload on ``plugin:settings:saved``). Views read ``store.subscribe_live``
        instead: typed, never a wire dict."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def on_event(self, name: str, payload: Any) -> None:
        """The gateway's sink: synchronous, never raises, schedules follow-up I/O as tasks.
        A failure on a peer's payload is logged once per kind (its traceback once), then
        counted in ``problems``: a hostile peer cannot flood the log."""
        try:
            self._dispatch(name, payload)
        except Exception as exc:  # noqa: BLE001 - the sink must never raise into the socket
            self.problems.report("handling an RTM event failed", f"{name}: {exc!r}",
                                 exc_info=exc)
        for listener in list(self._listeners):
            try:
                listener(name, payload)
            except Exception as exc:  # noqa: BLE001 - one listener must not stop the others
                self.problems.report("an RTM event listener failed", f"{name}: {exc!r}",
                                     exc_info=exc)

    def _dispatch(self, name: str, payload: Any) -> None:
        if name.startswith("bucket:url:"):
            self._bucket_answer(payload)  # the store only hears of it (nothing to keep)
        if self._watches and not name.startswith("message:compose:") \
                and isinstance(payload, dict) and isinstance(payload.get("session_id"), str):
            for touched in self._watches:  # typing alone does not outdate a snapshot
                touched.add(payload["session_id"])
        # Echoes older than an optimistic change are dropped there (core/optimistic.py).
        result = self.store.apply(name, payload)
        if name in ("plugin:settings:saved", "plugin:subscription:updated"):
            self.schedule_websites_refresh()
        if result is ApplyResult.UNKNOWN_TARGET and isinstance(payload, dict):
            website_id, session_id = payload.get("website_id"), payload.get("session_id")
            if isinstance(website_id, str) and isinstance(session_id, str):
                self.fetches.owe(website_id, session_id)

    def _bucket_answer(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        waiter = self._bucket_waiters.pop(str(payload.get("id")), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(payload)

    def on_connection_state(self, state: ConnectionState) -> None:
        """A drop owes a catch-up from now (an earlier debt's ``since`` wins); being
        connected pays it. A refusal for good forgives it: nothing comes to catch up with."""
        if state is ConnectionState.RECONNECTING:
            self.catchup.owe(now_ms())
        elif state is ConnectionState.CONNECTED:
            self.monitor.allow(health.LIVE_FEED)
            self.catchup.start()
        elif state is ConnectionState.UNAUTHORIZED:
            self.monitor.deny(health.LIVE_FEED, "Crisp refused the live feed's "
                              "authentication: nothing arrives live, the list shows what "
                              "was loaded")
            self.catchup.forgive()

    # ---- provided by the sync part --------------------------------------------------------

    @abstractmethod
    def schedule_websites_refresh(self) -> None: ...

    @abstractmethod
    async def refresh_websites(self) -> None: ...

    @abstractmethod
    def website_ids(self) -> list[str]: ...

    @abstractmethod
    async def load_first_pages(self, website_id: str) -> None: ...

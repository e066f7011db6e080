"""State shared by the ConsoleClient's parts (sync, commands): one object, several files."""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crisp_console.api import CrispApi, RetryPolicy
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import ApplyResult, Store
from crisp_console.realtime import ConnectionState, RealtimeGateway, ReconnectPolicy

log = logging.getLogger("crisp_console.client")

EventListener = Callable[[str, Any], None]

# The payload field that carries the value an optimistic change sets, per event.
ECHO_FIELDS = {"session:set_state": "state", "session:set_routing": "routing_id",
               "session:set_block": "is_blocked", "message:updated": "content"}


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class ClientConfig:
    """Knobs of the client; tests shrink the delays."""

    per_page: int = 50  # conversations per page (Crisp allows 20..50)
    first_pages: int = 1  # pages of conversations per website at start-up
    websites_refresh: float = 180.0  # seconds between List Connect Websites Since polls
    catchup_margin_ms: int = 10_000  # overlap before the disconnect, against clock skew
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
    """What opening a conversation loads lazily for the people panel."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    person_data: dict[str, Any] = field(default_factory=dict)
    person_events: list[dict[str, Any]] = field(default_factory=list)
    past_conversations: list[str] = field(default_factory=list)


class ClientBase(ABC):
    """Holds the layers and the client's own bookkeeping."""

    api: CrispApi
    store: Store
    gateway: RealtimeGateway
    tasks: TaskOwner
    config: ClientConfig

    def __init__(self, api: CrispApi, store: Store, config: ClientConfig) -> None:
        self.api = api
        self.store = store
        self.config = config
        self.tasks = TaskOwner()
        self.plugin_id = ""
        self.operator_id = config.operator_id  # see ``me``
        self.details: dict[str, ConversationDetails] = {}
        self.loaded_timelines: set[str] = set()
        self._history_cursor: dict[str, int] = {}  # session_id -> oldest REST-paged timestamp
        self._listeners: list[EventListener] = []
        self._bucket_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._disconnected_at: int | None = None
        # (event, session_id, fingerprint) -> (value we set, monotonic deadline)
        self._expected: dict[tuple[str, str, int | None], tuple[Any, float]] = {}
        self.catchups = 0  # completed gap fills, for the UI's "synced" mark and for tests
        self._compose_sent: dict[str, float] = {}  # session_id -> monotonic time of "start"
        self._closed = False

    @property
    def me(self) -> str | None:
        """The user_id of the operator the console acts as: Mine and Mentions, "assign to
        me", own messages. ``operator_id`` when configured, else the first operator of the
        first website (once ``start()`` has loaded them); None while no operator is known."""
        if self.operator_id:
            return self.operator_id
        return next(iter(self.store.operators), None)

    # ---- events ---------------------------------------------------------------------------

    def add_event_listener(self, listener: EventListener) -> Callable[[], None]:
        """Raw RTM events, after the store applied them (``tail`` prints them)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def on_event(self, name: str, payload: Any) -> None:
        """The gateway's sink: synchronous, never raises, schedules follow-up I/O as tasks."""
        try:
            self._dispatch(name, payload)
        except Exception:  # the sink must never raise into the socket's loop
            log.exception("handling %s failed", name)
        for listener in list(self._listeners):
            try:
                listener(name, payload)
            except Exception:
                log.exception("event listener failed on %s", name)

    def expect_echo(self, name: str, payload: dict[str, Any]) -> None:
        """After an optimistic change: echoes of older values must not undo it on screen."""
        key = (name, payload["session_id"], payload.get("fingerprint"))
        self._expected[key] = (payload.get(ECHO_FIELDS[name]),
                               time.monotonic() + self.config.echo_timeout)

    def _stale_echo(self, name: str, payload: Any) -> bool:
        if name not in ECHO_FIELDS or not isinstance(payload, dict):
            return False
        key = (name, payload.get("session_id"), payload.get("fingerprint"))
        expected = self._expected.get(key)  # type: ignore[arg-type]
        if expected is None:
            return False
        value, deadline = expected
        if payload.get(ECHO_FIELDS[name]) == value or time.monotonic() > deadline:
            del self._expected[key]  # type: ignore[arg-type]
            return False
        # An event from before our change, still in flight: it is stale.
        log.debug("dropping stale %s for %s", name, key[1])
        return True

    def _dispatch(self, name: str, payload: Any) -> None:
        if name.startswith("bucket:url:"):
            self._bucket_answer(payload)
            return
        if self._stale_echo(name, payload):
            return
        result = self.store.apply(name, payload)
        if name in ("plugin:settings:saved", "plugin:subscription:updated"):
            self.schedule_websites_refresh()
        if result is ApplyResult.UNKNOWN_TARGET and isinstance(payload, dict):
            website_id, session_id = payload.get("website_id"), payload.get("session_id")
            if isinstance(website_id, str) and isinstance(session_id, str):
                self.tasks.spawn(self.fetch_conversation(website_id, session_id),
                                 f"fetch {session_id}", key=f"conversation:{session_id}")

    def _bucket_answer(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        waiter = self._bucket_waiters.pop(str(payload.get("id")), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(payload)

    def on_connection_state(self, state: ConnectionState) -> None:
        if state is ConnectionState.RECONNECTING and self._disconnected_at is None:
            self._disconnected_at = now_ms()
        elif state is ConnectionState.CONNECTED and self._disconnected_at is not None:
            since, self._disconnected_at = self._disconnected_at, None
            self.tasks.spawn(self.catch_up(since), "catch-up", key="catch-up")

    # ---- provided by the sync part --------------------------------------------------------

    @abstractmethod
    def schedule_websites_refresh(self) -> None: ...

    @abstractmethod
    async def fetch_conversation(self, website_id: str, session_id: str) -> None: ...

    @abstractmethod
    async def catch_up(self, since_ms: int) -> None: ...

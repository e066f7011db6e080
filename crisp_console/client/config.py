"""The client's knobs (ClientConfig) and the clocks every part of it waits on (Clocks)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crisp_console.api import RetryPolicy
from crisp_console.client.retry import Sleep
from crisp_console.realtime import ReconnectPolicy


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
    # An owed fetch may wait this long before asking, for more of a new conversation's burst
    # of events in its answer (none: the live feed's frame already gathers the burst, see
    # client/fetches.py), at most this many are out at once, and a conversation found
    # gone is not asked again for moot_for seconds, whatever is said of it.
    owed_fetch_gather: float = 0.0
    owed_fetches_in_flight: int = 4
    owed_moot_for: float = 60.0
    compose_interval: float = 2.0  # at most one "typing" start per conversation this often
    send_retry_window: float = 120.0  # keep retrying a reply this long before marking it failed
    send_retry_delay: float = 0.5  # first delay between whole-send retries (doubles, cap 8 s)
    rtm_connect_timeout: float = 30.0
    bucket_timeout: float = 30.0  # wait for the bucket URL to arrive over RTM
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    no_answer_after: float = 6.0  # a REST request unanswered this long: "Not responding"
    rebind_interval: float = 2.5
    echo_timeout: float = 10.0  # how long an optimistic change outranks older echoes
    details_fresh_for: float = 300.0  # people-panel extras are not asked again this long
    # The operator the console acts as ("me"); None: the first operator of the first website.
    operator_id: str | None = None
    # The local cache (warmstart.py, persist.py): its size cap (Preferences), what a warm
    # start restores, how often changes are written, how long cached operators stay fresh.
    cache_cap_bytes: int = 512 * 1024 * 1024
    cache_conversations: int = 2000  # the most recently updated
    cache_timelines: int = 30  # the most recently read, each with its newest messages:
    cache_messages: int = 400
    cache_flush_interval: float = 0.25
    operators_freshness: float = 3600.0
    start_concurrency: int = 6  # start-up's independent reads at once (startup.py)
    list_window: int = 4  # list pages in flight at once per website (client/window.py)
    list_retry_pause: float = 15.0  # after a list page failed, scrolling asks again after this
    # The backfill (backfill.py): reads the views to their end so counts become exact.
    backfill: bool = True
    backfill_budget: int = 200  # requests per session at most
    # Seconds after start-up before it begins, and between two of its launches. None by
    # default: the window paces it (list_window), and the view's own pages go first.
    backfill_delay: float = 0.0
    backfill_interval: float = 0.0
    daily_quota: int = 5000  # the plugin's requests per UTC day, as far as we know
    backfill_quota_share: float = 0.5  # it stops once today's requests reach this share


@dataclass(frozen=True)
class Clocks:
    """The time a client's parts wait on and read. ``monotonic`` paces (backoff, windows,
    throttles), ``wall`` dates (epoch seconds: timestamps, "since" cursors), ``sleep`` waits
    and ``rng`` jitters. Tests inject them; they must agree, as the defaults do."""

    sleep: Sleep = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)

    def now_ms(self) -> int:
        return int(self.wall() * 1000)

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), UTC)

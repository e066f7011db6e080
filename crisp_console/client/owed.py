"""What the owed work stands on: the catch-up (catchup.py) and the owed fetches (fetches.py)
share it, and ConsoleClient builds it once."""

from __future__ import annotations

from dataclasses import dataclass

from crisp_console.api import CrispApi
from crisp_console.client.health import HealthMonitor
from crisp_console.client.retry import Retrier
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.watches import Watches
from crisp_console.client.websites import Websites
from crisp_console.core import Store


@dataclass(frozen=True)
class OwedWork:
    """REST and the store; the websites (refreshed, listed, denied); the watches of live
    events (an answer may be older than them); the one retry policy of the owed work (its
    backoff is shared: retry.py); the health it reports to; the tasks it runs as."""

    api: CrispApi
    store: Store
    websites: Websites
    watches: Watches
    retrier: Retrier
    monitor: HealthMonitor
    tasks: TaskOwner

"""The client's local data as the UI's ports see it (no Qt here: ui/ declares the Protocols,
these satisfy them structurally; ui/console.py takes them, app.py builds them).

- ``OutboxUnsent``: the quit question's ``Unsent`` over the client's outbox, each item in a
  few words ("Reply to Ada: 'Thanks, I…'", "Resolve the conversation with Ada").
- ``SavedData``: the status bar's ``SavedDataSource``: when the restored data was saved,
  and whether the warm start has reconciled it with Crisp.
- ``Reachable``: the offline banner's ``Reachability`` over ``Health.offline`` and
  ``Health.not_responding``.
- ``LocalStorage``: Preferences → Local data over the account's Database.
- ``DatabaseViewMemory``: the last view (``ViewMemory``) in the database's meta table.
- ``DatabaseSavedViews``: the saved views (``SavedViewsMemory``) in the same table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from crisp_console.client.health import Health, HealthMonitor
from crisp_console.client.words import clip
from crisp_console.core import Store
from crisp_console.observers import Observers
from crisp_console.storage import cache as cached
from crisp_console.storage.outbox import FAILED, OutboxItem

if TYPE_CHECKING:
    from crisp_console.client.console import ConsoleClient

log = logging.getLogger("crisp_console.client")

QUOTE = 10  # characters of a reply quoted in its line ("Thanks, I…")
STATE_WORDS = {"resolved": "Resolve", "unresolved": "Reopen", "pending": "Mark pending"}
SIMPLE_WORDS = {"read": "Mark read", "unread": "Mark unread", "segments": "Change the segments of"}


class NotAllSent(Exception):
    """The wait ended with items that failed: they wait for the operator (Retry, or
    discard), not for Crisp. Its message says so in words."""


class OutboxUnsent:
    """``Unsent`` (ui/quit_guard.py) over ``client.outbox``; names from ``store``."""

    def __init__(self, client: ConsoleClient) -> None:
        self._outbox, self._store = client.outbox, client.store

    def count(self) -> int:
        return self._outbox.unsent_count()

    def describe(self) -> list[tuple[str, str]]:
        return [(item.session_id, describe_item(item, self._store))
                for item in self._outbox.unsent()]

    async def wait_all_sent(self) -> None:
        """Until nothing is queued or sending; failed items left raise NotAllSent (the
        guard asks again, saying why). Cancelling stops only the waiting."""
        failed = await self._outbox.wait_sent()
        if failed:
            raise NotAllSent(f"{failed} could not be sent and need you: review them, retry "
                             "or discard them, or quit now to keep them for the next start")


def describe_item(item: OutboxItem, store: Store) -> str:
    """One outbox item in a few words, with the conversation's name."""
    who = _name(item.session_id, store)
    body, kind = item.body, item.kind
    if kind in ("text", "note"):
        line = f"{'Reply' if kind == 'text' else 'Note'} to {who}: '{_quote(body)}'"
    elif kind == "file":
        line = f"File to {who}: {clip(str(body.get('name') or 'a file'), 40)}"
    elif kind == "edit":
        line = f"Edit of a message to {who}: '{_quote(body)}'"
    elif kind == "state":
        line = f"{STATE_WORDS.get(str(body.get('state')), 'Change the state of')} " \
               f"the conversation with {who}"
    elif kind == "assign":
        user_id = body.get("user_id")
        op = store.operators.get(user_id) if isinstance(user_id, str) else None
        line = (f"Assign the conversation with {who} to "
                f"{clip(op.nickname, 40) if op is not None and op.nickname else 'an operator'}"
                if user_id else f"Unassign the conversation with {who}")
    elif kind == "block":
        line = f"{'Block' if body.get('blocked') else 'Unblock'} {who}"
    elif kind in SIMPLE_WORDS:
        line = f"{SIMPLE_WORDS[kind]} the conversation with {who}"
    else:
        line = f"An action ({clip(kind, 20)}) on the conversation with {who}"
    if item.state == FAILED:
        line += f" — failed: {clip(item.error, 60)}" if item.error else " — failed"
    return line


def _quote(body: dict[str, Any]) -> str:
    """The start of a text ("Thanks, I…"), no space before the ellipsis."""
    content = body.get("content")
    text = clip(content, QUOTE + 1) if isinstance(content, str) else ""
    return text[:-1].rstrip() + "…" if text.endswith("…") else text


def _name(session_id: str, store: Store) -> str:
    conv = store.conversations.get(session_id)
    if conv is None:
        return f"conversation {session_id[:12]}"
    return clip(conv.nickname or conv.email or "a visitor", 40)


class SavedData:
    """``SavedDataSource`` (ui/widgets/status_bar.py). The client tells it what it restored
    and when start-up returned; it is reconciled once start-up returned and no catch-up
    is owed (the warm start's reconcile is the catch-up from the saved sync cursor), and
    stays so."""

    def __init__(self, monitor: HealthMonitor) -> None:
        self._saved_at: datetime | None = None
        self._started = False
        self._reconciled = False
        self._catching_up = lambda: monitor.current.catching_up
        self._observers: Observers[[]] = Observers(log, "saved data observer")
        monitor.observe(self._on_health)

    def saved_at(self) -> datetime | None:
        return self._saved_at

    def reconciled(self) -> bool:
        return self._reconciled

    def add_saved_data_observer(self, observer: Callable[[], None]) -> Callable[[], None]:
        return self._observers.add(observer)

    def restored(self, saved_at: datetime | None) -> None:
        """What restore_cache() put back was saved at ``saved_at`` (None: nothing)."""
        self._saved_at = saved_at
        self._observers.notify()

    def started(self) -> None:
        self._started = True
        self._check()

    def _on_health(self, health: Health) -> None:
        self._check()

    def _check(self) -> None:
        if self._reconciled or not self._started or self._catching_up():
            return
        self._reconciled = True
        self._observers.notify()


class Reachable:
    """``Reachability`` (ui/widgets/offline_banner.py) over the client's health."""

    def __init__(self, client: ConsoleClient) -> None:
        self._client = client

    def offline(self) -> bool:
        return self._client.health.offline

    def not_responding(self) -> bool:
        return self._client.health.not_responding

    def add_reachability_observer(self, observer: Callable[[bool], None]) -> Callable[[], None]:
        last = [(self.offline(), self.not_responding())]

        def changed(health: Health) -> None:
            now = (health.offline, health.not_responding)
            if now != last[0]:
                last[0] = now
                observer(health.offline)

        return self._client.add_health_observer(changed)


class Sized(Protocol):
    """What LocalStorage needs of storage.Database."""

    @property
    def mode(self) -> Any: ...  # StorageMode

    def size_bytes(self) -> int: ...


class LocalStorage:
    """``LocalData`` (ui/widgets/local_data_section.py) over the account's Database; the
    clearing is the client's (its cache, not the outbox nor the drafts)."""

    def __init__(self, client: ConsoleClient, database: Sized,
                 notices: Sequence[str] = ()) -> None:
        self._client, self._database = client, database
        self.notices: Sequence[str] = tuple(notices)

    @property
    def mode(self) -> str:
        return str(self._database.mode.value)

    def size_bytes(self) -> int:
        return self._database.size_bytes()

    async def clear(self) -> None:
        await self._client.clear_cache()


class DatabaseViewMemory:
    """``ViewMemory`` (ui/last_view.py) in the cache's meta: what the warm start restored
    (``Restored.view``), kept with ``client.save_view`` (queued with the next batch).
    conversation/filter/website map to last_open/filter/scope ("" website: all, None)."""

    KEYS = (("conversation", cached.LAST_OPEN), ("filter", cached.FILTER),
            ("website", cached.SCOPE))

    def __init__(self, client: ConsoleClient) -> None:
        self._client = client

    def get(self) -> Mapping[str, str]:
        warm = self._client.warm
        view = warm.view() if warm is not None else {}
        out = {}
        for key, meta in self.KEYS:
            value = view.get(meta)
            if isinstance(value, str):
                out[key] = value
        return out

    def set(self, view: Mapping[str, str]) -> None:
        values = {meta: view.get(key) or None for key, meta in self.KEYS}
        self._client.save_view(**values)


class DatabaseSavedViews:
    """``SavedViewsMemory`` (ui/saved_views.py) in the cache's meta: read from what the warm
    start restored, written with ``client.save_view`` (queued with the next batch)."""

    def __init__(self, client: ConsoleClient) -> None:
        self._client = client

    def get(self) -> Sequence[Any]:
        warm = self._client.warm
        restored = warm.restored if warm is not None else None
        views = restored.view.get(cached.SAVED_VIEWS) if restored is not None else None
        return views if isinstance(views, list) else []

    def set(self, views: list[dict[str, str]]) -> None:
        self._client.save_view(**{cached.SAVED_VIEWS: views})

"""The live feed's sink: every RTM event goes to the store, then to the raw listeners.

Synchronous and never raising (the gateway calls it from its socket handler); follow-up I/O
is the owners' (an owed fetch, a websites refresh) and runs as owned tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from crisp_console.client.watches import Watches
from crisp_console.core import ApplyResult, Store
from crisp_console.log import ThrottledReporter

log = logging.getLogger("crisp_console.client")

EventListener = Callable[[str, Any], None]
PLUGIN_EVENTS = ("plugin:settings:saved", "plugin:subscription:updated")
# Events about a conversation the store does not have that owe no fetch: they change nothing
# the list sorts or filters by (a visitor typing, online or offline, reading, the pages
# they browse), and a fetch spends the shared REST quota. On a busy website most events
# are these; the message or the state change that follows owes its fetch.
NO_FETCH = ("message:compose:", "message:acknowledge:read:", "message:acknowledge:delivered",
            "session:update_availability", "session:sync:")


class EventSink:
    """``on_event`` is the gateway's sink. ``bucket_answer`` hears ``bucket:url:*`` answers,
    ``owe_fetch(website_id, session_id)`` an event for a conversation the store does not
    know, ``plugin_changed()`` a change of the plugin's settings or subscription."""

    def __init__(self, store: Store, watches: Watches, *,
                 bucket_answer: Callable[[Any], None],
                 owe_fetch: Callable[[str, str], None],
                 plugin_changed: Callable[[], None]) -> None:
        self._store = store
        self._watches = watches
        self._bucket_answer = bucket_answer
        self._owe_fetch = owe_fetch
        self._plugin_changed = plugin_changed
        # Replaced, never mutated, so that on_event iterates it without a copy per event.
        self._listeners: tuple[EventListener, ...] = ()
        self.problems = ThrottledReporter(log)  # failures on events: once per kind, counted

    def add_listener(self, listener: EventListener) -> Callable[[], None]:
        """Raw RTM events, after the store applied them (``tail`` prints them; the team
        settings reload on ``plugin:settings:saved``). Views read ``store.subscribe_live``
        instead: typed, never a wire dict. Returns the function that unsubscribes."""
        self._listeners = (*self._listeners, listener)
        return lambda: self._remove(listener)

    def _remove(self, listener: EventListener) -> None:
        listeners = list(self._listeners)
        listeners.remove(listener)  # ValueError on a second call, as list.remove did
        self._listeners = tuple(listeners)

    def on_event(self, name: str, payload: Any) -> None:
        """A failure on a peer's payload is logged once per kind (its traceback once), then
        counted in ``problems``: a hostile peer cannot flood the log."""
        try:
            self._dispatch(name, payload)
        except Exception as exc:  # noqa: BLE001 - the sink must never raise into the socket
            self.problems.report("handling an RTM event failed", f"{name}: {exc!r}",
                                 exc_info=exc)
        for listener in self._listeners:
            try:
                listener(name, payload)
            except Exception as exc:  # noqa: BLE001 - one listener must not stop the others
                self.problems.report("an RTM event listener failed", f"{name}: {exc!r}",
                                     exc_info=exc)

    def _dispatch(self, name: str, payload: Any) -> None:
        if name.startswith("bucket:url:"):
            self._bucket_answer(payload)  # the store only hears of it (nothing to keep)
        self._watches.note(name, payload)
        # Echoes older than an optimistic change are dropped there (core/optimistic.py).
        result = self._store.apply(name, payload)
        if name in PLUGIN_EVENTS:
            self._plugin_changed()
        # A provisional row (a message of a new conversation: core/handlers_messages.py) is
        # owed Crisp's own copy just as an unknown conversation is.
        if isinstance(payload, dict) and not name.startswith(NO_FETCH) and (
                result is ApplyResult.UNKNOWN_TARGET
                or self._store.is_provisional(payload.get("session_id"))):
            website_id, session_id = payload.get("website_id"), payload.get("session_id")
            if isinstance(website_id, str) and isinstance(session_id, str):
                self._owe_fetch(website_id, session_id)

"""The status bar: connection state, how fresh the data is, and the quota used today.

Honest by design: "Connected" only once the live feed is authenticated, a countdown while a
reconnect waits, and while offline the age of the last moment the data was known complete.
The client's ``Health`` (observed, so a change shows at once) overrides what would be a lie:

- a live feed Crisp refused says "no live feed: <why>" instead of a connection state, and no
  freshness (nothing arrives live to be fresh with);
- while a catch-up (or the fetch of a conversation heard of live) is owed, "catching up"
  replaces "synced …": the list may miss conversations until it is done; why the last try
  failed is in the words and the tooltip;
- a spent daily quota says "daily API quota spent, resets at HH:MM" (local time) instead of
  the count.

The quota's tooltip says what this session's requests were for (api/purpose.py).

Everything is plain text: the reasons may quote the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, tzinfo
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from crisp_console.client import LIVE_FEED, ConnectionState, Health
from crisp_console.client.words import clip
from crisp_console.present.failure_words import quota_words, reset_time
from crisp_console.present.plain import tooltip_html
from crisp_console.present.timefmt import ago
from crisp_console.ui.ports import HealthSource

# Plugin tokens get 5,000 requests per UTC day by default (crisp-api.md section 6).
DEFAULT_DAILY_QUOTA = 5000


class Gateway(Protocol):
    @property
    def state(self) -> ConnectionState: ...

    @property
    def retry_at(self) -> float | None: ...

    def add_state_observer(self, cb: Callable[[ConnectionState], None]) -> Callable[[], None]:
        ...


class Quota(Protocol):
    @property
    def count(self) -> int: ...

    @property
    def day(self) -> date: ...


class Requests(Protocol):
    """Requests sent this session, by purpose (CrispApi.requests)."""

    def by_purpose(self) -> dict[str, int]: ...


# Purposes (api/purpose.py) in the quota's tooltip.
PURPOSE_WORDS = {"start-up": "start-up", "reconcile": "catching up", "open": "opening",
                 "history": "older messages", "poll": "website polls", "send": "sending",
                 "other": "other"}
CATCHING_UP_TIP = ("The console owes Crisp a catch-up: until it is done the list may miss "
                   "conversations or messages. It is retried until it succeeds.")


class ConnectionStatusBar(QStatusBar):
    """Three permanent labels, refreshed on every state change and once a second."""

    def __init__(self, gateway: Gateway, quota: Quota, *, daily_quota: int = DEFAULT_DAILY_QUOTA,
                 health: HealthSource | None = None, tz: tzinfo | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 requests: Requests | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gateway = gateway
        self._quota = quota
        self._requests = requests
        self._daily_quota = daily_quota
        self._tz = tz  # None: the local time zone
        self._monotonic = monotonic
        self._health = health.health if health is not None else Health()
        self._in_sync_since: float | None = None  # CONNECTED since (monotonic)
        self._lost_at: float | None = None  # when the feed last dropped (monotonic)
        self._synced_at: float | None = None  # last connect or live event (monotonic)
        self.state_label = QLabel()
        self.sync_label = QLabel()
        self.quota_label = QLabel()
        for label in (self.state_label, self.sync_label, self.quota_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.addPermanentWidget(label)
        self._unsubscribe = gateway.add_state_observer(self._on_state)
        self._unobserve = (health.add_health_observer(self._on_health) if health is not None
                           else lambda: None)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._on_state(gateway.state)

    def detach(self) -> None:
        """Stop listening (before the client closes)."""
        self._timer.stop()
        self._unsubscribe()
        self._unobserve()

    def _on_state(self, state: ConnectionState) -> None:
        now = self._monotonic()
        if state is ConnectionState.CONNECTED:
            self._in_sync_since, self._lost_at = now, None
            self._synced_at = now
        elif self._in_sync_since is not None and self._lost_at is None:
            self._lost_at = now
        self.refresh()

    def _on_health(self, health: Health) -> None:
        if (self._health.catching_up and not health.catching_up
                and self._gateway.state is ConnectionState.CONNECTED):
            self._synced_at = self._monotonic()  # the catch-up is done: complete as of now
        self._health = health
        self.refresh()

    def health(self) -> Health:
        return self._health

    def state_text(self) -> str:
        refused = self._health.denied_for(LIVE_FEED)
        if refused is not None:
            return f"✕ no live feed: {clip(refused, 200)}"
        state = self._gateway.state
        if state is ConnectionState.CONNECTED:
            return "● Connected"
        if state is ConnectionState.RECONNECTING:
            retry_at = self._gateway.retry_at
            if retry_at is not None:
                wait = max(0.0, retry_at - self._monotonic())
                return f"○ Reconnecting in {wait:.0f} s" if wait >= 1 else "○ Reconnecting…"
            return "○ Reconnecting…"
        if state is ConnectionState.UNAUTHORIZED:
            return "✕ Unauthorized: the token was refused"
        if state is ConnectionState.CLOSED:
            return "○ Offline"
        return "○ Connecting…"

    def mark_synced(self) -> None:
        """A live event arrived: the console holds what Crisp had a moment ago."""
        if self._lost_at is None and self._in_sync_since is not None:
            self._synced_at = self._monotonic()

    def sync_text(self) -> str:
        """"" while the live feed is refused (the state says so: nothing is "in sync")."""
        now = self._monotonic()
        health = self._health
        if health.denied_for(LIVE_FEED) is not None:
            return ""
        if health.catching_up:
            text = "catching up"
            if self._lost_at is not None:
                text += f" (last in sync {ago(now - self._lost_at)})"
            if health.quota_resets_at is not None:  # the quota label says until when
                text += "; waiting for the quota"
            elif health.catchup_problem:
                text += f"; last try: {clip(health.catchup_problem, 100)}"
            return text
        if self._lost_at is not None:
            return f"last in sync {ago(now - self._lost_at)}"
        if self._synced_at is not None:
            return f"synced {ago(now - self._synced_at)}"
        return "not synced yet"

    def quota_text(self) -> str:
        resets_at = self._health.quota_resets_at
        if resets_at is not None:
            return quota_words(resets_at, self._tz)
        used = self._quota.count
        if self._daily_quota <= 0:
            return f"{used} requests today"
        return f"quota {used:,}/{self._daily_quota:,} today"

    def refresh(self) -> None:
        health = self._health
        self.state_label.setText(self.state_text())
        refused = health.denied_for(LIVE_FEED)
        self.state_label.setToolTip(tooltip_html(f"No live feed: {refused}") if refused else "")
        sync = self.sync_text()
        self.sync_label.setText(sync)
        self.sync_label.setVisible(bool(sync))
        problem = f"\nThe last try failed: {health.catchup_problem}" \
            if health.catchup_problem else ""
        self.sync_label.setToolTip(tooltip_html(CATCHING_UP_TIP + problem)
                                   if health.catching_up else "")
        self.quota_label.setText(self.quota_text())
        self.quota_label.setToolTip(self._quota_tip())

    def _quota_tip(self) -> str:
        resets_at = self._health.quota_resets_at
        if resets_at is not None:
            return (f"Crisp refuses this token's requests until the quota resets at midnight "
                    f"UTC ({reset_time(resets_at, self._tz)} here). Background work waits; "
                    "replies wait in the thread, marked not sent, and go out once it "
                    "reopens.")
        near_limit = self._daily_quota > 0 and self._quota.count >= 0.9 * self._daily_quota
        return ("Requests to Crisp's REST API today (UTC); the plugin quota resets at "
                "midnight UTC" + (". Nearly spent." if near_limit else ".")
                + self._purposes_tip())

    def _purposes_tip(self) -> str:
        spent = self._requests.by_purpose() if self._requests is not None else {}
        parts = [f"{PURPOSE_WORDS.get(name, name)} {count:,}"
                 for name, count in spent.items() if count]
        return f"\nThis session: {' · '.join(parts)}." if parts else ""

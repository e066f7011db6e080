"""The status bar: connection state, how fresh the data is, and the quota used today.

Honest by design: "Connected" only once the live feed is authenticated, a countdown while a
reconnect waits, and while offline the age of the last moment the data was known complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from crisp_console.client import ConnectionState

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


def ago(seconds: float) -> str:
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


class ConnectionStatusBar(QStatusBar):
    """Three permanent labels, refreshed on every state change and once a second."""

    def __init__(self, gateway: Gateway, quota: Quota, *, daily_quota: int = DEFAULT_DAILY_QUOTA,
                 monotonic: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gateway = gateway
        self._quota = quota
        self._daily_quota = daily_quota
        self._monotonic = monotonic
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
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._on_state(gateway.state)

    def detach(self) -> None:
        """Stop listening (before the client closes)."""
        self._timer.stop()
        self._unsubscribe()

    def _on_state(self, state: ConnectionState) -> None:
        now = self._monotonic()
        if state is ConnectionState.CONNECTED:
            self._in_sync_since, self._lost_at = now, None
            self._synced_at = now
        elif self._in_sync_since is not None and self._lost_at is None:
            self._lost_at = now
        self.refresh()

    def state_text(self) -> str:
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
        now = self._monotonic()
        if self._lost_at is not None:
            return f"last in sync {ago(now - self._lost_at)}"
        if self._synced_at is not None:
            return f"synced {ago(now - self._synced_at)}"
        return "not synced yet"

    def quota_text(self) -> str:
        used = self._quota.count
        if self._daily_quota <= 0:
            return f"{used} requests today"
        return f"quota {used:,}/{self._daily_quota:,} today"

    def refresh(self) -> None:
        self.state_label.setText(self.state_text())
        self.sync_label.setText(self.sync_text())
        self.quota_label.setText(self.quota_text())
        near_limit = self._daily_quota > 0 and self._quota.count >= 0.9 * self._daily_quota
        self.quota_label.setToolTip("Requests to Crisp's REST API today (UTC); the plugin "
                                    "quota resets at midnight UTC" +
                                    (". Nearly spent." if near_limit else "."))

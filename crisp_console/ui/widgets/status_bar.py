"""The status bar: connection state, how fresh the data is, and the quota used today.

Honest by design: "Connected" only once the live feed is authenticated, a countdown while a
reconnect waits, "Not responding" while Crisp answers nothing (a frozen relay keeps its socket
open: ``Health.not_responding``), and while offline the age of the last moment the data was
known complete.
The client's ``Health`` (observed, so a change shows at once) overrides what would be a lie:

- a live feed Crisp refused says "no live feed: <why>" instead of a connection state, and no
  freshness (nothing arrives live to be fresh with);
- while a catch-up (or the fetch of a conversation heard of live) is owed, "catching up"
  replaces "synced …": the list may miss conversations until it is done; why the last try
  failed is in the words and the tooltip;
- a spent daily quota says "daily API quota spent, resets at HH:MM" (local time) instead of
  the count;
- a warm start (the console painted what it saved last time, ``SavedDataSource``) says
  "showing saved data from HH:MM" instead of any freshness, until the client says that data
  is reconciled with Crisp: saved data is not "synced".

The quota's tooltip says what this session's requests were for (api/purpose.py).

Everything is plain text: the reasons may quote the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from crisp_console.client import LIVE_FEED, ConnectionState, Health
from crisp_console.client.words import clip
from crisp_console.present.failure_words import quota_words, reset_time
from crisp_console.present.plain import tooltip_html
from crisp_console.present.timefmt import ago, moment
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
                 "history": "older messages", "list": "more of a list",
                 "backfill": "exact counts", "search": "searching", "poll": "website polls",
                 "send": "sending", "other": "other"}


class SavedDataSource(Protocol):
    """What the console shows before Crisp answers: the data saved last time (warm start).

    ``saved_at()``: when that data was last known in sync with Crisp (an aware datetime);
    None when nothing saved is shown (a cold start). ``reconciled()``: True once the client has
    brought it up to date (then the usual freshness applies). ``add_saved_data_observer(cb)``
    calls ``cb()`` on the UI thread whenever either changes, and returns the unsubscribe."""

    def saved_at(self) -> datetime | None: ...

    def reconciled(self) -> bool: ...

    def add_saved_data_observer(self, observer: Callable[[], None]) -> Callable[[], None]: ...


CATCHING_UP_TIP = ("The console owes Crisp a catch-up: until it is done the list may miss "
                   "conversations or messages. It is retried until it succeeds.")
NOT_RESPONDING = "◌ Not responding"
NOT_RESPONDING_TIP = ("No answer from Crisp for {for_how_long} ({what}). The console keeps your "
                      "replies and sends them when Crisp answers again; it reconnects by "
                      "itself.")
SAVED_DATA_TIP = ("The console shows what it saved on this computer at {when}. It is being "
                  "brought up to date with Crisp: until then conversations and messages may "
                  "be missing or out of date.")


class ConnectionStatusBar(QStatusBar):
    """Three permanent labels, refreshed on every state change and once a second (the
    request count: once a second, or with a change of the quota's state)."""

    def __init__(self, gateway: Gateway, quota: Quota, *, daily_quota: int = DEFAULT_DAILY_QUOTA,
                 health: HealthSource | None = None, saved: SavedDataSource | None = None,
                 tz: tzinfo | None = None, monotonic: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 requests: Requests | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saved, self._now, self._requests = saved, now, requests
        self._gateway, self._quota, self._daily_quota = gateway, quota, daily_quota
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
        self._unsaved = (saved.add_saved_data_observer(self._on_saved) if saved is not None
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
        self._unsaved()

    def _on_state(self, state: ConnectionState) -> None:
        now = self._monotonic()
        if state is ConnectionState.CONNECTED:
            self._in_sync_since, self._lost_at = now, None
            self._synced_at = now
        elif self._in_sync_since is not None and self._lost_at is None:
            self._lost_at = now
        self.refresh()

    def _on_health(self, health: Health) -> None:
        caught_up = self._health.catching_up and not health.catching_up
        heard = self._health.feed_silent_since is not None and health.feed_silent_since is None
        if (caught_up or heard) and self._gateway.state is ConnectionState.CONNECTED:
            # The catch-up is done, or the kept socket delivered what waited: complete now.
            self._synced_at = self._monotonic()
        # The request count alone waits for the next tick: every owed fetch changes the
        # health twice, and each new count relaid the window out (bench_events.py: the
        # status bar's layout requests, one per REST request, each also the window's).
        quota = health.quota_resets_at != self._health.quota_resets_at
        self._health = health
        self.refresh(quota=quota)

    def _on_saved(self) -> None:
        saved = self._saved
        if (saved is not None and saved.reconciled()
                and self._gateway.state is ConnectionState.CONNECTED):
            self._synced_at = self._monotonic()  # reconciled: complete as of now
        self.refresh()

    def health(self) -> Health:
        return self._health

    def saved_from(self) -> datetime | None:
        """When the saved data on screen is from, while it is not reconciled yet; else None."""
        saved = self._saved
        if saved is None or saved.reconciled():
            return None
        return saved.saved_at()

    def state_text(self) -> str:
        refused = self._health.denied_for(LIVE_FEED)
        if refused is not None:
            return f"✕ no live feed: {clip(refused, 200)}"
        state = self._gateway.state
        if self._health.not_responding and state not in (ConnectionState.UNAUTHORIZED,
                                                         ConnectionState.CLOSED):
            return NOT_RESPONDING
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
        """"" while the live feed is refused (the state says so: nothing is "in sync"),
        unless saved data is on screen: that is said whatever the feed does."""
        now = self._monotonic()
        health = self._health
        saved_from = self.saved_from()
        if saved_from is not None:
            return f"showing saved data from {moment(saved_from, self._now(), self._tz)}" \
                + self._waiting_for(health)
        if health.denied_for(LIVE_FEED) is not None:
            return ""
        if health.catching_up:
            text = "catching up"
            if self._lost_at is not None:
                text += f" (last in sync {ago(now - self._lost_at)})"
            return text + self._waiting_for(health)
        if self._lost_at is not None:
            return f"last in sync {ago(now - self._lost_at)}"
        if health.feed_silent_since is not None:  # connected, but nothing comes
            return f"last in sync {ago(now - health.feed_silent_since)}"
        if self._synced_at is not None:
            return f"synced {ago(now - self._synced_at)}"
        return "not synced yet"

    @staticmethod
    def _waiting_for(health: Health) -> str:
        """What the catch-up waits for, if anything: the quota, or why its last try failed."""
        if not health.catching_up:
            return ""
        if health.quota_resets_at is not None:  # the quota label says until when
            return "; waiting for the quota"
        if health.catchup_problem:
            return f"; last try: {clip(health.catchup_problem, 100)}"
        return ""

    def quota_text(self) -> str:
        resets_at = self._health.quota_resets_at
        if resets_at is not None:
            return quota_words(resets_at, self._tz)
        used = self._quota.count
        if self._daily_quota <= 0:
            return f"{used} requests today"
        return f"quota {used:,}/{self._daily_quota:,} today"

    def refresh(self, *, quota: bool = True) -> None:
        """``quota``: the quota label too (its request count changes with every request)."""
        health = self._health
        self.state_label.setText(self.state_text())
        refused = health.denied_for(LIVE_FEED)
        silence = self._silence_tip()
        self.state_label.setToolTip(tooltip_html(f"No live feed: {refused}") if refused
                                    else tooltip_html(silence) if silence else "")
        sync = self.sync_text()
        self.sync_label.setText(sync)
        self.sync_label.setVisible(bool(sync))
        problem = f"\nThe last try failed: {health.catchup_problem}" \
            if health.catchup_problem else ""
        saved_from = self.saved_from()
        if saved_from is not None:
            when = moment(saved_from, self._now(), self._tz)
            self.sync_label.setToolTip(tooltip_html(SAVED_DATA_TIP.format(when=when) + problem))
        else:
            self.sync_label.setToolTip(tooltip_html(CATCHING_UP_TIP + problem)
                                       if health.catching_up else "")
        if quota:
            self.quota_label.setText(self.quota_text())
            self.quota_label.setToolTip(self._quota_tip())

    def _silence_tip(self) -> str:
        """What answers nothing, and since when ("" while Crisp answers)."""
        health = self._health
        if self.state_label.text() != NOT_RESPONDING:
            return ""
        parts = {"the live feed": health.feed_silent_since,
                 "requests": health.requests_unanswered_since}
        silent = {what: since for what, since in parts.items() if since is not None}
        quiet = max(0.0, self._monotonic() - min(silent.values()))
        for_how_long = f"{quiet:.0f} s" if quiet < 60 else f"{quiet // 60:.0f} min"
        return NOT_RESPONDING_TIP.format(for_how_long=for_how_long, what=" and ".join(silent))

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

"""The status bar tells the truth about the connection, the data's freshness and the quota,
and follows the client's health (catching up, a spent quota, a refused live feed) the moment
it changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from types import MappingProxyType

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crisp_console.client import LIVE_FEED, ConnectionState, Health
from crisp_console.errors import QuotaExceededError
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.widgets.status_bar import CATCHING_UP_TIP, ConnectionStatusBar
from tests.client.conftest import make_client, until
from tests.sandbox.conftest import admin, sandbox  # noqa: F401 - fixtures reused here
from tests.ui.hostile import HOSTILE, assert_inert_tooltip

PARIS_WINTER = timezone(timedelta(hours=1))
RESETS = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


class FakeGateway:
    def __init__(self) -> None:
        self.state = ConnectionState.CONNECTING
        self.retry_at: float | None = None
        self._observers: list[Callable[[ConnectionState], None]] = []

    def add_state_observer(self, cb: Callable[[ConnectionState], None]) -> Callable[[], None]:
        self._observers.append(cb)
        return lambda: self._observers.remove(cb)

    def move(self, state: ConnectionState, retry_at: float | None = None) -> None:
        self.state, self.retry_at = state, retry_at
        for cb in list(self._observers):
            cb(state)


class FakeQuota:
    count = 1234
    day = date(2026, 11, 21)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeHealth:
    """The client's health contract: a snapshot, and observers told of every change."""

    def __init__(self) -> None:
        self.health = Health()
        self._observers: list[Callable[[Health], None]] = []

    def add_health_observer(self, cb: Callable[[Health], None]) -> Callable[[], None]:
        self._observers.append(cb)
        return lambda: self._observers.remove(cb)

    def set(self, **fields: object) -> None:
        if "denied" in fields:
            fields["denied"] = MappingProxyType(dict(fields["denied"]))  # type: ignore[call-overload]
        self.health = replace(self.health, **fields)  # type: ignore[arg-type]
        for cb in list(self._observers):
            cb(self.health)


Parts = tuple[ConnectionStatusBar, FakeGateway, Clock, FakeHealth]


@pytest.fixture
def healthy(qtbot: QtBot) -> Parts:
    gateway, clock, health = FakeGateway(), Clock(), FakeHealth()
    bar = ConnectionStatusBar(gateway, FakeQuota(), health=health, tz=PARIS_WINTER,
                              monotonic=clock)
    qtbot.addWidget(bar)
    return bar, gateway, clock, health


@pytest.fixture
def parts(qtbot: QtBot) -> tuple[ConnectionStatusBar, FakeGateway, Clock]:
    gateway, clock = FakeGateway(), Clock()
    bar = ConnectionStatusBar(gateway, FakeQuota(), monotonic=clock)
    qtbot.addWidget(bar)
    return bar, gateway, clock


def test_states_read_honestly(parts: tuple[ConnectionStatusBar, FakeGateway, Clock]) -> None:
    bar, gateway, clock = parts
    assert bar.state_label.text() == "○ Connecting…"
    assert bar.sync_label.text() == "not synced yet"
    gateway.move(ConnectionState.CONNECTED)
    assert (bar.state_label.text(), bar.sync_label.text()) == ("● Connected", "synced just now")
    clock.now += 30
    bar.refresh()
    assert bar.sync_label.text() == "synced 30 s ago"  # quiet: the last data is 30 s old
    bar.mark_synced()
    bar.refresh()
    assert bar.sync_label.text() == "synced just now"
    gateway.move(ConnectionState.RECONNECTING, retry_at=clock.now + 7)
    assert bar.state_label.text() == "○ Reconnecting in 7 s"
    clock.now += 75
    gateway.move(ConnectionState.RECONNECTING, retry_at=None)
    assert bar.sync_label.text() == "last in sync 1 min ago"
    gateway.move(ConnectionState.UNAUTHORIZED)
    assert bar.state_label.text().startswith("✕ Unauthorized")
    gateway.move(ConnectionState.CLOSED)
    assert bar.state_label.text() == "○ Offline"


class FakeSaved:
    """The warm start's SavedDataSource: when the saved data is from, and whether the client
    has reconciled it yet; observers told of every change."""

    def __init__(self, saved_at: datetime | None) -> None:
        self.at, self.done = saved_at, False
        self.observers: list[Callable[[], None]] = []

    def saved_at(self) -> datetime | None:
        return self.at

    def reconciled(self) -> bool:
        return self.done

    def add_saved_data_observer(self, cb: Callable[[], None]) -> Callable[[], None]:
        self.observers.append(cb)
        return lambda: self.observers.remove(cb)

    def reconcile(self) -> None:
        self.done = True
        for cb in list(self.observers):
            cb()


NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def test_saved_data_is_said_until_it_is_reconciled(qtbot: QtBot) -> None:
    gateway, clock, health = FakeGateway(), Clock(), FakeHealth()
    saved = FakeSaved(datetime(2026, 11, 21, 7, 2, tzinfo=UTC))
    bar = ConnectionStatusBar(gateway, FakeQuota(), health=health, saved=saved,
                              tz=PARIS_WINTER, monotonic=clock, now=lambda: NOW)
    qtbot.addWidget(bar)
    assert bar.sync_label.text() == "showing saved data from 08:02"  # Paris time
    assert "saved on this computer at 08:02" in bar.sync_label.toolTip()
    health.set(catching_up=True, catchup_problem="Crisp could not be reached")
    gateway.move(ConnectionState.CONNECTED)  # the feed is up: saved data is still not synced
    assert bar.sync_label.text() == ("showing saved data from 08:02; last try: Crisp could "
                                     "not be reached")
    assert "The last try failed: Crisp could not be reached" in bar.sync_label.toolTip()
    health.set(denied={LIVE_FEED: "no scope"})
    assert bar.sync_label.text().startswith("showing saved data from 08:02")
    health.set(denied={}, catching_up=False, catchup_problem="")
    clock.now += 40
    saved.reconcile()
    assert bar.sync_label.text() == "synced just now"  # reconciled: complete as of now
    assert bar.sync_label.toolTip() == "" and bar.saved_from() is None
    bar.detach()
    assert saved.observers == []


def test_saved_data_from_another_day_names_the_day(qtbot: QtBot) -> None:
    saved = FakeSaved(datetime(2026, 11, 19, 17, 45, tzinfo=UTC))
    bar = ConnectionStatusBar(FakeGateway(), FakeQuota(), saved=saved, tz=UTC,
                              now=lambda: NOW)
    qtbot.addWidget(bar)
    assert bar.sync_label.text() == "showing saved data from 19 Nov 17:45"


def test_a_cold_start_shows_no_saved_data(qtbot: QtBot) -> None:
    bar = ConnectionStatusBar(FakeGateway(), FakeQuota(), saved=FakeSaved(None))
    qtbot.addWidget(bar)
    assert bar.sync_label.text() == "not synced yet"


def test_quota_is_shown(parts: tuple[ConnectionStatusBar, FakeGateway, Clock]) -> None:
    bar, _, _ = parts
    assert bar.quota_label.text() == "quota 1,234/5,000 today"


class FakeRequests:
    def by_purpose(self) -> dict[str, int]:
        return {"start-up": 9, "reconcile": 0, "open": 1_204, "poll": 3, "other": 18}


def test_the_quota_tip_says_what_the_requests_were_for(qtbot: QtBot) -> None:
    bar = ConnectionStatusBar(FakeGateway(), FakeQuota(), requests=FakeRequests())
    qtbot.addWidget(bar)
    assert bar.quota_label.toolTip().endswith(
        "\nThis session: start-up 9 · opening 1,204 · website polls 3 · other 18.")
    plain = ConnectionStatusBar(FakeGateway(), FakeQuota())
    qtbot.addWidget(plain)
    assert "This session" not in plain.quota_label.toolTip()


def test_detach_stops_listening(parts: tuple[ConnectionStatusBar, FakeGateway, Clock]) -> None:
    bar, gateway, _ = parts
    bar.detach()
    gateway.move(ConnectionState.CONNECTED)
    assert bar.state_label.text() == "○ Connecting…"


@pytest.mark.asyncio
async def test_live_client_drop_and_return(qtbot: QtBot, sandbox: Sandbox,  # noqa: F811
                                           admin: httpx.AsyncClient) -> None:  # noqa: F811
    client = make_client(sandbox)
    await client.start()
    try:
        bar = ConnectionStatusBar(client.gateway, client.api.quota)
        qtbot.addWidget(bar)
        assert bar.state_label.text() == "● Connected"
        assert bar.quota_label.text().startswith("quota ")
        assert client.api.quota.count > 0
        await sandbox.restart(0.4)
        await until(lambda: bar.state_label.text().startswith("○ Reconnecting"), what="drop")
        assert bar.sync_label.text().startswith("last in sync")
        await until(lambda: client.connection_state is ConnectionState.CONNECTED, timeout=10)
        assert (bar.state_label.text(), bar.sync_label.text()) == ("● Connected",
                                                                   "synced just now")
        bar.detach()
    finally:
        await client.aclose()


def test_catching_up_replaces_synced_until_it_is_done(healthy: Parts) -> None:
    bar, gateway, clock, health = healthy
    health.set(catching_up=True)  # start-up owes a catch-up before the feed is up
    assert bar.sync_label.text() == "catching up"
    gateway.move(ConnectionState.CONNECTED)
    assert (bar.state_label.text(), bar.sync_label.text()) == ("● Connected", "catching up")
    assert CATCHING_UP_TIP in bar.sync_label.toolTip()
    health.set(catchup_problem="Crisp could not be reached (network error or timeout)")
    assert bar.sync_label.text() == ("catching up; last try: Crisp could not be reached "
                                     "(network error or timeout)")
    assert "The last try failed: Crisp could not be reached" in bar.sync_label.toolTip()
    clock.now += 90
    health.set(catching_up=False, catchup_problem="")
    # Done: the data is complete as of now, not as of the connection 90 s ago.
    assert bar.sync_label.text() == "synced just now" and bar.sync_label.toolTip() == ""
    # A drop owes another: the age of the last complete moment stays in the words.
    clock.now += 10
    gateway.move(ConnectionState.RECONNECTING, retry_at=clock.now + 5)
    health.set(catching_up=True)
    clock.now += 120
    bar.refresh()
    assert bar.sync_label.text() == "catching up (last in sync 2 min ago)"


def test_a_spent_quota_says_when_it_resets_in_local_time(healthy: Parts) -> None:
    bar, gateway, _clock, health = healthy
    gateway.move(ConnectionState.CONNECTED)
    assert bar.quota_label.text() == "quota 1,234/5,000 today"
    health.set(quota_resets_at=RESETS)
    assert bar.quota_label.text() == "daily API quota spent, resets at 01:00"
    assert "midnight UTC (01:00 here)" in bar.quota_label.toolTip()
    assert bar.state_label.text() == "● Connected"  # the feed is still up
    # Owed work waits for the reset: said once, in local time, not again in UTC words.
    health.set(catching_up=True, catchup_problem="the daily API quota is spent; it resets "
               "at 00:00 UTC (2026-11-22)")
    assert bar.sync_label.text() == "catching up; waiting for the quota"
    assert "00:00 UTC" in bar.sync_label.toolTip()
    health.set(quota_resets_at=None)
    assert bar.quota_label.text() == "quota 1,234/5,000 today"


def test_the_request_count_follows_the_tick_not_each_health_change(
        qtbot: QtBot) -> None:
    """Every owed fetch changes the health twice; a new count each time relaid the whole
    window out. The count shows on the next tick (or a change of state), the quota's own
    state at once."""
    gateway, clock, health, quota = FakeGateway(), Clock(), FakeHealth(), FakeQuota()
    bar = ConnectionStatusBar(gateway, quota, health=health, tz=PARIS_WINTER, monotonic=clock)
    qtbot.addWidget(bar)
    quota.count = 1240
    health.set(catching_up=True)
    assert bar.sync_label.text().startswith("catching up")  # the health itself: at once
    assert bar.quota_label.text() == "quota 1,234/5,000 today"
    bar.refresh()  # the tick
    assert bar.quota_label.text() == "quota 1,240/5,000 today"
    quota.count = 1250
    health.set(quota_resets_at=RESETS)  # the quota's state: at once
    assert bar.quota_label.text() == "daily API quota spent, resets at 01:00"
    health.set(quota_resets_at=None)
    assert bar.quota_label.text() == "quota 1,250/5,000 today"
    quota.count = 1251
    gateway.move(ConnectionState.CONNECTED)  # a change of state: everything
    assert bar.quota_label.text() == "quota 1,251/5,000 today"


def test_a_refused_live_feed_says_so_instead_of_a_state(healthy: Parts) -> None:
    bar, gateway, _clock, health = healthy
    health.set(denied={LIVE_FEED: "Crisp refused the live feed's authentication"})
    gateway.move(ConnectionState.UNAUTHORIZED)
    assert bar.state_label.text() == "✕ no live feed: Crisp refused the live feed's " \
        "authentication"
    assert bar.sync_text() == "" and not bar.sync_label.isVisibleTo(bar)
    health.set(denied={})
    assert bar.state_label.text().startswith("✕ Unauthorized")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_health_words_are_plain_text(healthy: Parts, hostile: str) -> None:
    bar, _gateway, _clock, health = healthy
    health.set(catching_up=True, catchup_problem=hostile, denied={LIVE_FEED: hostile})
    for label in (bar.state_label, bar.sync_label, bar.quota_label):
        assert label.textFormat() is Qt.TextFormat.PlainText
    assert_inert_tooltip(bar.state_label.toolTip(), hostile)
    assert_inert_tooltip(bar.sync_label.toolTip(), hostile)


def test_detach_stops_following_the_health(healthy: Parts) -> None:
    bar, _gateway, _clock, health = healthy
    bar.detach()
    health.set(quota_resets_at=RESETS)
    assert bar.quota_label.text() == "quota 1,234/5,000 today"


@pytest.mark.asyncio
async def test_the_quota_running_out_shows_at_the_health_event(
        qtbot: QtBot, sandbox: Sandbox, admin: httpx.AsyncClient) -> None:  # noqa: F811
    """The strict sandbox's spent quota (429, no reason, no Retry-After) reaches the bar in
    the same call that tells the client's observers: nothing waits for a timer."""
    client = make_client(sandbox)
    await client.start()
    try:
        bar = ConnectionStatusBar(client.gateway, client.api.quota, health=client)
        qtbot.addWidget(bar)
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        seen: list[str] = []
        spent = asyncio.Event()

        def observe(health: Health) -> None:  # subscribed after the bar: it ran first
            if health.quota_resets_at is not None:
                seen.append(bar.quota_label.text())
                spent.set()

        client.add_health_observer(observe)
        await admin.patch("faults", json={"daily_quota": 1})  # far less than start-up used
        with pytest.raises(QuotaExceededError):
            await client.commands.mark_unread(next(iter(client.store.conversations)))
        await asyncio.wait_for(spent.wait(), 10)
        resets = (await admin.get("quota")).json()["data"]["resets_at"]
        local = datetime.fromtimestamp(resets / 1000, UTC).astimezone().strftime("%H:%M")
        assert seen[0] == f"daily API quota spent, resets at {local}"
        assert client.health.quota_resets_at == datetime.fromtimestamp(resets / 1000, UTC)
        bar.detach()
    finally:
        await client.aclose()

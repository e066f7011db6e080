"""The status bar tells the truth about the connection, the data's freshness and the quota."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest
from pytestqt.qtbot import QtBot

from crisp_console.client import ConnectionState
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.widgets.status_bar import ConnectionStatusBar, ago
from tests.client.conftest import make_client, until
from tests.sandbox.conftest import admin, sandbox  # noqa: F401 - fixtures reused here


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


def test_quota_is_shown(parts: tuple[ConnectionStatusBar, FakeGateway, Clock]) -> None:
    bar, _, _ = parts
    assert bar.quota_label.text() == "quota 1,234/5,000 today"


def test_detach_stops_listening(parts: tuple[ConnectionStatusBar, FakeGateway, Clock]) -> None:
    bar, gateway, _ = parts
    bar.detach()
    gateway.move(ConnectionState.CONNECTED)
    assert bar.state_label.text() == "○ Connecting…"


@pytest.mark.parametrize(("seconds", "text"), [(1, "just now"), (42, "42 s ago"),
                                               (600, "10 min ago"), (7300, "2 h ago")])
def test_ago(seconds: float, text: str) -> None:
    assert ago(seconds) == text


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

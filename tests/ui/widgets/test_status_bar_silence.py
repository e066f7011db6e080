"""'Not responding': the status bar says it while Crisp answers nothing (its live feed's
relay, or its REST API), distinct from Connected, Reconnecting and Offline, and its tooltip
says what is silent and for how long; the banner says it too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crisp_console.client import ConnectionState
from crisp_console.ui.widgets.offline_banner import (
    NOT_RESPONDING_TEXT,
    OFFLINE_TEXT,
    OfflineBanner,
)
from crisp_console.ui.widgets.status_bar import NOT_RESPONDING
from tests.ui.widgets.test_offline_banner import FakeReachability
from tests.ui.widgets.test_status_bar import Parts, healthy  # noqa: F401 - the fixture

S = ConnectionState


def test_a_silent_feed_is_not_responding_not_connected(healthy: Parts) -> None:  # noqa: F811
    bar, gateway, clock, health = healthy
    gateway.move(S.CONNECTED)
    assert bar.state_label.text() == "● Connected" and bar.state_label.toolTip() == ""
    health.set(feed_silent_since=clock.now - 8)
    assert bar.state_label.text() == NOT_RESPONDING == "◌ Not responding"
    tip = bar.state_label.toolTip()
    assert "No answer from Crisp for 8 s (the live feed)" in tip
    assert "keeps your replies" in tip
    clock.now += 60
    bar.refresh()  # the once-a-second refresh: the tooltip counts on
    assert "for 1 min (the live feed)" in bar.state_label.toolTip()
    assert bar.sync_label.text() == "last in sync 1 min ago"  # since its last frame
    health.set(feed_silent_since=None)  # the kept socket delivers what waited
    assert bar.state_label.text() == "● Connected" and bar.state_label.toolTip() == ""
    assert bar.sync_label.text() == "synced just now"


def test_unanswered_requests_say_it_too_and_both_are_named(healthy: Parts) -> None:  # noqa: F811
    bar, gateway, clock, health = healthy
    gateway.move(S.CONNECTED)
    health.set(requests_unanswered_since=clock.now - 6)
    assert bar.state_label.text() == NOT_RESPONDING
    assert "for 6 s (requests)" in bar.state_label.toolTip()
    health.set(feed_silent_since=clock.now - 9)
    assert "for 9 s (the live feed and requests)" in bar.state_label.toolTip()


def test_it_outranks_reconnecting_but_not_a_final_state(healthy: Parts) -> None:  # noqa: F811
    bar, gateway, clock, health = healthy
    health.set(feed_silent_since=clock.now - 12)
    gateway.move(S.RECONNECTING, retry_at=clock.now + 20)  # attempts time out: still silent
    assert bar.state_label.text() == NOT_RESPONDING
    health.set(feed_silent_since=None)  # refused outright: down, not silent
    assert bar.state_label.text() == "○ Reconnecting in 20 s"
    health.set(feed_silent_since=clock.now - 12)
    gateway.move(S.UNAUTHORIZED)
    assert bar.state_label.text().startswith("✕ Unauthorized")
    gateway.move(S.CLOSED)
    assert bar.state_label.text() == "○ Offline"


def test_the_banner_says_not_responding_and_offline_wins(qtbot: QtBot) -> None:
    source = FakeReachability()
    banner = OfflineBanner(source)
    qtbot.addWidget(banner)
    source.move(False, not_responding=True)
    assert banner.is_offline() and banner.text() == NOT_RESPONDING_TEXT
    assert banner.label.accessibleName() == "Not responding"
    assert banner.label.accessibleDescription() == NOT_RESPONDING_TEXT
    assert banner.label.textFormat() is Qt.TextFormat.PlainText
    source.move(True, not_responding=True)  # nothing is reached at all: that first
    assert banner.text() == OFFLINE_TEXT and banner.label.accessibleName() == "Offline"
    source.move(False, not_responding=False)
    assert not banner.is_offline()

"""The team controls' parts without a server: the console's availability (what Away mutes,
kept per account in real settings files), the notifier's gate, Crisp's availability watch,
the switch, and "Signed in as …" in a real menu and label (hostile names stay text)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.identity import Identity
from crisp_console.core import Store
from crisp_console.observers import Observers
from crisp_console.present.team_words import AWAY, ONLINE
from crisp_console.ui.account_info import SignedInInfo
from crisp_console.ui.availability import (
    ConsoleAvailability,
    CrispAvailabilityWatch,
    SettingsMemory,
)
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.widgets.availability_switch import AvailabilitySwitch
from crisp_console.ui.widgets.signed_in import MAX_WIDTH, SignedInLabel
from crisp_console.ui.widgets.tray_icon import APP_ICON
from tests.core import factories as f
from tests.present.seeded import COLLEAGUE, ME, T, seeded_store
from tests.ui.test_notifier_routes import ShownTray

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def store() -> Store:
    return seeded_store(24)  # assigned: me, colleague, none, none; some mention me


def mine(store: Store) -> set[str]:
    return {sid for sid, c in store.conversations.items()
            if c.assigned == ME or ME in c.mentions}


def test_online_notifies_everything_away_only_mine(qapp: object, store: Store) -> None:
    availability = ConsoleAvailability(store, lambda: ME)
    ids = store.conversation_ids()
    assert all(availability.should_notify(sid) for sid in ids)
    seen: list[str] = []
    availability.changed.connect(seen.append)
    availability.set_mode(AWAY)
    availability.set_mode(AWAY)  # no change, no signal
    assert seen == [AWAY]
    allowed = {sid for sid in ids if availability.should_notify(sid)}
    assert allowed == mine(store) and 0 < len(allowed) < len(ids)
    assert not availability.should_notify("session_unknown")
    store.update_conversation(ids[2], {"assigned": ME})  # assigned to me later: it counts
    assert availability.should_notify(ids[2])
    nobody = ConsoleAvailability(store, lambda: None)
    nobody.set_mode(AWAY)
    assert not any(nobody.should_notify(sid) for sid in ids)  # no "me": nothing is mine
    with pytest.raises(ValueError, match="invisible"):
        availability.set_mode("invisible")


def test_the_choice_is_kept_per_account_across_restarts(qapp: object, tmp_path: Path,
                                                        store: Store) -> None:
    ini = str(tmp_path / "window.ini")

    def open_as(account: str) -> ConsoleAvailability:
        settings = QSettings(ini, QSettings.Format.IniFormat)
        return ConsoleAvailability(store, lambda: ME, SettingsMemory(settings, account))

    first = open_as("https://api.crisp.chat|ada")
    assert first.mode == ONLINE
    first.set_mode(AWAY)
    assert open_as("https://api.crisp.chat|ada").mode == AWAY  # a restart
    assert open_as("https://api.crisp.chat|bob").mode == ONLINE  # another account
    settings = QSettings(ini, QSettings.Format.IniFormat)
    for key in settings.allKeys():
        settings.setValue(key, "invisible")  # a hand-edited file
    settings.sync()
    assert open_as("https://api.crisp.chat|ada").mode == ONLINE


def test_the_notifiers_gate_mutes_sound_and_popups(qtbot: QtBot, store: Store) -> None:
    window, other = QWidget(), QWidget()
    for w in (window, other):
        qtbot.addWidget(w)
        w.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=1000)
    tray = ShownTray(QIcon(str(APP_ICON)))  # a desktop with a tray: the pop-ups go there
    notifier = Notifier(store.conversations, window, tray=tray)
    store.subscribe_live(notifier.on_live)
    availability = ConsoleAvailability(store, lambda: ME)
    notifier.set_gate(availability.should_notify)
    availability.set_mode(AWAY)
    ids = [s for s in store.conversation_ids() if store.conversations[s].state != "resolved"]
    theirs = next(s for s in ids if s not in mine(store))
    ours = next(s for s in ids if s in mine(store))
    for n, sid in enumerate((theirs, ours)):
        store.apply("message:send", f.message_event(
            sid, content="ping", timestamp=T + 1000 + n,
            website_id=store.conversations[sid].website_id))
    assert [sid for _t, _b, sid in notifier.sent] == [ours]
    assert len(tray.messages) == 1
    tray.dispose()


class Source:
    def __init__(self) -> None:
        self.since_ms: int | None = None
        self.problem = ""
        self.observers: Observers[[]] = Observers(logging.getLogger(__name__), "source")

    def observe(self, observer: Callable[[], None]) -> Callable[[], None]:
        return self.observers.add(observer)


def test_crisp_watch_hears_me_only(qapp: object, store: Store) -> None:
    source = Source()
    watch = CrispAvailabilityWatch(store, Identity(store, ME), source)
    heard: list[None] = []
    watch.changed.connect(lambda: heard.append(None))
    assert watch.availability() == "online"
    store.update_operator(COLLEAGUE, {"availability": "away"})
    assert heard == []
    store.update_operator(ME, {"availability": "away"})
    assert watch.availability() == "away" and len(heard) == 1
    source.since_ms = 5
    source.observers.notify()
    assert len(heard) == 2 and watch.since_ms == 5
    watch.detach()
    store.update_operator(ME, {"availability": "online"})
    assert len(heard) == 2


def test_the_switch_says_both_and_picks_from_its_menu(qtbot: QtBot) -> None:
    switch = AvailabilitySwitch()
    qtbot.addWidget(switch)
    chosen: list[str] = []
    switch.mode_chosen.connect(chosen.append)
    switch.actions_by_mode[AWAY].trigger()
    assert chosen == [AWAY]
    switch.set_mode(AWAY)
    assert switch.mode_text() == "You: Away ▾" and switch.actions_by_mode[AWAY].isChecked()
    assert "assigned to you" in switch.button.toolTip()
    switch.set_crisp("Crisp: online", "<b>Ada</b> is online")
    assert switch.crisp_label.text() == "Crisp: online"
    assert "&lt;b&gt;Ada" in switch.crisp_label.toolTip()  # plain text, never markup
    assert switch.crisp_action.isVisible() and not switch.crisp_action.isEnabled()


def test_signed_in_lines_follow_the_websites_and_stay_text(qtbot: QtBot, store: Store) -> None:
    menu = QMenu()
    qtbot.addWidget(menu)
    menu.addAction("Command palette")
    label = SignedInLabel()
    qtbot.addWidget(label)
    plugin = [""]
    hostile = "<img src=x> " + "Very long account name " * 10
    info = SignedInInfo(store, Identity(store, None), lambda: plugin[0], hostile, label, menu)
    texts = [a.text() for a in menu.actions()]
    assert texts[0].startswith("Signed in as <img src=x>")
    assert texts[1] == "Plugin: not known yet"
    assert texts[2] == "Acting as Ada Lovelace (the first operator listed)"
    assert texts[3] == "Websites: Acme, Acme"
    assert menu.actions()[4].isSeparator() and texts[5] == "Command palette"
    assert label.full_text().startswith("Signed in as <img")
    assert label.text().endswith("…")
    assert label.fontMetrics().horizontalAdvance(label.text()) <= MAX_WIDTH
    assert "<img" not in label.toolTip() and "&lt;img" in label.toolTip()
    plugin[0] = "plugin-42"
    store.upsert_website(f.website("w-new", name="Zeta & Co"))
    assert menu.actions()[1].text() == "Plugin plugin-42"
    assert menu.actions()[3].text() == "Websites: Acme, Acme, Zeta && Co"  # not a mnemonic
    assert "Zeta &amp; Co" in label.toolTip()
    store.remove_website(f.OTHER_WEBSITE)
    assert menu.actions()[3].text() == "Websites: Acme, Zeta && Co"
    info.detach()
    store.remove_website("w-new")
    assert menu.actions()[3].text() == "Websites: Acme, Zeta && Co"  # detached


def test_signed_in_gives_way_in_a_short_status_bar(qtbot: QtBot) -> None:
    """At a big font the status bar is short of room: the label shrinks, the window doesn't
    grow, and it grows back to MAX_WIDTH when there is room again."""
    bar = QStatusBar()
    qtbot.addWidget(bar)
    label = SignedInLabel()
    bar.addPermanentWidget(label)
    bar.addPermanentWidget(QLabel("● Connected · synced just now · quota 17/5,000 today"))
    label.set_facts("Signed in as " + "Ada's very long shop name " * 4, "tip")
    assert label.minimumSizeHint().width() < MAX_WIDTH // 2
    bar.resize(1200, 30)
    bar.show()
    qtbot.waitUntil(lambda: label.width() > 0)
    wide = label.fontMetrics().horizontalAdvance(label.text())
    assert MAX_WIDTH // 2 < wide <= MAX_WIDTH
    bar.resize(bar.minimumSizeHint().width() + 10, 30)
    qtbot.waitUntil(lambda: label.fontMetrics().horizontalAdvance(label.text()) < wide)
    assert label.text().endswith("…") and label.toolTip()
    bar.resize(1200, 30)
    qtbot.waitUntil(lambda: label.fontMetrics().horizontalAdvance(label.text()) == wide)

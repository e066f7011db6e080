"""Unread counting (UnreadCounter, window_title), desktop notifications (Notifier) and the
tray icon (TrayIcon, offscreen: its no-op mode keeps the state)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.ui.notifier import NEW_CONVERSATION, VISITOR_MESSAGE, Notifier, plain_excerpt
from crisp_console.ui.unread import UnreadCounter
from crisp_console.ui.widgets.tray_icon import APP_ICON, TrayIcon, badge_icon
from tests.core import factories as f
from tests.present.seeded import T, burst, seeded_store, visitor_says

OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
pytestmark = OFFSCREEN_SIZE_HINTS


def brute(store: Store) -> tuple[int, int]:
    values = [c.unread_operator for c in store.conversations.values()]
    return sum(values), sum(1 for v in values if v > 0)


def site(store: Store, sid: str) -> str:
    return store.conversations[sid].website_id


# ---- UnreadCounter ---------------------------------------------------------------------------


@pytest.fixture
def store() -> Store:
    return seeded_store(24)  # conversation i has i % 2 unread visitor messages


def test_counts_from_the_start(qapp: QApplication, store: Store) -> None:
    counter = UnreadCounter(store, delay_ms=0)
    assert (counter.total(), counter.conversations()) == (12, 12) == brute(store)
    counter.detach()


def test_follows_visitor_messages_reads_marks_and_removals(qapp: QApplication,
                                                           store: Store) -> None:
    counter = UnreadCounter(store, delay_ms=0)
    seen: list[tuple[int, int]] = []
    counter.changed.connect(lambda m, c: seen.append((m, c)))
    read_one, unread_one = store.conversation_ids()[:2]
    if store.conversations[read_one].unread_operator:
        read_one, unread_one = unread_one, read_one
    visitor_says(store, read_one, T + 1)  # 0 -> 1: one more conversation too
    visitor_says(store, unread_one, T + 2)
    assert seen == [(13, 13), (14, 13)]
    store.apply("message:acknowledge:read:received",
                f.ack_event(unread_one, []) | {"website_id": site(store, unread_one)})
    assert (counter.total(), counter.conversations()) == (12, 12) == brute(store)
    store.apply("message:acknowledge:unread:send", f.session_event(
        unread_one, website_id=site(store, unread_one), fingerprints=[]))
    assert counter.unread_of(unread_one) == 1
    assert (counter.total(), counter.conversations()) == (13, 13) == brute(store)
    store.apply("session:removed", f.session_event(read_one, website_id=site(store, read_one)))
    assert (counter.total(), counter.conversations()) == (12, 12) == brute(store)
    store.upsert_conversation(f.conversation("session_new", unread={"operator": 4}))
    assert (counter.total(), counter.conversations()) == (16, 13) == brute(store)
    store.clear()  # RESET
    assert (counter.total(), counter.conversations()) == (0, 0)
    assert seen[-1] == (0, 0)
    counter.detach()
    store.upsert_conversation(f.conversation("session_late", unread={"operator": 2}))
    assert counter.total() == 0  # detached


def test_a_burst_of_changes_is_one_signal(qtbot: QtBot, store: Store) -> None:
    counter = UnreadCounter(store, delay_ms=20)
    seen: list[tuple[int, int]] = []
    counter.changed.connect(lambda m, c: seen.append((m, c)))
    ids = store.conversation_ids()
    with qtbot.waitSignal(counter.changed, timeout=1000):
        for n, sid in enumerate(ids):
            visitor_says(store, sid, T + n)
        assert seen == []  # not yet: coalesced
    assert seen == [(36, 24)] == [brute(store)]
    counter.detach()


def test_matches_a_recount_through_a_random_backlog(qapp: QApplication) -> None:
    store = seeded_store(40, block_size=4)  # tiny blocks: rows move across blocks
    counter = UnreadCounter(store, delay_ms=0)
    rng = random.Random(11)
    for _ in range(5):
        burst(store, rng, 200)
        for sid in rng.sample(store.conversation_ids(), 5):
            store.apply("message:acknowledge:read:received", f.ack_event(sid, [])
                        | {"website_id": site(store, sid)})
        assert (counter.total(), counter.conversations()) == brute(store)
    counter.detach()


# ---- TrayIcon --------------------------------------------------------------------------------


def test_tray_keeps_state_without_a_system_tray(qapp: QApplication) -> None:
    tray = TrayIcon(QIcon(str(APP_ICON)))
    assert not tray.available  # offscreen
    actions = [a.text() for a in tray.menu.actions()]
    assert actions == ["Show crisp-console", "Unread: 0", "", "Quit"]
    assert not tray.unread_action.isEnabled()
    tray.set_unread(3)
    assert tray.unread() == 3 and tray.tooltip() == "crisp-console — 3 unread"
    assert tray.unread_action.text() == "Unread: 3"
    shown, quit_ = [], []
    tray.show_requested.connect(lambda: shown.append(1))
    tray.quit_requested.connect(lambda: quit_.append(1))
    tray.show_action.trigger()
    tray.quit_action.trigger()
    assert shown == [1] and quit_ == [1]
    tray.set_unread(0)
    assert tray.tooltip() == "crisp-console" and tray.icon() is not None
    tray.dispose()


def test_badge_is_painted_on_a_copy_of_the_icon(qapp: QApplication) -> None:
    base = QIcon(str(APP_ICON))
    badged = badge_icon(base, 7)
    for size in (32, 64):
        image = badged.pixmap(QSize(size, size)).toImage()
        corner = QColor(image.pixel(size - 3, int(size * 0.28)))
        assert corner.red() > 180 and corner.green() < 110, corner.name()
        plain = base.pixmap(QSize(size, size)).toImage()
        assert QColor(plain.pixel(size - 3, int(size * 0.28))) != corner  # a copy was painted
    assert badge_icon(base, 0) is base
    tray = TrayIcon(base)
    tray.set_unread(150)
    icon = tray.icon()
    tray.set_unread(120)
    assert tray.icon() is icon  # both "99+": painted once
    tray.dispose()


# ---- Notifier --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """Shown, then made inactive by activating another window."""
    win = QWidget()
    qtbot.addWidget(win)
    win.show()
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=1000)
    return win


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tray(qapp: QApplication) -> Iterator[TrayIcon]:
    icon = TrayIcon(QIcon(str(APP_ICON)))
    yield icon
    icon.dispose()


def listening(notifier: Notifier, store: Store) -> Notifier:
    """Hearing the store's live events, as the controller wires it."""
    store.subscribe_live(notifier.on_live)
    return notifier


@pytest.fixture
def notifier(store: Store, window: QWidget, tray: TrayIcon, clock: Clock) -> Notifier:
    return listening(Notifier(store.conversations, window, tray=tray, clock=clock), store)


def says(store: Store, notifier: Notifier, sid: str, text: str = "ping",
         **overrides: Any) -> None:
    """A live visitor message, applied to the store (which tells the notifier)."""
    event = f.message_event(sid, content=text, timestamp=T + 1000,
                            website_id=site(store, sid) if sid in store.conversations
                            else f.WEBSITE, **overrides)
    store.apply("message:send", event)


def titled(store: Store, sid: str) -> str:
    """A conversation's notification title: its name, and how many messages are unread."""
    conv = store.conversations[sid]
    unread = conv.unread_operator
    return conv.nickname if unread <= 1 else f"{conv.nickname} · {unread} new messages"


def unresolved(store: Store, n: int) -> list[str]:
    return [sid for sid in store.conversation_ids()
            if store.conversations[sid].state == "unresolved"][:n]


def test_visitor_message_notifies_while_the_window_is_inactive(
        store: Store, notifier: Notifier, tray: TrayIcon) -> None:
    sid = unresolved(store, 1)[0]
    assert store.conversations[sid].unread_operator == 1  # from before
    says(store, notifier, sid, "Hello,\n<b>is anyone</b> there?")
    name = store.conversations[sid].nickname
    # The title counts what is unread, the body is the latest, as text.
    assert notifier.sent == [(f"{name} · 2 new messages",
                              "Hello, \u2039b\u203ais anyone\u2039/b\u203a there?", sid)]
    assert notifier.routes == ["none"]  # offscreen: no tray to show it, no service given
    assert tray.messages == []


def test_nothing_while_the_window_is_active(qtbot: QtBot, store: Store, window: QWidget,
                                            notifier: Notifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=1000)
    says(store, notifier, unresolved(store, 1)[0])
    assert notifier.sent == []
    window.showMinimized()  # minimised counts as away, whatever the focus says
    says(store, notifier, unresolved(store, 2)[1])
    assert len(notifier.sent) == 1


def test_operator_messages_notes_and_other_events_never_notify(store: Store,
                                                               notifier: Notifier) -> None:
    sid = unresolved(store, 1)[0]
    cases: list[tuple[str, dict[str, Any]]] = [
        ("message:received", {"from_": "operator"}),
        ("message:received", {"from_": "operator", "type": "note"}),
        ("message:send", {"type": "note"}),
        ("message:send", {"from_": "operator"})]
    for event, extra in cases:
        store.apply(event, f.message_event(sid, website_id=site(store, sid), **extra))
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    store.apply("message:send", "not a mapping")
    assert notifier.sent == []


def test_new_conversations_are_announced_once(store: Store, notifier: Notifier,
                                              clock: Clock) -> None:
    says(store, notifier, "session_unknown", "Hi", user=f.visitor_user("session_unknown",
                                                                       "Marie Curie"))
    assert notifier.sent[-1] == ("New conversation: Marie Curie", "Hi", "session_unknown")
    pending = next(sid for sid in store.conversation_ids()
                   if store.conversations[sid].state == "pending"
                   and not store.conversations[sid].unread_operator)
    says(store, notifier, pending, "First question")
    name = store.conversations[pending].nickname
    assert notifier.sent[-1] == (f"New conversation: {name}", "First question", pending)
    clock.now += 11
    says(store, notifier, pending, "Still there?")
    assert notifier.sent[-1] == (titled(store, pending), "Still there?", pending)
    store.apply("session:request:initiated", f.session_event("session_req"))
    store.apply("session:request:initiated", f.session_event("session_req"))
    assert [s for s in notifier.sent if s[2] == "session_req"] == [
        ("New conversation: Visitor", "Waiting for an operator", "session_req")]


def test_one_notification_per_conversation_every_ten_seconds(store: Store,
                                                             notifier: Notifier,
                                                             clock: Clock) -> None:
    sid = unresolved(store, 1)[0]
    says(store, notifier, sid, "one")
    clock.now += 9.9
    says(store, notifier, sid, "two")
    assert [s[1] for s in notifier.sent] == ["one"]
    clock.now += 0.2
    says(store, notifier, sid, "three")
    assert [s[1] for s in notifier.sent] == ["one", "three"]


def test_a_burst_is_summarised_and_a_click_opens_the_last(qtbot: QtBot, store: Store,
                                                          notifier: Notifier, tray: TrayIcon,
                                                          clock: Clock) -> None:
    sids = unresolved(store, 6)
    for n, sid in enumerate(sids):
        clock.now += 0.1
        says(store, notifier, sid, f"message {n}")
    assert [s[2] for s in notifier.sent] == sids[:3]
    names = [store.conversations[s].nickname for s in sids[3:]]
    with qtbot.waitSignal(notifier.activated, timeout=1000) as clicked:
        notifier.flush()
        assert notifier.sent[-1] == ("3 new messages", f"From {', '.join(names)}", sids[-1])
        tray.message_clicked.emit()
    assert clicked.args == [sids[-1]]
    clock.now += 2.5  # the burst is over: one at a time again
    another = unresolved(store, 7)[6]
    says(store, notifier, another, "later")
    assert notifier.sent[-1] == (titled(store, another), "later", another)


def test_the_summary_goes_out_on_its_own_timer(qtbot: QtBot, store: Store,
                                               notifier: Notifier, clock: Clock) -> None:
    for n, sid in enumerate(unresolved(store, 4)):
        clock.now += 0.1
        says(store, notifier, sid, f"message {n}")
    assert len(notifier.sent) == 3
    summary = notifier._pacing._summary  # noqa: SLF001 - the 2 s window, shortened
    summary.setInterval(10)
    summary.start()
    qtbot.waitUntil(lambda: len(notifier.sent) == 4, timeout=1000)
    assert notifier.sent[-1][0] == "1 new messages"


def test_enabled_events_and_sound(store: Store, notifier: Notifier, clock: Clock,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    beeps: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    first, second = unresolved(store, 2)
    notifier.set_enabled_events([NEW_CONVERSATION])
    says(store, notifier, first)
    assert notifier.sent == []
    says(store, notifier, "session_brand_new", "Hi")
    assert [s[2] for s in notifier.sent] == ["session_brand_new"] and beeps == []
    notifier.set_enabled_events([VISITOR_MESSAGE])
    notifier.set_sound(True)
    clock.now += 20
    says(store, notifier, second)
    assert notifier.sent[-1][2] == second and beeps == [1]
    with pytest.raises(ValueError, match="unknown"):
        notifier.set_enabled_events(["new_conversations"])


def test_blocked_visitors_do_not_notify(store: Store, notifier: Notifier) -> None:
    sid = unresolved(store, 1)[0]
    store.apply("session:set_block", f.session_event(sid, website_id=site(store, sid),
                                                     is_blocked=True))
    says(store, notifier, sid)
    assert notifier.sent == []


def test_plain_excerpt() -> None:
    assert plain_excerpt("text", "a\n\tb  c") == "a b c"
    assert plain_excerpt("file", {"name": "cv.pdf"}) == "📎 cv.pdf"  # in words, never raw
    assert plain_excerpt("audio", {"url": "https://x/v.webm"}) == "🎤 Voice message"
    long = plain_excerpt("text", "word " * 60)
    assert len(long) == 120 and long.endswith("…")
    assert "<" not in plain_excerpt("text", "<img src='http://x/y.png'>")


def test_without_a_tray_notifications_are_still_recorded(store: Store, window: QWidget,
                                                         clock: Clock) -> None:
    notifier = listening(Notifier(store.conversations, window, tray=None, clock=clock), store)
    says(store, notifier, unresolved(store, 1)[0])
    assert len(notifier.sent) == 1


def test_a_dialog_of_the_window_in_front_counts_as_the_window(qtbot: QtBot, store: Store,
                                                              window: QWidget,
                                                              notifier: Notifier) -> None:
    dialog = QDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=1000)
    assert not window.isActiveWindow()
    says(store, notifier, unresolved(store, 1)[0])
    assert notifier.sent == []


def test_a_total_past_a_qt_int_is_capped_not_an_overflow(qapp: QApplication) -> None:
    store = Store()
    store.set_websites([{"website_id": f.WEBSITE, "name": "Acme"}])
    cap = 2**31 - 1  # the store's own cap per conversation: two of them overflow a Qt int
    store.upsert_conversations([f.conversation("session_0", unread={"operator": cap})])
    counter = UnreadCounter(store, delay_ms=0)
    seen: list[tuple[int, int]] = []
    counter.changed.connect(lambda m, c: seen.append((m, c)))
    store.upsert_conversations([f.conversation("session_1", unread={"operator": cap})])
    counter.detach()
    assert seen == [(cap, 2)]

"""The Notifier with a notification service (ServiceNotifications over a recording platform
centre), the tray as fallback, the sound, the attention hint and the launcher badge: one
notification per conversation, updated and withdrawn; 11 messages in 30 s never give 11.

The real freedesktop daemon (dunst) is tests/e2e/test_desktop_notifications.py's; here the
platform's centre is a recording DesktopNotifierBackend, desktop-notifier's own extension
point, so the routing can be driven through every case quickly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
import qasync
from desktop_notifier.backends.base import DesktopNotifierBackend
from desktop_notifier.common import Capability, Notification
from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from crisp_console.present.notify_support import NONE, SERVICE, TRAY
from crisp_console.ui.desktop_notify import ServiceNotifications
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.widgets.tray_icon import APP_ICON, TrayIcon
from tests.client.conftest import until
from tests.core import factories as f
from tests.present.seeded import T, seeded_store

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


class Centre(DesktopNotifierBackend):
    """A platform notification centre that keeps what it is given; ``fail`` makes it throw
    as a vanished daemon does."""

    def __init__(self, *, sound: bool = False) -> None:
        super().__init__("crisp-console", None)
        self.shown: dict[str, Notification] = {}
        self.log: list[tuple[str, str]] = []  # (what, identifier)
        self.fail = False
        caps = {Capability.ON_CLICKED, Capability.ON_DISPATCHED, Capability.TITLE}
        self.caps = frozenset(caps | ({Capability.SOUND} if sound else set()))

    async def request_authorisation(self) -> bool:
        return True

    async def has_authorisation(self) -> bool:
        return True

    async def server_information(self) -> tuple[str, str, str, str]:
        return ("centre", "tests", "1.0", "1.2")

    async def _send(self, notification: Notification) -> None:
        if self.fail:
            raise ConnectionResetError("the daemon went away")
        self.shown[notification.identifier] = notification
        self.log.append(("show", notification.identifier))

    async def _clear(self, identifier: str) -> None:
        self.shown.pop(identifier, None)
        self.log.append(("close", identifier))

    async def _clear_all(self) -> None:
        for identifier in list(self.shown):
            await self._clear(identifier)

    async def _get_capabilities(self) -> frozenset[Capability]:
        return self.caps

    def click(self, identifier: str) -> None:
        self.handle_clicked(identifier, self._notification_cache.get(identifier))

    def shows(self, identifier: str) -> int:
        return sum(1 for what, i in self.log if (what, i) == ("show", identifier))


class Player(QObject):
    """The console's own sound, counted."""

    words, problem = "through PipeWire (pw-play)", ""
    plays = 0

    def probe(self) -> None: ...

    def play(self) -> bool:
        self.plays += 1
        return True

    def dispose(self) -> None: ...


class Badge:
    words_, counts = "sent to docks", [0]

    def words(self) -> str:
        return self.words_

    def set_count(self, count: int) -> None:
        if count != self.counts[-1]:
            self.counts.append(count)

    async def aclose(self) -> None: ...


class ShownTray(TrayIcon):
    """A tray this desktop has (offscreen has none): what it is given is recorded."""

    @property
    def available(self) -> bool:
        return True


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    win, other = QWidget(), QWidget()
    for w in (win, other):
        qtbot.addWidget(w)
        w.show()
    other.activateWindow()  # the operator is in another application
    qtbot.waitUntil(other.isActiveWindow, timeout=1000)
    return win


def unresolved(store: Store, n: int = 1) -> list[str]:
    return [s for s in store.conversation_ids()
            if store.conversations[s].state == "unresolved"][:n]


def says(store: Store, sid: str, text: str) -> None:
    store.apply("message:send", f.message_event(
        sid, content=text, timestamp=T + 1000, website_id=store.conversations[sid].website_id))


def read(store: Store, sid: str) -> None:
    store.apply("message:acknowledge:read:received",
                f.ack_event(sid, []) | {"website_id": store.conversations[sid].website_id})


class Rig:
    def __init__(self, window: QWidget, *, sound: bool = False, tray: bool = False,
                 clock: Any = time.monotonic, via: str = "auto") -> None:
        self.store = seeded_store(24)
        self.tasks = TaskOwner()
        self.centre = Centre(sound=sound)
        self.service = ServiceNotifications(self.tasks.spawn, make_backend=lambda _i: self.centre)
        self.player = Player()
        self.badge = Badge()
        self.badge.counts = [0]
        self.tray = (ShownTray if tray else TrayIcon)(QIcon(str(APP_ICON)))
        self.notifier = Notifier(self.store.conversations, window, tray=self.tray,
                                 clock=clock, service=self.service, player=self.player,
                                 badge=self.badge, subscribe=self.store.subscribe, via=via)
        self.store.subscribe_live(self.notifier.on_live)

    async def started(self) -> Rig:
        self.notifier.start()
        await until(lambda: self.service.info is not None, what="the service probed")
        return self

    async def aclose(self) -> None:
        await self.notifier.aclose()
        await self.tasks.aclose()
        self.tray.dispose()


def run(qloop: qasync.QEventLoop, coro: Any) -> None:
    qloop.run_until_complete(asyncio.wait_for(coro, 30))


def test_one_notification_per_conversation_updated_and_withdrawn_when_read(
        qloop: qasync.QEventLoop, window: QWidget) -> None:
    clock = Clock()

    async def main() -> None:
        rig = await Rig(window, clock=clock).started()
        store, centre, notifier = rig.store, rig.centre, rig.notifier
        sid = unresolved(store)[0]
        says(store, sid, "one")
        await until(lambda: sid in centre.shown, what="shown")
        clock.now += 3
        says(store, sid, "two")
        clock.now += 3
        says(store, sid, "three")
        assert centre.shows(sid) == 1 and [s[1] for s in notifier.sent] == ["one"]
        clock.now += 4.01
        notifier.update_due()  # the held update's timer, at its time
        await until(lambda: centre.shown[sid].message == "three", what="the update")
        assert centre.shows(sid) == 2 and len(centre.shown) == 1
        assert centre.shown[sid].title == f"{store.conversations[sid].nickname} · 4 new messages"
        assert rig.notifier.routes == [SERVICE, SERVICE]
        read(store, sid)  # read here or on another device: the notification goes
        await until(lambda: sid not in centre.shown, what="withdrawn")
        other = unresolved(store, 2)[1]
        says(store, other, "hello")
        await until(lambda: other in centre.shown, what="another shown")
        store.apply("session:removed", f.session_event(
            other, website_id=store.conversations[other].website_id))
        await until(lambda: other not in centre.shown, what="a removed one withdrawn")
        await rig.aclose()

    run(qloop, main())


def test_eleven_messages_in_thirty_seconds_are_at_most_four_updates(
        qapp: QApplication, window: QWidget) -> None:
    clock = Clock()
    store = seeded_store(24)
    notifier = Notifier(store.conversations, window, tray=None, clock=clock)
    store.subscribe_live(notifier.on_live)
    sid = unresolved(store)[0]
    for n in range(11):
        clock.now += 30 / 11
        notifier.update_due()  # what the timer does when a held update is due
        says(store, sid, f"message {n}")
    clock.now += 10
    notifier.update_due()
    shown = [body for _title, body, s in notifier.sent if s == sid]
    assert 3 <= len(shown) <= 4, shown  # 0 s, then every 10 s: never one per message
    assert shown[-1] == "message 10"  # and it ends on the latest
    notifier.detach()


def test_a_held_update_goes_out_on_its_own_timer(qtbot: QtBot, window: QWidget) -> None:
    store = seeded_store(24)
    notifier = Notifier(store.conversations, window, tray=None)
    notifier.interval_s = 0.05
    store.subscribe_live(notifier.on_live)
    sid = unresolved(store)[0]
    says(store, sid, "first")
    says(store, sid, "second")
    assert [s[1] for s in notifier.sent] == ["first"]
    qtbot.waitUntil(lambda: len(notifier.sent) == 2, timeout=2000)
    assert notifier.sent[-1][1] == "second"
    notifier.detach()


def test_a_click_opens_the_conversation_and_withdraws_it(
        qloop: qasync.QEventLoop, window: QWidget) -> None:
    async def main() -> None:
        rig = await Rig(window).started()
        sid = unresolved(rig.store)[0]
        says(rig.store, sid, "hello")
        await until(lambda: sid in rig.centre.shown, what="shown")
        opened: list[str] = []
        rig.notifier.activated.connect(opened.append)
        rig.centre.click(sid)
        assert opened == [sid]
        await until(lambda: sid not in rig.centre.shown, what="withdrawn on the click")
        await rig.aclose()

    run(qloop, main())


def test_a_failing_service_falls_back_to_the_tray_says_so_once_and_plays_our_sound(
        qloop: qasync.QEventLoop, window: QWidget, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        rig = await Rig(window, sound=True, tray=True).started()
        rig.notifier.set_sound(True)
        rig.notifier.interval_s = 0
        first, second = unresolved(rig.store, 2)
        says(rig.store, first, "played by the service")
        await until(lambda: first in rig.centre.shown, what="shown")
        assert rig.centre.shown[first].sound is not None and rig.player.plays == 0
        rig.centre.fail = True  # the daemon went away
        with caplog.at_level(logging.INFO):
            says(rig.store, second, "lost")
            await until(lambda: rig.tray.messages, what="the tray to take it")
            says(rig.store, second, "and another")
        assert rig.tray.messages[-1][1] == "and another"
        assert rig.notifier.routes[-1] == TRAY  # straight to the tray now
        assert rig.notifier.desktop().service_problem == (
            "The notification service stopped answering")
        ours = [r for r in caplog.records if r.name.startswith("crisp_console")
                and r.levelno >= logging.WARNING]
        assert [r.getMessage() for r in ours] == [
            "desktop notifications: The notification service stopped answering; "
            "using the fallback"]
        assert rig.player.plays == 2  # the lost one's sound, and the next: ours now
        await rig.aclose()

    run(qloop, main())


def test_the_sound_is_ours_when_the_service_plays_none(
        qloop: qasync.QEventLoop, window: QWidget) -> None:
    async def main() -> None:
        rig = await Rig(window, sound=False).started()  # dunst, mako: no "sound"
        rig.notifier.set_sound(True)
        sid = unresolved(rig.store)[0]
        says(rig.store, sid, "ping")
        await until(lambda: sid in rig.centre.shown, what="shown")
        assert rig.centre.shown[sid].sound is None and rig.player.plays == 1
        await rig.aclose()

    run(qloop, main())


def test_attention_hint_and_badge_follow_the_preference(
        qapp: QApplication, window: QWidget, monkeypatch: pytest.MonkeyPatch) -> None:
    alerts: list[QWidget] = []
    monkeypatch.setattr(QApplication, "alert", staticmethod(lambda w, _ms=0: alerts.append(w)))
    store = seeded_store(24)
    badge = Badge()
    badge.counts = [0]
    notifier = Notifier(store.conversations, window, tray=None, badge=badge,
                        clock=Clock())  # type: ignore[arg-type]
    store.subscribe_live(notifier.on_live)
    first, second = unresolved(store, 2)
    notifier.set_unread(5)
    says(store, first, "hello")
    assert alerts == [window] and badge.counts == [0, 5]
    assert notifier.desktop().badge == "sent to docks"
    notifier.set_alert(False)
    says(store, second, "hello")
    assert alerts == [window] and badge.counts == [0, 5, 0]  # off: no hint, no badge
    assert notifier.desktop().badge == ""
    notifier.set_unread(7)
    notifier.set_alert(True)
    assert badge.counts == [0, 5, 0, 7]
    notifier.detach()


def test_via_tray_and_none(qloop: qasync.QEventLoop, window: QWidget) -> None:
    async def main() -> None:
        rig = await Rig(window, tray=True, via="tray").started()
        rig.notifier.interval_s = 0
        sid = unresolved(rig.store)[0]
        says(rig.store, sid, "to the tray")
        assert rig.notifier.routes == [TRAY] and rig.tray.messages[-1][1] == "to the tray"
        assert rig.centre.log == []
        rig.notifier.set_via("system")
        says(rig.store, sid, "to the service")
        await until(lambda: sid in rig.centre.shown, what="shown by the service")
        await rig.aclose()
        bare = Notifier(rig.store.conversations, window, tray=TrayIcon(QIcon(str(APP_ICON))))
        assert bare.channel() == NONE  # no service given, no tray: the window alone
        bare.detach()

    run(qloop, main())


def test_the_summary_is_withdrawn_when_the_window_comes_back(
        qloop: qasync.QEventLoop, qtbot: QtBot, window: QWidget) -> None:
    clock = Clock()

    async def main() -> None:
        rig = await Rig(window, clock=clock).started()
        for n, sid in enumerate(unresolved(rig.store, 5)):
            clock.now += 0.1
            says(rig.store, sid, f"message {n}")
        rig.notifier.flush()
        await until(lambda: "summary" in rig.centre.shown, what="the summary shown")
        window.activateWindow()
        await until(lambda: "summary" not in rig.centre.shown, what="the summary withdrawn")
        await rig.aclose()

    run(qloop, main())

"""The desktop's parts on real buses: the notification service's probe with no bus and with a
bus but no daemon (words, no crash, no wait), and the launcher badge's signal as a dock on
the bus receives it. A private dbus-daemon (tests/desktop_session.py); dunst is the e2e
test's."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import qasync
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.desktop_notify import ServiceNotifications
from crisp_console.ui.launcher_badge import DESKTOP_URI, INTERFACE, LauncherBadge
from crisp_console.ui.sound import SOUND_FILE
from crisp_console.ui.widgets.tray_icon import APP_ICON
from tests.client.conftest import until
from tests.desktop_session import private_desktop
from tests.notification_server import NAME, PATH, NotificationServer


def run(qloop: qasync.QEventLoop, coro: Any) -> None:
    qloop.run_until_complete(asyncio.wait_for(coro, 30))


async def probed(service: ServiceNotifications) -> None:
    service.probe()
    await until(lambda: not service.checking, what="the probe")


def test_without_a_session_bus_there_is_no_service_and_it_says_why(
        qloop: qasync.QEventLoop) -> None:
    async def main() -> None:
        tasks = TaskOwner()
        service = ServiceNotifications(tasks.spawn)
        await probed(service)  # tests/conftest.py: the address names no socket
        assert service.info is None and not service.available
        assert service.problem == "The session bus does not answer"
        assert not service.show("session_x", "title", "body")  # the caller falls back
        await service.aclose()
        await tasks.aclose()

    run(qloop, main())


def test_a_bus_without_a_notification_daemon(qloop: qasync.QEventLoop, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        with private_desktop(tmp_path, monkeypatch.setenv, dunst=False):
            tasks = TaskOwner()
            service = ServiceNotifications(tasks.spawn)
            await probed(service)
            assert service.info is None
            assert service.problem == "No notification service on the session bus"
            await service.aclose()
            await tasks.aclose()

    run(qloop, main())


def test_what_a_sound_playing_markup_reading_server_receives(
        qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GNOME Shell's capabilities: the sound goes as a path (GNOME opens "sound-file" as
    one), the body is escaped markup, an update replaces, a click and a withdrawal reach
    the right notification."""
    async def main() -> None:
        with private_desktop(tmp_path, monkeypatch.setenv, dunst=False) as desktop:
            server_bus = await MessageBus(bus_address=desktop.address).connect()
            server = NotificationServer(["actions", "body", "body-markup", "sound"])
            server_bus.export(PATH, server)
            await server_bus.request_name(NAME)
            tasks = TaskOwner()
            service = ServiceNotifications(tasks.spawn, icon=APP_ICON, sound=SOUND_FILE)
            clicked: list[str] = []
            service.clicked.connect(clicked.append)
            await probed(service)
            assert service.info is not None
            assert service.info.label() == "gnome-shell 46.0 via the notification service"
            assert service.info.sound and service.info.click
            assert service.show("session_a", "Ana", "Tom & Jerry \u2039b\u203a", sound=True)
            await until(lambda: server.calls, what="Notify")
            first = server.calls[0]
            assert first["replaces_id"] == 0 and first["app_name"] == "crisp-console"
            assert first["body"] == "Tom &amp; Jerry \u2039b\u203a"
            assert first["actions"][:2] == ["default", ""]
            assert first["icon"] == APP_ICON.as_uri()
            hints = first["hints"]
            assert hints["sound-file"] == str(SOUND_FILE)  # a path, not a file:// URI
            assert hints["sound-name"] == "message-new-instant"
            assert hints["desktop-entry"] == "crisp-console"
            assert hints["category"] == "im.received"
            assert service.show("session_a", "Ana · 2 new messages", "again")
            await until(lambda: len(server.calls) == 2, what="the update")
            assert server.calls[1]["replaces_id"] == first["id"]
            assert "sound-file" not in server.calls[1]["hints"]  # no sound asked this time
            server.ActionInvoked(first["id"], "default")
            await until(lambda: clicked, what="the click")
            assert clicked == ["session_a"]
            service.withdraw("session_a")
            await until(lambda: server.closed, what="CloseNotification")
            assert server.closed == [first["id"]]
            await service.aclose()
            await tasks.aclose()
            server_bus.disconnect()
            await server_bus.wait_for_disconnect()

    run(qloop, main())


def test_the_launcher_badge_reaches_a_dock_on_the_bus(qloop: qasync.QEventLoop, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        with private_desktop(tmp_path, monkeypatch.setenv, dunst=False) as desktop:
            dock = await MessageBus(bus_address=desktop.address).connect()
            heard: list[tuple[str, dict[str, Any]]] = []

            def listen(message: Message) -> None:
                if (message.message_type == MessageType.SIGNAL
                        and message.interface == INTERFACE and message.member == "Update"):
                    uri, props = message.body
                    heard.append((uri, {k: (v.signature, v.value) for k, v in props.items()}))

            dock.add_message_handler(listen)
            await dock.call(Message(destination="org.freedesktop.DBus",
                                    path="/org/freedesktop/DBus",
                                    interface="org.freedesktop.DBus", member="AddMatch",
                                    signature="s", body=[f"type='signal',interface='{INTERFACE}'"]))
            tasks = TaskOwner()
            badge = LauncherBadge(tasks.spawn)
            badge.set_count(7)
            await until(lambda: heard, what="the dock to hear the count")
            assert heard[-1] == (DESKTOP_URI, {"count": ("x", 7), "count-visible": ("b", True)})
            badge.set_count(7)  # unchanged: not sent again
            badge.set_count(0)
            await until(lambda: len(heard) == 2, what="the cleared count")
            assert heard[-1][1]["count-visible"] == ("b", False)
            badge.set_count(3)
            await until(lambda: len(heard) == 3, what="a count again")
            await badge.aclose()  # quitting clears it
            await until(lambda: len(heard) == 4, what="the badge cleared at quit")
            assert heard[-1][1]["count"] == ("x", 0)
            assert badge.words().startswith("sent to docks")
            await tasks.aclose()
            dock.disconnect()
            await dock.wait_for_disconnect()

    run(qloop, main())


def test_the_launcher_badge_without_a_bus_says_so(qloop: qasync.QEventLoop) -> None:
    async def main() -> None:
        tasks = TaskOwner()
        badge = LauncherBadge(tasks.spawn)
        badge.set_count(4)
        await until(lambda: bool(badge.problem), what="the connection to fail")
        assert badge.words() == "" and badge.problem == "No session bus (D-Bus) for a badge"
        badge.set_count(5)  # quiet from now on
        await badge.aclose()
        await tasks.aclose()

    run(qloop, main())

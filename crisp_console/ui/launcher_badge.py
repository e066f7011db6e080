"""The unread count on the console's icon in the dock or taskbar, where the platform has one.

macOS (the Dock's badge) and Windows (the taskbar button's overlay):
QGuiApplication.setBadgeNumber. Linux: the ``com.canonical.Unity.LauncherEntry`` ``Update``
signal on the session bus for ``application://crisp-console.desktop``, which KDE Plasma's task
manager, Ubuntu's dock (Dash to Dock) and Plank show. Qt sends that signal too, but from an
object path built of the application's name, and "crisp-console" is no valid D-Bus path (Qt
warns and sends nothing), and only on desktops it recognises; so on Linux it is sent here,
with dbus-fast, on a connection of its own opened at the first count. The signal is a
broadcast: nothing says whether a dock listens, so Preferences says where it goes. Without a
session bus the badge says so once and stays quiet.
"""

from __future__ import annotations

import contextlib
import logging
import platform
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

DESKTOP_URI = "application://crisp-console.desktop"  # packaging/linux/crisp-console.desktop
OBJECT_PATH = "/com/canonical/unity/launcherentry/crisp_console"
INTERFACE = "com.canonical.Unity.LauncherEntry"
LINUX = platform.system() == "Linux"

Spawn = Callable[[Coroutine[Any, Any, None], str], object]


class LauncherBadge:
    def __init__(self, spawn: Spawn) -> None:
        self._spawn = spawn
        self._count = 0  # what the launcher was last told (or is about to be)
        self._bus: Any = None  # dbus_fast.aio.MessageBus once connected (Linux)
        self._connecting = False
        self.problem = ""  # why no badge can be shown ("" while it can)
        self._closed = False

    def words(self) -> str:
        """Where the count goes, for Preferences ("" when nowhere)."""
        if self.problem:
            return ""
        if platform.system() == "Darwin":
            return "on the Dock icon"
        if platform.system() == "Windows":
            return "on the taskbar button"
        if LINUX:
            return "sent to docks that show one (KDE Plasma, Ubuntu Dock, Plank)"
        return ""

    def count(self) -> int:
        return self._count

    def set_count(self, count: int) -> None:
        count = max(0, count)
        if count == self._count or self._closed:
            return
        self._count = count
        if not LINUX:
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                app.setBadgeNumber(count)
            return
        if self.problem:
            return
        if self._bus is not None:
            self._send()
        elif not self._connecting:
            self._connecting = True
            if self._spawn(self._connect(), "connect the launcher badge") is None:
                self._connecting = False  # closing

    async def aclose(self) -> None:
        """Clear the badge (a quit console has nothing unread) and close the connection."""
        if self._closed:
            return
        if LINUX and self._bus is not None and self._count:
            self._count = 0
            self._send()
        self._closed = True
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()
            with contextlib.suppress(Exception):  # going away; how does not matter
                await bus.wait_for_disconnect()

    async def _connect(self) -> None:
        from dbus_fast.aio import MessageBus
        try:
            bus = await MessageBus().connect()
        except Exception as exc:  # noqa: BLE001 - any failure means no bus to send to
            self.problem = "No session bus (D-Bus) for a badge"
            log.info("launcher badge: no session bus (%s)", exc)
            return
        finally:
            self._connecting = False
        if self._closed:
            bus.disconnect()
            return
        self._bus = bus
        self._send()

    def _send(self) -> None:
        from dbus_fast import Message, Variant
        count = self._count
        message = Message.new_signal(
            OBJECT_PATH, INTERFACE, "Update", "sa{sv}",
            [DESKTOP_URI, {"count": Variant("x", count), "count-visible": Variant("b", count > 0)}])
        sent = self._bus.send(message)
        sent.add_done_callback(self._sent)

    def _sent(self, future: Any) -> None:
        if not future.cancelled() and future.exception() is not None and not self.problem:
            self.problem = "The session bus went away"
            log.info("launcher badge: %s", future.exception())

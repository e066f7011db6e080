"""desktop-notifier's freedesktop backend (org.freedesktop.Notifications over D-Bus), made to
update a notification in place. Linux only: dbus-fast is installed there.

desktop-notifier 6.2 always passes ``replaces_id`` 0 to Notify, so each update would be a new
notification: dunst keeps every one in its history, GNOME stacks them. Here a notification
sent again with the same identifier (one per conversation) passes the id the server gave the
previous one, and the server replaces it without flicker, as the specification says. A
server that no longer shows it makes a new one and answers its id, which is kept.

Notify also carries the hints desktop-notifier does not set: the desktop entry (GNOME and KDE
file the notification under the app, with its settings) and the "im.received" category; and
where the server reads the body as markup, the body is escaped.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from dbus_fast.aio.proxy_object import ProxyInterface
from dbus_fast.constants import ErrorType
from dbus_fast.errors import AuthError, DBusError, InvalidAddressError
from dbus_fast.signature import Variant
from desktop_notifier.backends.dbus import DBusDesktopNotifier, get_hints_signature
from desktop_notifier.common import Icon, Notification

DESKTOP_ENTRY = "crisp-console"  # packaging/linux/crisp-console.desktop
CATEGORY = "im.received"  # the specification's "instant message received"
SOUND_NAME = "message-new-instant"  # the freedesktop sound theme's, for the same event


class _Replacing:
    """The Notifications proxy, with Notify's ``replaces_id`` and hints filled in."""

    def __init__(self, inner: ProxyInterface, owner: ReplacingDBusNotifier) -> None:
        self._inner = inner
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def call_get_capabilities(self) -> list[str]:
        capabilities = await self._inner.call_get_capabilities()  # type: ignore[attr-defined]
        self._owner.server_capabilities = frozenset(str(c) for c in capabilities)
        return list(capabilities)

    async def call_notify(self, app_name: str, _replaces_id: int, icon: str, summary: str,
                          body: str, actions: list[str], hints: dict[str, Any],
                          timeout: int) -> int:  # noqa: ASYNC109 - Notify's expiry, in ms
        if "body-markup" in self._owner.server_capabilities:
            # The body is markup there: a visitor's "&" must stay an ampersand (the Notifier
            # already turned "<" and ">" into look-alikes).
            body = html.escape(body, quote=False)
        hints = dict(hints)
        typed = get_hints_signature(self._inner) == "a{sv}"  # else an old a{ss} server
        extra = {"desktop-entry": DESKTOP_ENTRY, "category": CATEGORY}
        sound = hints.get("sound-file")
        if sound is not None:
            # The specification's "sound-file" is a path (GNOME Shell opens it as one);
            # desktop-notifier gives a file:// URI. The named sound is the fallback.
            value = str(sound.value if typed else sound)
            if value.startswith("file://"):
                extra["sound-file"] = unquote(urlsplit(value).path)
                hints.pop("sound-file")
            extra["sound-name"] = SOUND_NAME
        for key, text in extra.items():
            hints.setdefault(key, Variant("s", text) if typed else text)
        notify = self._inner.call_notify  # type: ignore[attr-defined]  # made at run time
        return cast(int, await notify(app_name, self._owner.replaces_id, icon, summary, body,
                                      actions, hints, timeout))


class ReplacingDBusNotifier(DBusDesktopNotifier):
    """The freedesktop backend that replaces a notification sent again with the same
    identifier, closes by its own record of the server's ids (desktop-notifier forgets an id
    once the notification was clicked), and tells the server's name and version."""

    def __init__(self, app_name: str, app_icon: Icon | None = None) -> None:
        super().__init__(app_name, app_icon)
        self.replaces_id = 0  # read by _Replacing during one Notify call
        self.server_ids: dict[str, int] = {}  # identifier -> the server's id, while shown
        self.server_capabilities: frozenset[str] = frozenset()  # as the server names them

    async def _init_dbus(self) -> ProxyInterface:
        return cast(ProxyInterface, _Replacing(await super()._init_dbus(), self))

    async def _send(self, notification: Notification) -> None:
        ids = self._platform_to_interface_notification_identifier
        # A bidict: the identifier must leave its old id before the server's answer is
        # recorded under the (same or new) id.
        ids.inverse.pop(notification.identifier, None)
        self.replaces_id = self.server_ids.get(notification.identifier, 0)
        try:
            await super()._send(notification)
        finally:
            self.replaces_id = 0
        server_id = ids.inverse.get(notification.identifier)
        if server_id is not None:
            self.server_ids[notification.identifier] = server_id

    async def _clear(self, identifier: str) -> None:
        self._platform_to_interface_notification_identifier.inverse.pop(identifier, None)
        server_id = self.server_ids.pop(identifier, None)
        if server_id is None or self.interface is None:
            return
        with contextlib.suppress(DBusError):  # already closed: the server says so, harmlessly
            await self.interface.call_close_notification(  # type: ignore[attr-defined]
                server_id)

    async def _clear_all(self) -> None:
        for identifier in list(self.server_ids):
            await self._clear(identifier)

    async def server_information(self) -> tuple[str, str, str, str]:
        """(name, vendor, version, specification version), as the server gives them."""
        if self.interface is None:
            self.interface = await self._init_dbus()
        info = await self.interface.call_get_server_information()  # type: ignore[attr-defined]
        name, vendor, version, spec = (str(part) for part in info)
        return name, vendor, version, spec

    async def aclose(self) -> None:
        """Close the connection to the bus (desktop-notifier keeps it for the process)."""
        bus = getattr(self, "bus", None)
        if bus is not None and bus.connected:
            bus.disconnect()
            with contextlib.suppress(Exception):  # it is going away; how does not matter
                await bus.wait_for_disconnect()


def bus_problem_words(exc: BaseException) -> str:
    """Why the session bus gives no notification service, in a line ("" when unknown)."""
    if isinstance(exc, InvalidAddressError):
        return "No session bus (D-Bus) in this session"
    if isinstance(exc, (AuthError, OSError)):
        return "The session bus does not answer"
    if isinstance(exc, DBusError):
        if exc.type in (ErrorType.SERVICE_UNKNOWN.value, ErrorType.NAME_HAS_NO_OWNER.value):
            return "No notification service on the session bus"
        if exc.type == ErrorType.NO_REPLY.value:
            return "The notification service does not answer"
    return ""

"""A freedesktop notification server for the tests that need what dunst lacks: a server that
plays sounds and reads markup, as GNOME Shell says it does (GetCapabilities: "sound",
"body-markup"). It records each Notify call as the bus delivered it, and can invoke a
notification's default action.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from
the annotations (typing.Annotated with DBusSignature).
"""

from typing import Annotated, Any

from dbus_fast.annotations import DBusDict, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, method, signal

Strings = Annotated[list[str], DBusSignature("as")]
Info = Annotated[list[str], DBusSignature("ssss")]
Int = Annotated[int, DBusSignature("i")]
Closed = Annotated[list[int], DBusSignature("uu")]
Invoked = Annotated[list[Any], DBusSignature("us")]

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class NotificationServer(ServiceInterface):
    def __init__(self, capabilities: list[str]) -> None:
        super().__init__(NAME)
        self.capabilities = capabilities
        self.calls: list[dict[str, Any]] = []
        self.closed: list[int] = []
        self._next = 0

    @method()
    def GetCapabilities(self) -> Strings:
        return self.capabilities

    @method()
    def GetServerInformation(self) -> Info:
        return ["gnome-shell", "GNOME", "46.0", "1.2"]

    @method()
    def Notify(self, app_name: DBusStr, replaces_id: DBusUInt32, app_icon: DBusStr,
               summary: DBusStr, body: DBusStr, actions: Strings, hints: DBusDict,
               expire_timeout: Int) -> DBusUInt32:
        if replaces_id:
            notification_id = replaces_id
        else:
            self._next += 1
            notification_id = self._next
        self.calls.append({"id": notification_id, "replaces_id": replaces_id,
                           "app_name": app_name, "summary": summary, "body": body,
                           "actions": actions, "icon": app_icon,
                           "hints": {key: value.value for key, value in hints.items()}})
        return notification_id

    @method()
    def CloseNotification(self, notification_id: DBusUInt32) -> None:
        self.closed.append(notification_id)
        self.NotificationClosed(notification_id, 3)

    @signal()
    def NotificationClosed(self, notification_id: DBusUInt32, reason: DBusUInt32) -> Closed:
        return [notification_id, reason]

    @signal()
    def ActionInvoked(self, notification_id: DBusUInt32, action_key: DBusStr) -> Invoked:
        return [notification_id, action_key]

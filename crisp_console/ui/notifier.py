"""Desktop notifications for what needs an operator while the window is not in front.

The controller subscribes ``on_live`` to the store's live events (core/live.py): it hears
each RTM event after the store applied it, typed, and only live ones, so the start-up sync
and the catch-up after a reconnect (REST loads, no events) never notify. Two kinds, each can
be turned off:

- ``new_conversation``: ``session:request:initiated``, or a visitor message of a conversation
  the store did not know (the client is fetching it) or that is pending and had nothing
  unread before (a fresh request);
- ``visitor_message``: any other visitor message (``message:send`` from "user").

Operator messages, notes and events never notify, nor anything while the window is active.

Which way (Preferences' ``notify_via``, decided by present/notify_support.py): the platform's
notification service (ui/desktop_notify.py) when this desktop has one, else the tray's
balloon, else none. With any of them, unless ``notify_alert`` is off, the taskbar entry asks
for attention (QApplication.alert) and the launcher shows the unread count
(ui/launcher_badge.py); the title always counts. The sound is the service's when it plays
one, else the console's own (ui/sound.py).

Not a flood: one notification per conversation, updated in place, at most once every 10 s,
and a burst folded into one "N new messages" (ui/notify_pacing.py). A conversation's
notification is withdrawn once it is read or gone, and when it is clicked: the click raises
the window and opens the conversation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.core import (
    CONVERSATIONS,
    Change,
    ChangeKind,
    Conversation,
    LiveEvent,
    Message,
)
from crisp_console.present.notify_support import (
    NONE,
    SERVICE,
    TRAY,
    DesktopSupport,
    channel_for,
)
from crisp_console.present.plain import BIDI_CONTROLS
from crisp_console.present.previews import message_preview
from crisp_console.ui.desktop_notify import ServiceNotifications
from crisp_console.ui.launcher_badge import LauncherBadge
from crisp_console.ui.notify_pacing import SUMMARY, Pacing
from crisp_console.ui.sound import SoundPlayer
from crisp_console.ui.widgets.tray_icon import TrayIcon

NEW_CONVERSATION = "new_conversation"
VISITOR_MESSAGE = "visitor_message"
EVENTS = frozenset((NEW_CONVERSATION, VISITOR_MESSAGE))
BODY_CHARS = 120
# Notification servers may read the body as markup (freedesktop "body-markup", even
# images): a visitor's "<img src=…>" must stay text. Look-alike angle brackets keep it
# readable; control characters go, and so do bidi controls (a name must not reverse the
# "New conversation:" before it).
_SANITISE: dict[int, str | None] = {ord("<"): "\u2039", ord(">"): "\u203a",
                                    **{c: " " for c in range(32)}, 127: " ", **BIDI_CONTROLS}

Subscribe = Callable[[Callable[[Change], None]], Callable[[], None]]


def plain_excerpt(kind: str, content: Any, limit: int = BODY_CHARS) -> str:
    """A message as one line of plain text for a notification body."""
    text = " ".join(message_preview(kind, content).translate(_SANITISE).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class Notifier(QObject):
    """Signals:
        activated(session_id): the operator clicked a notification; open that conversation.
        desktop_changed: what this desktop offers changed (a probe ended, the service failed).

    ``conversations`` is the store's (names, blocked, pending, unread); ``subscribe`` its
    change feed (a read conversation's notification is withdrawn). ``sent`` lists every
    notification shown or updated, as (title, body, session_id), and ``routes`` the channel
    each took: the tests read them. ``clock`` gives seconds (monotonic).
    """

    activated = Signal(str)
    desktop_changed = Signal()

    def __init__(self, conversations: Mapping[str, Conversation], window: QWidget, *,
                 tray: TrayIcon | None,
                 sound: bool = False,
                 enabled_events: Collection[str] = (NEW_CONVERSATION, VISITOR_MESSAGE),
                 clock: Callable[[], float] = time.monotonic,
                 service: ServiceNotifications | None = None,
                 player: SoundPlayer | None = None,
                 badge: LauncherBadge | None = None,
                 subscribe: Subscribe | None = None,
                 via: str = "auto", alert: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conversations = conversations  # the store's own mapping: always current
        self._window = window
        self._tray, self._service, self._player, self._badge = tray, service, player, badge
        self.sound = sound
        self.via, self.alert = via, alert
        self.enabled_events: frozenset[str] = frozenset()
        self.set_enabled_events(enabled_events)
        self.sent: list[tuple[str, str, str]] = []
        self.routes: list[str] = []
        self._unread = 0
        self._last_session = ""  # what a click on the tray's balloon opens
        self._targets: dict[str, str] = {}  # notification key -> the conversation it opens
        self._service_sound: set[str] = set()  # keys whose sound the service was to play
        self._announced: set[str] = set()  # conversations already notified as new
        self._pacing = Pacing(self, clock, summary_due=self.flush, updates_due=self.update_due)
        for part in (service, player):
            if part is not None:
                part.setParent(self)
        self._unsubscribe = subscribe(self.on_change) if subscribe is not None else None
        app = QApplication.instance()
        self._app = app if isinstance(app, QApplication) else None
        if self._app is not None:  # the window back in front: the summary has been seen
            self._app.focusWindowChanged.connect(self._focus_changed)
        self._gate: Callable[[str], bool] = lambda _session_id: True
        if tray is not None:
            tray.message_clicked.connect(self._clicked)
        if service is not None:
            service.clicked.connect(self._service_clicked)
            service.undelivered.connect(self._undelivered)
            service.changed.connect(self.desktop_changed)

    # ---- settings and what this desktop offers ----------------------------------------------

    def start(self) -> None:
        """Find out what this desktop offers (the service's probe runs in the background)."""
        if self._player is not None:
            self._player.probe()
        if self._service is not None:
            self._service.probe()
        self.desktop_changed.emit()

    def desktop(self) -> DesktopSupport:
        service, player = self._service, self._player
        return DesktopSupport(
            service=service.info if service is not None else None,
            service_problem=(service.problem if service is not None
                             else "Not available here"),
            checking=service is not None and service.checking,
            tray=self._tray is not None and self._tray.available,
            sound_player=player.words if player is not None else "",
            sound_problem=player.problem if player is not None else "No sound player",
            badge=self._badge.words() if self._badge is not None and self.alert else "")

    def channel(self) -> str:
        """The channel the next notification takes (present/notify_support.py); while the
        service is being probed it waits for the answer rather than skip it."""
        support = self.desktop()
        if support.checking and (self.via != "tray" or not support.tray):
            return SERVICE
        return channel_for(self.via, support)

    @property
    def interval_s(self) -> float:
        """At most one notification per conversation this often (notify_pacing.py)."""
        return self._pacing.interval_s

    @interval_s.setter
    def interval_s(self, seconds: float) -> None:  # the tests shorten it
        self._pacing.interval_s = seconds

    def set_sound(self, on: bool) -> None:
        self.sound = on

    def set_via(self, via: str) -> None:
        self.via = via
        self.desktop_changed.emit()

    def set_alert(self, on: bool) -> None:
        self.alert = on
        if self._badge is not None:
            self._badge.set_count(self._unread if on else 0)

    def set_unread(self, count: int) -> None:
        """The unread total (the controller's): the launcher's badge shows it."""
        self._unread = count
        if self._badge is not None and self.alert:
            self._badge.set_count(count)

    def set_enabled_events(self, events: Collection[str]) -> None:
        """Which kinds notify: a subset of EVENTS (an unknown name is a bug: ValueError)."""
        unknown = set(events) - EVENTS
        if unknown:
            raise ValueError(f"unknown notification events: {sorted(unknown)}")
        self.enabled_events = frozenset(events)

    def set_gate(self, allow: Callable[[str], bool]) -> None:
        """``allow(session_id)`` False: nothing about that conversation sounds, pops up or
        asks for attention (the console's Away, ui/availability.py)."""
        self._gate = allow

    # ---- events -----------------------------------------------------------------------------

    def on_live(self, event: LiveEvent) -> None:
        """A store live-event observer (called after the store applied the event)."""
        session_id = event.session_id
        if not self.enabled_events or not session_id:
            return
        if event.event == "session:request:initiated":
            if NEW_CONVERSATION in self.enabled_events and session_id not in self._announced:
                self._announced.add(session_id)
                self._notify(session_id, f"New conversation: {self._name(session_id, None)}",
                             "Waiting for an operator")
        elif event.event == "message:send" and event.message is not None:
            self._visitor_message(event.message)

    def on_change(self, change: Change) -> None:
        """A store observer: a conversation read, removed or reset takes its notification
        with it."""
        if change.collection != CONVERSATIONS:
            return
        if change.kind is ChangeKind.RESET:
            gone = set(self._targets) | set(self._pacing.held)
        elif change.kind is ChangeKind.REMOVING:
            gone = set(change.ids)
        elif change.kind is ChangeKind.CHANGED and "unread_operator" in change.fields:
            gone = {sid for sid in change.ids if (conv := self._conversations.get(sid))
                    is not None and conv.unread_operator <= 0}
        else:
            return
        for sid in gone:
            self.withdraw(sid)

    def withdraw(self, session_id: str) -> None:
        """The conversation needs no notification any more: no update is held for it, and
        the service closes its notification."""
        self._pacing.drop(session_id)
        self._service_sound.discard(session_id)
        self._targets.pop(session_id, None)
        if self._service is not None:
            self._service.withdraw(session_id)

    def flush(self) -> None:
        """Show the summary of a burst now (the burst timer calls this)."""
        self._pacing.flush(self._show)

    def update_due(self) -> None:
        """Show the held-back updates whose 10 s are up (their timer calls this)."""
        self._pacing.update_due(self._show, self._may_show)

    def detach(self) -> None:
        """Stop following the store; stop the timers and a sound still playing."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._app is not None:
            self._app.focusWindowChanged.disconnect(self._focus_changed)
            self._app = None
        self._pacing.stop()
        if self._player is not None:
            self._player.dispose()

    async def aclose(self) -> None:
        """Withdraw the notifications still shown, clear the badge, close the connections."""
        self.detach()
        if self._service is not None:
            await self._service.aclose()
        if self._badge is not None:
            await self._badge.aclose()

    def _focus_changed(self) -> None:
        if SUMMARY in self._targets and self._window_active():
            self.withdraw(SUMMARY)  # "N new messages" told of the window's list: it is seen

    # ---- internals --------------------------------------------------------------------------

    def _visitor_message(self, msg: Message) -> None:
        session_id = msg.session_id
        if msg.from_ != "user" or msg.type in ("note", "event"):
            return
        conv = self._conversations.get(session_id)
        if conv is not None and conv.is_blocked:
            return
        fresh = session_id not in self._announced and (
            conv is None or (conv.state == "pending" and conv.unread_operator <= 1))
        name = self._name(session_id, msg)
        body = plain_excerpt(msg.type, msg.content)
        if fresh and NEW_CONVERSATION in self.enabled_events:
            self._announced.add(session_id)
            self._notify(session_id, f"New conversation: {name}", body, name)
        elif VISITOR_MESSAGE in self.enabled_events:
            unread = conv.unread_operator if conv is not None else 0
            title = f"{name} · {unread} new messages" if unread > 1 else name
            self._notify(session_id, title, body, name)

    def _name(self, session_id: str, msg: Message | None) -> str:
        """The conversation's name, else the sender's nickname the message carries."""
        conv = self._conversations.get(session_id)
        name = (conv.nickname or conv.email) if conv is not None else ""
        if not name and msg is not None:
            name = msg.nickname
        name = " ".join(name.translate(_SANITISE).split())
        return name[:60] or "Visitor"

    def _window_active(self) -> bool:
        """The operator is looking at the console: its window is shown and it, or one of
        its dialogs (the palette, the cheat sheet), has the focus."""
        window = self._window
        if not window.isVisible() or window.isMinimized():
            return False
        if window.isActiveWindow():
            return True
        active = QApplication.activeWindow()
        while active is not None:
            if active is window:
                return True
            active = active.parentWidget()
        return False

    def _may_show(self, session_id: str) -> bool:
        return not self._window_active() and self._gate(session_id)

    def _notify(self, session_id: str, title: str, body: str, name: str = "") -> None:
        if not self._may_show(session_id):
            return
        if self.alert:
            QApplication.alert(self._window)  # until the window is activated
        self._pacing.offer(self._show, session_id, title, body, name)

    def _show(self, key: str, title: str, body: str, session_id: str) -> None:
        route = self.channel()
        self.sent.append((title, body, session_id))
        self.routes.append(route)
        self._targets[key] = session_id
        self._last_session = session_id
        service_sound = False
        if route == SERVICE and self._service is not None:
            info = self._service.info  # None while probed: then the sound is ours
            service_sound = self.sound and info is not None and info.sound
            if self._service.show(key, title, body, sound=service_sound):
                if service_sound:
                    self._service_sound.add(key)
            else:
                route = TRAY if self._tray is not None and self._tray.available else NONE
                service_sound = False
        if route == TRAY and self._tray is not None:
            self._tray.show_message(title, body)
        if self.sound and not service_sound:
            self._play()

    def _play(self) -> None:
        if self._player is not None:
            self._player.play()
        else:
            QApplication.beep()

    def _undelivered(self, key: str, title: str, body: str) -> None:
        """The service failed to show it: the tray does, when there is one; the sound the
        service was to play is ours."""
        if self._tray is not None and self._tray.available:
            self._last_session = self._targets.get(key, key)
            self._tray.show_message(title, body)
        if key in self._service_sound:
            self._service_sound.discard(key)
            self._play()

    def _service_clicked(self, key: str) -> None:
        session_id = self._targets.get(key, key)
        self.withdraw(key)
        if session_id != key:
            self.withdraw(session_id)
        self.activated.emit(session_id)

    def _clicked(self) -> None:
        if self._last_session:
            self.activated.emit(self._last_session)

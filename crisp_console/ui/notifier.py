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
To stay useful rather than noisy: at most one notification per conversation every 10 s, and
when more than 3 would go out within 2 s the rest are folded into one "N new messages".
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.core import Conversation, LiveEvent, Message, excerpt_of
from crisp_console.present.plain import BIDI_CONTROLS
from crisp_console.ui.timers import single_shot
from crisp_console.ui.widgets.tray_icon import TrayIcon

NEW_CONVERSATION = "new_conversation"
VISITOR_MESSAGE = "visitor_message"
EVENTS = frozenset((NEW_CONVERSATION, VISITOR_MESSAGE))
PER_CONVERSATION_S = 10.0
BURST_S = 2.0
BURST_COUNT = 3  # individual notifications within BURST_S before they are summarised
BODY_CHARS = 120
# Notification servers may read the body as markup (freedesktop "body-markup", even
# images): a visitor's "<img src=…>" must stay text. Look-alike angle brackets keep it
# readable; control characters go, and so do bidi controls (a name must not reverse the
# "New conversation:" before it).
_SANITISE: dict[int, str | None] = {ord("<"): "\u2039", ord(">"): "\u203a",
                                    **{c: " " for c in range(32)}, 127: " ", **BIDI_CONTROLS}


def plain_excerpt(kind: str, content: Any, limit: int = BODY_CHARS) -> str:
    """A message as one line of plain text for a notification body."""
    text = " ".join(excerpt_of(kind, content).translate(_SANITISE).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class Notifier(QObject):
    """Signals:
        activated(session_id): the operator clicked a notification; open that conversation.

    ``conversations`` is the store's (names, blocked, pending). ``sent`` lists every
    notification shown, as (title, body, session_id): the tests read it, and the app may
    show it as an in-app log. ``clock`` gives seconds (monotonic).
    """

    activated = Signal(str)

    def __init__(self, conversations: Mapping[str, Conversation], window: QWidget, *,
                 tray: TrayIcon | None,
                 sound: bool = False,
                 enabled_events: Collection[str] = (NEW_CONVERSATION, VISITOR_MESSAGE),
                 clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conversations = conversations  # the store's own mapping: always current
        self._window = window
        self._tray = tray
        self._clock = clock
        self.sound = sound
        self.enabled_events: frozenset[str] = frozenset()
        self.set_enabled_events(enabled_events)
        self.sent: list[tuple[str, str, str]] = []
        self._last_session = ""
        self._announced: set[str] = set()  # conversations already notified as new
        self._last_by_session: dict[str, float] = {}
        self._recent: deque[float] = deque()  # times of the last individual notifications
        self._batch: list[tuple[str, str]] = []  # (name, session_id) waiting for the summary
        self._summary = single_shot(self, int(BURST_S * 1000), self.flush)
        self._gate: Callable[[str], bool] = lambda _session_id: True
        if tray is not None:
            tray.message_clicked.connect(self._clicked)

    # ---- settings ---------------------------------------------------------------------------

    def set_sound(self, on: bool) -> None:
        self.sound = on

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

    def flush(self) -> None:
        """Show the summary of a burst now (the burst timer calls this)."""
        self._summary.stop()
        if not self._batch:
            return
        names = list(dict.fromkeys(name for name, _sid in self._batch))
        count, session_id = len(self._batch), self._batch[-1][1]
        self._batch.clear()
        shown = ", ".join(names[:3])
        body = f"From {shown}" + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self._show(f"{count} new messages", body, session_id)

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
            self._notify(session_id, name, body, name)

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

    def _notify(self, session_id: str, title: str, body: str, name: str = "") -> None:
        if self._window_active() or not self._gate(session_id):
            return
        now = self._clock()
        last = self._last_by_session.get(session_id)
        if last is not None and now - last < PER_CONVERSATION_S:
            return  # this conversation notified moments ago; the badge still counts
        self._last_by_session[session_id] = now
        if len(self._last_by_session) > 512:  # forget the old ones, keep it small
            self._last_by_session = {s: t for s, t in self._last_by_session.items()
                                     if now - t < PER_CONVERSATION_S}
        recent = self._recent
        while recent and now - recent[0] >= BURST_S:
            recent.popleft()
        if len(recent) >= BURST_COUNT:
            self._batch.append((name or title, session_id))
            if not self._summary.isActive():
                self._summary.start()
            return
        recent.append(now)
        self._show(title, body, session_id)

    def _show(self, title: str, body: str, session_id: str) -> None:
        self.sent.append((title, body, session_id))
        self._last_session = session_id
        if self._tray is not None:
            self._tray.show_message(title, body)
        if self.sound:
            # PySide6-Essentials has no QtMultimedia (QSoundEffect is in the Addons wheel,
            # which we do not ship): the desktop's own alert sound it is.
            QApplication.beep()

    def _clicked(self) -> None:
        if self._last_session:
            self.activated.emit(self._last_session)

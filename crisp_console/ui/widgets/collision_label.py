"""The collision warning in the thread header: "Ana is typing…", "Leo replied 30 s ago".

It reads the store's presence (core/presence.py) for the bound conversation, leaving out
"me" (my own compose events and messages come back on the feed), and follows it live: a
colleague's compose event or message for this conversation refreshes it at once, and while
it shows something it looks again every ``tick_ms`` so "30 s ago" moves on and an expired
entry (on the store's clock) goes. Hidden, it costs nothing: no timer runs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from crisp_console.core import LiveEvent, Store
from crisp_console.present.collision import collision_text

COLLEAGUE_EVENTS = frozenset(("message:compose:receive", "message:received"))
COLOUR = "#a55400"  # amber, dark enough for white bold text in both themes
TICK_MS = 1000


class CollisionLabel(QLabel):
    def __init__(self, store: Store, *, tick_ms: int = TICK_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._session_id: str | None = None
        self._me: Callable[[], str | None] = lambda: None
        self.setTextFormat(Qt.TextFormat.PlainText)  # operator names: never markup
        self.setStyleSheet(f"background: {COLOUR}; color: white; border-radius: 8px;"
                           " padding: 1px 8px; font-weight: bold;")
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Colleagues in this conversation")
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.refresh)
        self.hide()
        self._unsubscribe: Callable[[], None] | None = store.subscribe_live(self._on_live)

    def bind(self, session_id: str | None) -> None:
        self._session_id = session_id
        self.refresh()

    def set_me(self, me: Callable[[], str | None]) -> None:
        """Who "me" is (the client's identity): left out of the warning."""
        self._me = me
        self.refresh()

    def refresh(self) -> None:
        sid = self._session_id
        text = ""
        if sid is not None:
            presence, me = self._store.presence, self._me()
            text = collision_text(presence.typing(sid, me), presence.wrote(sid, me),
                                  self._store.operators)
        if text != self.text():
            self.setText(text)
            self.setAccessibleDescription(text)
        self.setVisible(bool(text))
        if text and not self._timer.isActive():
            self._timer.start()
        elif not text:
            self._timer.stop()

    def detach(self) -> None:
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_live(self, event: LiveEvent) -> None:
        if event.session_id == self._session_id and event.event in COLLEAGUE_EVENTS:
            self.refresh()

"""The collision warning in the thread header: "Ana is typing…", "Leo replied 30 s ago".

It reads the store's presence (core/presence.py) for the bound conversation, leaving out
"me" (my own compose events and messages come back on the feed), and follows it live: a
colleague's compose event or message for this conversation refreshes it at once, and while
it shows something it looks again every ``tick_ms`` so "30 s ago" moves on and an expired
entry (on the store's clock) goes. Hidden, it costs nothing: no timer runs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from crisp_console.core import LiveEvent, Store
from crisp_console.present.collision import collision_text
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.delegates import painting as pt

COLLEAGUE_EVENTS = frozenset(("message:compose:receive", "message:received"))
COLOUR = "#a55400"  # amber, dark enough for white bold text in both themes
TICK_MS = 1000
SHARE = 0.4  # of the header's width at most: the visitor's name keeps the rest


class CollisionLabel(QLabel):
    def __init__(self, store: Store, *, tick_ms: int = TICK_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._session_id: str | None = None
        self._me: Callable[[], str | None] = lambda: None
        self._warning = ""
        self.setTextFormat(Qt.TextFormat.PlainText)  # operator names: never markup
        self.setFont(pt.scaled_font(self.font(), 0.85, bold=True))  # the state pill's
        self.setStyleSheet(f"background: {COLOUR}; color: white; border-radius: 8px;"
                           " padding: 1px 8px;")
        # As wide as its words up to 40 % of the header, elided past that: the visitor's name
        # keeps the rest (the header's width is followed through an event filter).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._watched: QObject | None = None
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

    def warning(self) -> str:
        """The whole warning ("" for none); ``text()`` is what fits."""
        return self._warning

    def refresh(self) -> None:
        sid = self._session_id
        text = ""
        if sid is not None:
            presence, me = self._store.presence, self._me()
            text = collision_text(presence.typing(sid, me), presence.wrote(sid, me),
                                  self._store.operators)
        if text != self._warning:
            self._warning = text
            self.setAccessibleDescription(text)
            self.updateGeometry()
            self._elide()
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

    def _chrome(self) -> int:
        """The padding around the words (the style sheet's)."""
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())

    def _elide(self) -> None:
        fm = self.fontMetrics()
        room = self.width() - self._chrome()
        shown = fm.elidedText(self._warning, Qt.TextElideMode.ElideRight, max(room, 0))
        shown = shown if room > 0 else self._warning
        self.setText(shown)
        self.setToolTip(tooltip_html(self._warning) if shown != self._warning else "")

    # ---- Qt overrides ------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self._warning) + self._chrome()
        parent = self.parentWidget()
        if parent is not None:
            width = min(width, max(int(parent.width() * SHARE),
                                   self.minimumSizeHint().width()))
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("A colleague…") + self._chrome(),
                     super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ParentChange, QEvent.Type.Polish):
            parent = self.parentWidget()
            if parent is not self._watched:
                if self._watched is not None:
                    self._watched.removeEventFilter(self)
                if parent is not None:
                    parent.installEventFilter(self)
                self._watched = parent
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Resize:
            self.updateGeometry()  # the share of the header moved with it
        return super().eventFilter(watched, event)

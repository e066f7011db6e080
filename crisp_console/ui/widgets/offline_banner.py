"""The offline banner: a strip above the list and the thread while Crisp cannot be reached,
or is not responding (reached, but answering nothing), saying what still works.

It follows a ``Reachability`` (the client's word on whether Crisp answers) and shows itself
only while that says offline or not responding. Not colour alone: a warning icon and the
words, which are also its accessible name and description, announced (a ``QAccessible``
alert) when it appears.
It takes no keyboard focus: shown at start it would otherwise be the first stop of the focus
chain and swallow the operator's first keys (the unavailable notes are Tab stops because they
stand where the operator is working; this one only tells).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QStyle, QWidget

OFFLINE_TEXT = ("Offline — you can read saved conversations; replies queue and go out when "
                "the connection is back")
NOT_RESPONDING_TEXT = ("Crisp is not responding — you can read saved conversations; replies "
                       "wait and go out when it answers")

STYLE = """
QFrame#offlineBanner { border: 1px solid palette(mid); border-left: 4px solid #c98a00;
                       background: palette(alternate-base); }
QFrame#offlineBanner QLabel { color: palette(text); }
"""


class Reachability(Protocol):
    """Whether Crisp can be reached, and whether it answers.

    ``offline()``: True while requests cannot reach Crisp (connection refused, DNS, timeouts,
    no network), not when Crisp answers with a refusal or a spent quota (those say so
    elsewhere). ``not_responding()``: Crisp is reached but answers nothing (its live feed is
    silent, or requests wait with no answer). ``add_reachability_observer(cb)`` calls
    ``cb(offline)`` on the UI thread when either changes, and returns the unsubscribe."""

    def offline(self) -> bool: ...

    def not_responding(self) -> bool: ...

    def add_reachability_observer(self, observer: Callable[[bool], None]) -> Callable[[], None]:
        ...


class OfflineBanner(QFrame):
    def __init__(self, source: Reachability | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setStyleSheet(STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setAccessibleName("Offline")
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        icon.setAccessibleName("Warning")
        self.label = QLabel(OFFLINE_TEXT, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label.setAccessibleName("Offline")
        self.label.setAccessibleDescription(OFFLINE_TEXT)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.hide()
        self._unobserve: Callable[[], None] = lambda: None
        if source is not None:
            def follow(offline: bool) -> None:
                self.set_state(offline, source.not_responding())

            self._unobserve = source.add_reachability_observer(follow)
            follow(source.offline())

    def set_offline(self, offline: bool) -> None:
        self.set_state(offline, False)

    def set_state(self, offline: bool, not_responding: bool) -> None:
        """Offline says so first (nothing is reached); else not responding; else hidden."""
        text = OFFLINE_TEXT if offline else NOT_RESPONDING_TEXT if not_responding else ""
        if text == (self.label.text() if self.is_offline() else ""):
            return
        if text:
            name = "Offline" if offline else "Not responding"
            self.setAccessibleName(name)
            self.label.setAccessibleName(name)
            self.label.setAccessibleDescription(text)
            self.label.setText(text)
        self.setVisible(bool(text))
        if text and QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self.label,
                                                             QAccessible.Event.Alert))

    def is_offline(self) -> bool:
        """Whether the banner is showing, offline or not responding (it may be in a hidden
        window)."""
        return not self.isHidden()

    def text(self) -> str:
        return self.label.text()

    def detach(self) -> None:
        """Stop following the source (before the client closes)."""
        self._unobserve()
        self._unobserve = lambda: None

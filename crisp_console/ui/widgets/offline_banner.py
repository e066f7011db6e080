"""The offline banner: a strip above the list and the thread while Crisp cannot be reached,
saying what still works.

It follows a ``Reachability`` (the client's word on whether REST answers) and shows itself
only while that says offline. Not colour alone: a warning icon and the words, which are also
its accessible name and description, announced (a ``QAccessible`` alert) when it appears.
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

STYLE = """
QFrame#offlineBanner { border: 1px solid palette(mid); border-left: 4px solid #c98a00;
                       background: palette(alternate-base); }
QFrame#offlineBanner QLabel { color: palette(text); }
"""


class Reachability(Protocol):
    """Whether Crisp's REST API answers.

    ``offline()``: True while requests cannot reach Crisp (connection refused, DNS, timeouts,
    no network), not when Crisp answers with a refusal or a spent quota (those say so
    elsewhere). ``add_reachability_observer(cb)`` calls ``cb(offline)`` on the UI thread when
    it changes, and returns the unsubscribe."""

    def offline(self) -> bool: ...

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
            self._unobserve = source.add_reachability_observer(self.set_offline)
            self.set_offline(source.offline())

    def set_offline(self, offline: bool) -> None:
        if offline == self.is_offline():
            return
        self.setVisible(offline)
        if offline and QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self.label,
                                                             QAccessible.Event.Alert))

    def is_offline(self) -> bool:
        """Whether the banner is showing (it may be in a hidden window)."""
        return not self.isHidden()

    def text(self) -> str:
        return self.label.text()

    def detach(self) -> None:
        """Stop following the source (before the client closes)."""
        self._unobserve()
        self._unobserve = lambda: None

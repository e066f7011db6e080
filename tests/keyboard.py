"""Typing as a keyboard does: each key goes to whatever has the focus when it arrives, and
any character can be typed (QTest's keyClicks knows only ASCII and one target widget)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


def type_text(text: str, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
              ) -> None:
    """Press and release a key for each character of ``text``, on the focused widget."""
    for ch in text:
        widget = QApplication.focusWidget()
        assert widget is not None, f"nothing has the focus to type {ch!r}"
        key = ord(ch.upper()) if len(ch.upper()) == 1 else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, modifiers, ch))

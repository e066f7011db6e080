"""Typing handed over from one widget to another: text typed in the conversation list goes
to the open conversation's reply box (issue 15: typing there never runs a command and never
lands in the filter box).

``TypeThrough`` watches the source's key and input-method events. Single-key commands are
QActions, matched before any key event reaches the widget, so what arrives here is text
that is no command. The target takes the focus and a copy of the event, so the first key is
typed there too, and the next ones, delivered to whatever has the focus, follow it in order;
an input method's preedit and commit (CJK, dead keys, emoji) go on there the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.ui.shortcuts import typed_text

Target = Callable[[], "QWidget | None"]


def hand_over(target: QWidget, event: QKeyEvent | QInputMethodEvent) -> None:
    """Focus ``target`` and send it a copy of ``event``."""
    target.setFocus(Qt.FocusReason.OtherFocusReason)
    copy: QEvent
    if isinstance(event, QKeyEvent):
        copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(),
                         event.isAutoRepeat(), event.count())
    else:
        copy = QInputMethodEvent(event)
    QApplication.sendEvent(target, copy)


class TypeThrough(QObject):
    """Text typed in ``source`` goes to ``target()``; while that gives None (or a disabled
    widget), the source handles it itself."""

    def __init__(self, source: QWidget, target: Target) -> None:
        super().__init__(source)
        self.target = target
        source.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        typing = (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                  and bool(typed_text(event))) or (
            isinstance(event, QInputMethodEvent)
            and bool(event.commitString() or event.preeditString()))
        if typing:
            target = self.target()
            if target is not None and target.isEnabled():
                assert isinstance(event, QKeyEvent | QInputMethodEvent)
                hand_over(target, event)
                return True
        return super().eventFilter(watched, event)

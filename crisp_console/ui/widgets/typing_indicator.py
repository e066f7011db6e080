"""Whether the operator is typing a reply, for the visitor's typing indicator: on while a reply
has text, with an excerpt; off when the text goes, after ``idle_ms`` without a keystroke, and
whenever the composer says the text is not a reply (a private note, or the edit of a sent
message, never reveals itself)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from crisp_console.present.composer_text import typing_excerpt
from crisp_console.ui.timers import single_shot


class TypingIndicator(QObject):
    """Signals:
        changed(bool, str): typing or not, with an excerpt (the lead throttles).
    """

    changed = Signal(bool, str)

    def __init__(self, idle_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._typing = False
        self._idle = single_shot(self, idle_ms, self.stop)

    def update(self, text: str, *, replying: bool) -> None:
        """The text changed: typing if it is a reply with something in it."""
        if not replying or not text.strip():
            self.stop()
            return
        self._typing = True
        self.changed.emit(True, typing_excerpt(text))
        self._idle.start()

    def stop(self) -> None:
        self._idle.stop()
        if self._typing:
            self._typing = False
            self.changed.emit(False, "")

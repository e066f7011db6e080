"""The words saying why a feature is unavailable, shown where the feature lives: the list of a
website whose conversations Crisp refuses, a people-panel section, a thread whose messages
are refused, the team's canned responses.

A framed, word-wrapped, plain-text label (the words may quote the server). It is selectable
by mouse and by keyboard, which also puts it in the tab chain: a keyboard or screen-reader
user reaches it with Tab like any field, and can copy it into a support request. Empty, it
hides itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

STYLE = """
QLabel#unavailableNote { border: 1px solid palette(mid); border-radius: 4px; padding: 6px;
                         background: palette(alternate-base); color: palette(text); }
QLabel#unavailableNote:focus { border-color: palette(highlight); }
"""


class UnavailableNote(QLabel):
    """``say(text)`` shows the words ("" hides the note); ``name`` is its accessible name
    (what is unavailable: "Conversations unavailable")."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unavailableNote")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setAccessibleName(name)
        self.setStyleSheet(STYLE)
        self.hide()

    def say(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
            self.setAccessibleDescription(text)
        self.setVisible(bool(text))

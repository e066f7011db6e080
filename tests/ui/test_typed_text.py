"""Which key events type text (they go to the reply box from the list) and which are chords
(commands), on each platform's modifiers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from crisp_console.ui.shortcuts import typed_text

M = Qt.KeyboardModifier


def key(text: str, mods: M = M.NoModifier, code: int = 0) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, code or ord(text.upper()[:1] or "\0"), mods, text)


@pytest.mark.parametrize(("event", "platform", "typed"), [
    (key("e"), "linux", "e"),
    (key("E", M.ShiftModifier), "linux", "E"),
    (key("7", M.KeypadModifier), "linux", "7"),
    (key(" "), "linux", " "),
    (key("日本"), "linux", "日本"),
    (key("€", M.ControlModifier | M.AltModifier), "win32", "€"),  # AltGr on Windows
    (key("é", M.AltModifier), "darwin", "é"),  # Option types on macOS
    (key("e", M.AltModifier), "linux", ""),  # Alt+letter is a chord elsewhere
    (key("\x05", M.ControlModifier), "linux", ""),  # Ctrl+E
    (key("e", M.ControlModifier), "darwin", ""),  # ⌘E
    (key("e", M.MetaModifier), "linux", ""),
    (key("\r", code=Qt.Key.Key_Return.value), "linux", ""),  # not printable
    (key("\x1b", code=Qt.Key.Key_Escape.value), "linux", ""),
    (key("", code=Qt.Key.Key_Down.value), "linux", ""),
])
def test_typed_text(event: QKeyEvent, platform: str, typed: str) -> None:
    assert typed_text(event, platform) == typed

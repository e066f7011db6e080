"""Shared pieces of the composer tests: a window holding the composer with its QActions
installed as the main window does, a recorder of its signals, and key helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.storage.drafts import DraftStore
from crisp_console.ui.canned import load_canned
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.widgets.composer import Composer

Key = Qt.Key
Mod = Qt.KeyboardModifier
CTRL, SHIFT, ALT = Mod.ControlModifier, Mod.ShiftModifier, Mod.AltModifier
OPERATORS = [("u1", "Alice Martin"), ("u2", "Bob Stone"), ("u3", "Chloé Durand")]


class Window(QWidget):
    """A window holding the composer, its QActions installed as the main window does."""

    def __init__(self, registry: CommandRegistry, composer: Composer) -> None:
        super().__init__()
        self.composer = composer
        self.other = QPlainTextEdit()  # a plain text widget, for comparison
        layout = QVBoxLayout(self)
        layout.addWidget(self.other)
        layout.addWidget(composer)
        self.actions_by_id = registry.create_actions(self, {"composer": composer.editor})
        self.resize(640, 420)


class Recorder:
    """Every composer signal, in order."""

    def __init__(self, composer: Composer) -> None:
        self.events: list[tuple[Any, ...]] = []
        for name in ("send_requested", "command_requested", "edit_requested", "typing_changed",
                     "leave_requested", "drafts_changed"):
            getattr(composer, name).connect(
                lambda *args, name=name: self.events.append((name, *args)))

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [e[1:] for e in self.events if e[0] == name]


Make = Callable[..., tuple[Composer, Recorder]]


def composer_factory(qtbot: QtBot, registry: CommandRegistry) -> Make:
    """build(drafts=..., session="s1", **Composer kwargs): a shown, focused composer bound to
    ``session``, and the recorder of its signals."""
    windows: list[Window] = []  # qtbot holds widgets weakly; the test keeps them alive

    def build(*, drafts: DraftStore | None = None, session: str | None = "s1",
              **kwargs: Any) -> tuple[Composer, Recorder]:
        kwargs.setdefault("canned", load_canned())
        composer = Composer(registry, DraftStore(None) if drafts is None else drafts, **kwargs)
        composer.set_operators(OPERATORS)
        window = Window(registry, composer)
        windows.append(window)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        recorder = Recorder(composer)
        composer.bind(session)
        composer.editor.setFocus()
        qtbot.waitUntil(composer.editor.hasFocus)
        return composer, recorder

    return build


def type_text(qtbot: QtBot, composer: Composer, text: str) -> None:
    qtbot.keyClicks(composer.editor, text)


def key(qtbot: QtBot, composer: Composer, k: Key, mods: Mod = Mod.NoModifier) -> None:
    qtbot.keyClick(composer.editor, k, mods)

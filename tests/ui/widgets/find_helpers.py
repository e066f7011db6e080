"""What the find and reveal tests share: a thread with words to find, a pane in a window with
another focusable widget (where the focus comes from), and readers of the MARK role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.find_text import Mark
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.models import MessageRole
from crisp_console.ui.widgets.thread_pane import ThreadPane
from tests.present.seeded import seeded_store
from tests.ui.widgets.test_thread_pane import HEIGHT, MIN, WIDTH, T, say

MARK = int(MessageRole.MARK)
# Rows 5, 17 and 30 mention a refund, in three spellings; row 22 says "crème".
WORDS = {5: "Can I get a REFUND?", 17: "The refund is on its way", 22: "Une crème brûlée",
         30: "Réfund received, thanks"}


def words_store(n: int = 40) -> tuple[Store, str]:
    store = seeded_store(4)
    sid = store.conversation_ids()[0]
    store.upsert_messages(sid, [say(sid, i, text=WORDS.get(i, f"message {i}"),
                                    sender="operator" if i % 5 == 4 else "user")
                                for i in range(n)])
    return store, sid


class Window(QWidget):
    """The pane under a line edit (a stand-in for the composer), with the registry's actions
    installed as the main window does: Ctrl+F and F3 work from either."""

    def __init__(self, pane: ThreadPane, registry: CommandRegistry) -> None:
        super().__init__()
        self.pane = pane
        self.other = QLineEdit()
        layout = QVBoxLayout(self)
        layout.addWidget(self.other)
        layout.addWidget(pane, 1)
        registry.set_handler("thread.find", pane.open_find)
        registry.set_handler("thread.find_next", lambda: pane.find_step(older=True))
        registry.set_handler("thread.find_previous", lambda: pane.find_step(older=False))
        self.actions_by_id = registry.create_actions(self, {"thread": pane.view})
        self.resize(WIDTH, HEIGHT + 80)


def shown_window(qtbot: QtBot, store: Store, **kw: Any) -> Window:
    """A shown, active window around a new pane (``kw`` go to ThreadPane)."""
    pane = ThreadPane(store, clock=lambda: T + 10**7, tz=UTC, **kw)
    window = Window(pane, build_registry(platform="linux"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def marks(pane: ThreadPane) -> dict[int, Mark]:
    """Row -> its MARK, for the marked rows."""
    model = pane.model
    found = {row: model.index(row).data(MARK) for row in range(model.rowCount())}
    return {row: mark for row, mark in found.items() if mark is not None}


def row_rect(pane: ThreadPane, row: int) -> QRect:
    return pane.view.visualRect(pane.model.index(row))


def in_view(pane: ThreadPane, row: int) -> bool:
    """The whole row is inside the viewport."""
    return pane.view.viewport().rect().contains(row_rect(pane, row))


def centred(pane: ThreadPane, row: int) -> bool:
    """The row is in view, its centre near the viewport's (where the list has room)."""
    rect, viewport = row_rect(pane, row), pane.view.viewport().rect()
    return in_view(pane, row) and abs(rect.center().y() - viewport.center().y()) \
        <= rect.height() // 2 + 2


Pump = Callable[[], None]
__all__ = ["MIN", "T"]

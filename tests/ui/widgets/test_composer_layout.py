"""Switching between reply and private note moves nothing: in a console-like layout (a
list, the thread over the composer, a side panel, in splitters) the thread, the composer
and each part of it keep their geometry, at the default font and at a big one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QListView, QSplitter, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.storage.drafts import DraftStore
from crisp_console.ui.canned import load_canned
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.composer import Composer


def settle() -> None:
    """Run the layouts the switch asked for (posted LayoutRequest events, up the parents)."""
    for _ in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def side_pane() -> QWidget:
    pane = QWidget()
    pane.setMinimumWidth(120)
    return pane


def layout_of(composer: Composer, thread: QWidget, window: QWidget) -> dict[str, QRect]:
    parts = {"thread": thread, "composer": composer, "header": composer.header,
             "editor": composer.editor, "footer": composer.footer,
             "send": composer.footer.send_button}
    return {name: QRect(w.mapTo(window, w.rect().topLeft()), w.size())
            for name, w in parts.items()}


@pytest.mark.parametrize("points", [0, 18], ids=["default-font", "18pt"])
def test_the_note_switch_keeps_every_pane_in_place(qtbot: QtBot, points: int) -> None:
    composer = Composer(build_registry(platform="linux"), DraftStore(None),
                        canned=load_canned())
    thread = QListView()
    middle = QSplitter(Qt.Orientation.Vertical)
    middle.addWidget(thread)
    middle.addWidget(composer)
    middle.setStretchFactor(0, 1)
    window = QSplitter(Qt.Orientation.Horizontal)
    for pane in (side_pane(), middle, side_pane()):
        window.addWidget(pane)
    window.setChildrenCollapsible(False)
    if points:
        font = window.font()
        font.setPointSize(points)
        window.setFont(font)
    qtbot.addWidget(window)
    # The middle pane narrower than the whole note chip, as in a 1024 px window.
    chip = composer.header.note_label
    middle_width = chip.fontMetrics().horizontalAdvance(chip.text()) + 120
    window.resize(middle_width + 2 * 260, 600)
    window.setSizes([260, middle_width, 260])
    window.show()
    qtbot.waitExposed(window)
    composer.bind("s1")
    qtbot.waitUntil(lambda: composer.header.isVisible())
    settle()
    reply = layout_of(composer, thread, window)
    sizes = window.sizes()

    composer.toggle_mode()
    assert composer.mode() == "note" and composer.header.note_label.isVisibleTo(window)
    assert composer.footer.send_button.text() == "Add note"
    settle()
    note = layout_of(composer, thread, window)
    assert window.sizes() == sizes  # the side panes did not give way
    assert note == reply

    composer.toggle_mode()
    settle()
    assert layout_of(composer, thread, window) == reply and window.sizes() == sizes

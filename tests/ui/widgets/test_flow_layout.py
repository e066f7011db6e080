"""FlowLayout: a chip that changes width within the same flow is placed again without
laying the window out; a change of the flow's height (or of its widest chip: the parents'
minimum width) tells the parents."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.widgets.flow_layout import FlowLayout
from tests.ui.event_counts import EventCount


def window_with_chips(qtbot: QtBot) -> tuple[QWidget, QWidget, list[QToolButton]]:
    window = QWidget()
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    column.addWidget(QLabel("Above"))
    box = QWidget()
    flow = FlowLayout(box, 4)
    chips = []
    for i in range(4):
        chip = QToolButton()
        chip.setText(f"Tab {i} 8+" if i < 3 else "The widest tab 32+")
        flow.addWidget(chip)
        chips.append(chip)
    column.addWidget(box)
    column.addStretch(1)
    window.resize(400, 300)
    window.show()
    qtbot.waitExposed(window)
    return window, box, chips


def settle() -> None:
    """Deliver every posted event, and those their delivery posts (each layout level posts
    the next level's LayoutRequest): no waiting, no timing."""
    for _ in range(8):
        QApplication.sendPostedEvents()


def test_a_chip_that_keeps_the_flow_is_placed_again_and_the_window_is_not_laid_out(
        qtbot: QtBot) -> None:
    window, box, chips = window_with_chips(qtbot)
    settle()
    requests = EventCount(QEvent.Type.LayoutRequest, window)
    height = box.height()
    chips[1].setText("Tab 1 10+")  # wider, still one line, not the widest
    settle()
    assert requests.count == 0
    assert chips[1].width() == chips[1].sizeHint().width()
    assert chips[2].x() == chips[1].geometry().right() + 1 + 4  # the next chip moved along
    assert box.height() == height


def test_a_chip_that_wraps_the_flow_to_a_new_line_lays_the_window_out(qtbot: QtBot) -> None:
    window, box, chips = window_with_chips(qtbot)
    settle()
    requests = EventCount(QEvent.Type.LayoutRequest, window)
    height = box.height()
    chips[1].setText("A much longer tab name that needs a line of its own")
    settle()
    assert box.height() > height
    assert requests.count >= 1
    assert chips[2].y() > chips[0].y()  # the chips after it went down a line

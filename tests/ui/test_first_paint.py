"""Start-up shows the window and lets it paint before doing more work: show_painted()
returns once the window has painted, and a window that never paints does not hold it."""

from __future__ import annotations

import qasync
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget

from crisp_console.ui.first_paint import show_painted
from tests.qloop import qloop  # noqa: F401 (the fixture)


class Counted(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1
        super().paintEvent(event)


def test_returns_once_the_window_has_painted(qloop: qasync.QEventLoop) -> None:  # noqa: F811
    window = Counted()
    window.resize(200, 100)
    try:
        # The paint ends it, long before the bound.
        qloop.run_until_complete(show_painted(window, wait_s=30.0))
        assert window.isVisible() and window.paints >= 1
    finally:
        window.close()


def test_a_window_that_never_paints_does_not_hold_start_up(
        qloop: qasync.QEventLoop) -> None:  # noqa: F811
    window = Counted()
    window.setUpdatesEnabled(False)  # no paint event will come
    try:
        qloop.run_until_complete(show_painted(window, wait_s=0.05))
        assert window.isVisible() and window.paints == 0
    finally:
        window.close()

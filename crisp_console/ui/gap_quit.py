"""A close asked for before the console exists, kept for its quit guard (app.py)."""

from __future__ import annotations

from collections.abc import Callable

from crisp_console.ui.widgets.main_window import MainWindow


class GapQuit:
    """The window's close asked for between the first frame and the console (Ctrl+Q, the
    close button): remembered, then handed to the console's quit guard once it exists."""

    def __init__(self, window: MainWindow) -> None:
        self._window, self._asked = window, False
        window.close_requested.connect(self._ask)

    def _ask(self) -> None:
        self._asked = True

    def hand_over(self, request: Callable[[], None]) -> None:
        self._window.close_requested.disconnect(self._ask)
        if self._asked:
            request()

"""The command palette's current result, as the keys move it over the enabled rows.

Apart from command_palette.py (keys, layout, signals, the idle work): where Up, Down, Tab,
PgUp and PgDn land is a rule of its own, applied to the result list's view and model. A step
wraps at the ends, a page stops there, and both pass over greyed rows (a command that cannot
run now). Loaded with the palette, after the first frame.
"""

from __future__ import annotations

from PySide6.QtWidgets import QListView

from crisp_console.ui.palette_rows import PaletteDelegate, PaletteModel


class ResultCursor:
    """The current row of ``view`` (showing ``model``, its rows painted by ``delegate``)."""

    def __init__(self, view: QListView, model: PaletteModel, delegate: PaletteDelegate) -> None:
        self._view, self._model, self._delegate = view, model, delegate

    def next_enabled(self, start: int, step: int) -> int:
        """The first enabled row from ``start`` going ``step``; -1 if none."""
        row = start
        while 0 <= row < self._model.rowCount():
            item = self._model.item(row)
            if item is not None and item.enabled:
                return row
            row += step
        return -1

    def select(self, row: int) -> None:
        """Make ``row`` current and scroll to it; -1: no current row, nothing selected."""
        if row < 0:
            self._view.setCurrentIndex(self._model.index(-1, 0))
            self._view.clearSelection()
            return
        index = self._model.index(row, 0)
        self._view.setCurrentIndex(index)
        self._view.scrollTo(index)

    def move(self, step: int) -> None:
        """Up/Down (wrapping) and PgUp/PgDn (by a page, stopping at the ends)."""
        count = self._model.rowCount()
        if not count:
            return
        current = self._view.currentIndex().row()
        if abs(step) == 1:
            start = (current + step) % count if current >= 0 else (0 if step > 0 else count - 1)
            row = self.next_enabled(start, step)
            if row < 0:  # wrapped past the end: continue from the other end
                row = self.next_enabled(0 if step > 0 else count - 1, step)
        else:
            target = max(0, min(count - 1, max(current, 0) + step))
            row = self.next_enabled(target, 1 if step > 0 else -1)
            if row < 0:
                row = self.next_enabled(target, -1 if step > 0 else 1)
        if row >= 0:
            self.select(row)

    def page(self) -> int:
        """How many rows PgUp and PgDn move: the rows in view, less one."""
        row = self._delegate.row_height(self._view.font())
        return max(1, self._view.viewport().height() // max(1, row) - 1)

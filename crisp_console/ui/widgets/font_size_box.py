"""Preferences → Font size: "System", then the sizes in settings.FONT_SIZES (8 … 24 pt).

A drop-down rather than a spin box: ↑ and ↓ step through sizes worth having (a spin box went
from "System" to 1, 2, 3 pt), typing "1" "8" picks "18 pt", and the list shows every choice
at once. A size that is not one of the steps (17, written into preferences.toml by hand) is
listed in its place among them, so it shows and is kept when saved. ``value()`` is the size
in points, 0 for the system's, as in Preferences.font_size.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QWidget

from crisp_console.settings import FONT_SIZES

SYSTEM = "System"


def size_label(points: int) -> str:
    return f"{points} pt"


class FontSizeBox(QComboBox):
    def __init__(self, parent: QWidget | None = None, *,
                 steps: Sequence[int] = FONT_SIZES) -> None:
        super().__init__(parent)
        self._steps = tuple(sorted(set(steps)))
        self.setAccessibleName("Font size")
        self.addItem(SYSTEM, 0)
        for points in self._steps:
            self.addItem(size_label(points), points)

    def set_system_size(self, points: float) -> None:
        """Show what "System" is here ("System (9 pt)"); 0: unknown."""
        self.setItemText(0, f"{SYSTEM} ({points:g} pt)" if points > 0 else SYSTEM)

    def value(self) -> int:
        data = self.currentData()
        return data if isinstance(data, int) else 0

    def setValue(self, points: int) -> None:  # QSpinBox's name: it replaced one
        """Select ``points`` (0: the system's); a size that is not a step gets an item."""
        for row in range(self.count() - 1, 0, -1):  # an odd size listed for an earlier load
            data = self.itemData(row)
            if data not in self._steps and data != points:
                self.removeItem(row)
        if points <= 0:
            self.setCurrentIndex(0)
            return
        row = self.findData(points)
        if row < 0:
            row = 1 + sum(1 for step in self._steps if step < points)
            self.insertItem(row, size_label(points), points)
        self.setCurrentIndex(row)

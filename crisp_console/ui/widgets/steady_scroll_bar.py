"""A scroll bar that repaints when what it shows changes, not on every change of its range.

The conversation list's range changes with every row inserted or removed (a new visitor, a
conversation leaving the filter), and QAbstractSlider repaints the whole bar each time. With
thousands of rows the handle is at its shortest and most of those repaints draw the same
pixels, at about 1 ms each under the app's style sheet: in scripts/bench_events.py the
list's scroll bar was the costliest widget painted outside the list's own rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

_QUIET = frozenset((QAbstractSlider.SliderChange.SliderRangeChange,
                    QAbstractSlider.SliderChange.SliderValueChange,
                    QAbstractSlider.SliderChange.SliderStepsChange))


class SteadyScrollBar(QScrollBar):
    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._drawn: tuple[Any, ...] | None = None  # what the last paint showed
        self.skipped = 0  # repaints saved (the tests read it)

    def looks(self) -> tuple[Any, ...]:
        """Everything a style reads to draw the bar that a range, value or step change can
        move: the handle's rectangle, and whether the value sits at either end (styles draw
        the arrow at that end disabled)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_ScrollBar, option,
                                             QStyle.SubControl.SC_ScrollBarSlider, self)
        value = self.value()
        return (handle.x(), handle.y(), handle.width(), handle.height(),
                value == self.minimum(), value == self.maximum(), self.isSliderDown())

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        if change in _QUIET and self._drawn is not None and not self._transient() \
                and self.looks() == self._drawn:
            self.skipped += 1
            return  # the same pixels: QAbstractSlider would only call update()
        super().sliderChange(change)

    def _transient(self) -> bool:
        """A style whose bars fade in on a change (macOS): leave every change to Qt."""
        return bool(self.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, self))

    def paintEvent(self, event: QPaintEvent) -> None:
        self._drawn = self.looks()
        super().paintEvent(event)

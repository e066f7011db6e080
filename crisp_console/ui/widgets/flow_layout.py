"""A layout that puts items left to right and wraps to a new line when the width runs out
(Qt's flow layout example, trimmed): the filter chips and the segment chips use it.

A chip whose text changes asks its layout to ``invalidate``, and QLayout's own tells every
layout up to the window, which lays the whole window out again (QLayout::activate's comment:
"ideally only if sizeHint() or sizePolicy() has changed"). Under a busy feed the filter
tabs' counts change about 20 times a second. So when the chips' flow keeps its height at the
current width and its widest chip, they are placed again here and nothing above is told:
every layout above would come to the same sizes.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._shape: tuple[int, QSize] | None = None  # what the parents last laid out for
        self.setContentsMargins(0, 0, 0, 0)  # the chips sit flush with their neighbours

    def _place(self, rect: QRect, apply: bool) -> int:
        """Lay the visible items out in ``rect``; returns the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            size = item.sizeHint()
            if x > area.x() and x + size.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._gap
            line = max(line, size.height())
        return y + line - rect.y() + margins.bottom()

    # ---- Qt overrides ------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, True)
        self._shape = self._measure(rect.width())

    def invalidate(self) -> None:
        rect = self.geometry()
        if self._shape is not None and rect.isValid() \
                and self._measure(rect.width()) == self._shape:
            self._place(rect, True)  # the same height and widest chip: only the chips move
            return
        self._shape = None
        super().invalidate()

    def _measure(self, width: int) -> tuple[int, QSize]:
        return self.heightForWidth(width), self.minimumSize()

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

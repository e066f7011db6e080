"""Where the thread stays when rows move (Ruqola's ``checkIfAtBottom``/``maybeScrollToBottom``,
style-anchors.md §3c and §5.7).

- Before anything that can move rows (inserts, removals, moves, resets, a row's height
  changing, a resize), the view's anchor *captures* where it is: pinned (at the bottom,
  within ``PIN_SLACK`` px), or the row at the viewport's centre and that row's top.
- After the next items layout (QListView lays out on a delayed timer), it *restores*: pinned
  goes to the new bottom; otherwise the captured row goes back to the same place on screen.
  So a live message keeps a pinned view at the bottom, a message arriving while the
  operator reads older ones moves nothing, and an older page inserted above keeps the visible
  messages exactly where they are. The centre row is the anchor because the rows next to an
  insertion change their grouping (day separator, header) and so their height.
- The first capture wins until it is restored: a burst of changes is measured against the
  position before the burst.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QPersistentModelIndex, QPoint
from PySide6.QtWidgets import QAbstractItemView

PIN_SLACK = 6  # px from the bottom that still count as "at the bottom"


class _Pinned:
    """Capture marker: stay at the bottom."""


PINNED = _Pinned()
Capture = _Pinned | tuple[QPersistentModelIndex, int]


def at_bottom(view: QAbstractItemView) -> bool:
    bar = view.verticalScrollBar()
    return bar.value() >= bar.maximum() - PIN_SLACK


class ScrollAnchor:
    """The position of ``view`` across row changes; the view calls ``restore()`` after each
    items layout, and ``capture()`` before a change its model does not signal (a row's
    height, a resize)."""

    def __init__(self, view: QAbstractItemView) -> None:
        self._view = view
        self._state: Capture | None = None
        self._watched: QAbstractItemModel | None = None

    @property
    def captured(self) -> bool:
        """Whether a position waits to be restored."""
        return self._state is not None

    def watch(self, model: QAbstractItemModel | None) -> None:
        """Capture before every row change of ``model`` (and no longer of the last one)."""
        if self._watched is not None:
            for signal in _row_signals(self._watched):
                signal.disconnect(self.capture)
        self._watched = model
        if model is not None:
            for signal in _row_signals(model):
                signal.connect(self.capture)

    def capture(self, *_args: Any) -> None:
        if self._state is not None:
            return  # the position before the first of several changes is the one to keep
        view = self._view
        if at_bottom(view):
            self._state = PINNED
            return
        anchor = view.indexAt(QPoint(1, view.viewport().height() // 2))
        if anchor.isValid():
            self._state = (QPersistentModelIndex(anchor), view.visualRect(anchor).top())

    def pin(self) -> None:
        """Go to the bottom at the next restore, whatever was captured (a rebind)."""
        self._state = PINNED

    def forget(self) -> None:
        """Nothing to restore (the view was just scrolled on purpose)."""
        self._state = None

    def restore(self) -> None:
        state, self._state = self._state, None
        bar = self._view.verticalScrollBar()
        if isinstance(state, _Pinned):
            bar.setValue(bar.maximum())
        elif state is not None and state[0].isValid():
            index, top = state
            rect = self._view.visualRect(self._view.model().index(index.row(), 0))
            bar.setValue(bar.value() + rect.top() - top)


def _row_signals(model: QAbstractItemModel) -> list[Any]:
    return [model.rowsAboutToBeInserted, model.rowsAboutToBeRemoved, model.rowsAboutToBeMoved,
            model.layoutAboutToBeChanged, model.modelAboutToBeReset]

"""The message list of the thread: a QListView of bubbles that stays where the operator left it
(pinned to the bottom, or the message they read in place) whatever rows arrive, leave or
change height: scroll_anchor.py has the rules.

Keys: PgUp/PgDn scroll a page (the current row stays), Up/Down move the current row, Enter
does what the delegate says the row does (``MessageDelegate.activate``: open its first link,
load its image, retry it), Ctrl+C copies the current message's text. The current row is
highlighted only while the view has focus.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QGuiApplication, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from crisp_console.core import Message
from crisp_console.ui.delegates import MessageDelegate
from crisp_console.ui.models.base import Index
from crisp_console.ui.models.roles import ITEM_ROLE, MessageRole
from crisp_console.ui.widgets.scroll_anchor import ScrollAnchor, at_bottom

_MARK = int(MessageRole.MARK)


class ThreadView(QListView):
    """Signals:
        laid_out(): after every items layout, once the scroll position is restored (the pane
            then requests the visible media and checks whether to load older messages).
    """

    laid_out = Signal()

    def __init__(self, delegate: MessageDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._delegate = delegate
        self._anchor = ScrollAnchor(self)
        self.setItemDelegate(delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(False)
        self.setMouseTracking(True)  # the delegate shows a pointer over links and images
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Messages")

    @property
    def delegate(self) -> MessageDelegate:
        return self._delegate

    # ---- position ----------------------------------------------------------------------------

    def at_bottom(self) -> bool:
        return at_bottom(self)

    def message_at(self, index: Index) -> Message | None:
        msg = index.data(ITEM_ROLE) if index.isValid() else None
        return msg if isinstance(msg, Message) else None

    def pin_to_bottom(self) -> None:
        """Go to the bottom after the next layout, whatever was captured (a rebind)."""
        self._anchor.pin()
        self.scheduleDelayedItemsLayout()

    def settle(self) -> None:
        """Lay out now if a layout is due, and restore the captured position."""
        self.executeDelayedItemsLayout()
        if self._anchor.captured:
            self.doItemsLayout()

    def scroll_to_row(self, row: int, hint: QAbstractItemView.ScrollHint) -> None:
        """Make ``row`` current and scroll it into view with ``hint``."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        self.settle()
        self._anchor.forget()
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            if self.hasFocus() else QItemSelectionModel.SelectionFlag.NoUpdate)
        self.scrollTo(index, hint)

    def visible_rows(self) -> range:
        """The rows intersecting the viewport (empty when there are none)."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return range(0)
        first = self.indexAt(QPoint(1, 0))
        last = self.indexAt(QPoint(1, self.viewport().height() - 1))
        top = first.row() if first.isValid() else 0
        bottom = last.row() if last.isValid() else model.rowCount() - 1
        return range(top, bottom + 1)

    def _current_or_visible(self) -> QModelIndex:
        """The current row, else the lowest row fully in view (so focusing scrolls nothing)."""
        current = self.currentIndex()
        if current.isValid():
            return current
        rows = self.visible_rows()
        model = self.model()
        for row in reversed(rows):
            index = model.index(row, 0)
            if self.visualRect(index).bottom() < self.viewport().height():
                return index
        return model.index(rows[-1], 0) if rows else QModelIndex()

    def _copy_current(self) -> bool:
        msg = self.message_at(self.currentIndex())
        if msg is None:
            return False
        content = msg.content
        text = content if isinstance(content, str) else msg.excerpt()
        QGuiApplication.clipboard().setText(text)
        return True

    # ---- Qt overrides ------------------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self._anchor.watch(model)

    def doItemsLayout(self) -> None:
        # At the bottom with nothing captured, the view stays at the bottom: one font size
        # change lays the rows out several times (font, style, resize), and a pinned restore
        # at an early pass would leave the view above the newest message after the later ones.
        stick = not self._anchor.captured and at_bottom(self)
        super().doItemsLayout()
        bar = self.verticalScrollBar()
        bar.setSingleStep(max(12, self.fontMetrics().height() * 2))
        self._anchor.restore()
        if stick:
            bar.setValue(bar.maximum())
        self.laid_out.emit()

    def dataChanged(self, topLeft: Index, bottomRight: Index,
                    roles: Sequence[int] = ()) -> None:
        if list(roles) == [_MARK]:  # a highlight: a repaint, no height changes
            super().dataChanged(topLeft, bottomRight, list(roles))
            return
        # Rows may have changed height (an edit, a merged echo): re-measure them.
        self._anchor.capture()
        model = self.model()
        for row in range(topLeft.row(), bottomRight.row() + 1):
            self._delegate.row_changed(model.index(row, 0))
        super().dataChanged(topLeft, bottomRight, list(roles))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._anchor.capture()
        width_changed = event.size().width() != event.oldSize().width()
        if width_changed:
            self._delegate.clear()  # every height depends on the width
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()
        if not width_changed:
            self.executeDelayedItemsLayout()  # heights are cached: cheap, and no flicker

    def changeEvent(self, event: QEvent) -> None:
        kind = event.type()
        if kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                    QEvent.Type.PaletteChange):
            self._anchor.capture()
            self._delegate.clear()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # Pick the row before Qt does: it would take the first row, far above the screen.
        index = self._current_or_visible()
        if index.isValid():
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.selectionModel() is not None:
            self.selectionModel().clearSelection()  # highlight only while focused

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        bar = self.verticalScrollBar()
        if plain and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            step = max(bar.singleStep(), self.viewport().height() - 2 * bar.singleStep())
            bar.setValue(bar.value() + (step if key == Qt.Key.Key_PageDown else -step))
            event.accept()
            return
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self._delegate.activate(index)
            event.accept()
            return
        if plain and key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not self.currentIndex().isValid():
            index = self._current_or_visible()  # the first press picks a row in view
            if index.isValid():
                self.setCurrentIndex(index)
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Copy) and self._copy_current():
            event.accept()
            return
        super().keyPressEvent(event)


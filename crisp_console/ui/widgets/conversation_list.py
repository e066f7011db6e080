"""The conversation list view: uniform rows painted by ConversationDelegate, and the current
conversation tracked by session id while live rows insert, move and leave.

A QTableView with one stretched column and fixed-height rows, rather than a QListView: every
relayout of a QListView asks the model's ``rowCount()`` twice per row (its ``isHidden`` check
goes through ``model->index()``), which from Python cost 13 ms per flush at 6.7k rows and
118 ms at 67k (PySide6 6.11, offscreen). The table's fixed vertical header needs no call per
row: 1.4 ms and 1.8 ms for the same flushes.

The current conversation is this view's own state, not Qt's current index: Qt moves its
current index on its own (to the next row when the current one is removed, to the first on
focus), and none of that may open another conversation. So every operator move (keys, clicks,
the ``select_*`` methods) goes through ``_move_to``, which alone emits ``current_changed``,
and after every row signal the view's current index and selection are made to mirror the
tracked conversation again (none while it is not in the list).

Rows arriving above the visible ones while the operator points at, reads or has scrolled the
list do not push it down: list_hold.py keeps the rows in view in place and says "3 new ↑".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from crisp_console.core import Conversation
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.delegates import ConversationDelegate
from crisp_console.ui.delegates.painting import mix
from crisp_console.ui.models import ConversationListModel
from crisp_console.ui.widgets.list_current import TrackedCurrent
from crisp_console.ui.widgets.list_hold import ListHold
from crisp_console.ui.widgets.steady_scroll_bar import SteadyScrollBar

Accept = Callable[[Conversation], bool]
Key = Qt.Key
Selection = QAbstractItemView.SelectionMode
Flag = QItemSelectionModel.SelectionFlag
TIME_REFRESH_MS = 30_000  # relative times ("5 min") change at most once a minute
EMPTY_MARGIN = 24


class ConversationListView(QTableView):
    """Signals:
    current_changed(str | None): the operator moved to another conversation.
    activated(str): Enter, a click or a double click on a row: open it and reply.
    context_menu_requested(str, QPoint): right click on a row, or the Menu key / Shift+F10 on
        the current one; the point is global.
    search_typed(str): printable text typed in the list, for the text filter (type-to-find;
        while a conversation is open, typed text goes to its reply box before this view
        sees it: ui/hand_over.py).
    """

    current_changed = Signal(object)
    activated = Signal(str)
    context_menu_requested = Signal(str, QPoint)
    search_typed = Signal(str)

    def __init__(self, model: ConversationListModel, *, clock: Clock = system_clock,
                 tz: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._empty_text = ""
        self.delegate = ConversationDelegate(self, clock=clock, tz=tz)
        self.setItemDelegate(self.delegate)
        self.setModel(model)
        self._configure()
        # Where the current one is (list_current.py); after each row signal, Qt's current
        # index and selection mirror it again.
        self._tracked = TrackedCurrent(self, model, after=self._sync)
        model.modelReset.connect(self._model_reset)
        model.layoutChanged.connect(self._sync)
        self.time_refresh = QTimer(self)  # repaints the relative times while shown
        self.time_refresh.setInterval(TIME_REFRESH_MS)
        self.time_refresh.timeout.connect(self.viewport().update)
        self.hold = ListHold(self, model)  # rows arriving above do not push the view down

    def _configure(self) -> None:
        self.setVerticalScrollBar(SteadyScrollBar(Qt.Orientation.Vertical, self))
        self.setSelectionMode(Selection.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the list
        self.setAutoScroll(False)  # scrolling follows the operator's moves only
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        # The viewport paints its own background (paintEvent): Qt then no longer repaints the
        # panes and the window behind it each time a row changes (bench_events: the paint of
        # a frame of live events, p50 1.97 -> 1.52 ms). The pixels are the same.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        columns, rows = self.horizontalHeader(), self.verticalHeader()
        columns.hide()
        columns.setStretchLastSection(True)
        rows.hide()
        rows.setMinimumSectionSize(1)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._update_row_height()
        self.setAccessibleName("Conversations")
        self.setAccessibleDescription(
            "Up and Down move between conversations, Enter opens one to reply, "
            "the Menu key shows its actions")

    # ---- the current conversation ------------------------------------------------------------

    @property
    def list_model(self) -> ConversationListModel:
        return self._model

    def current_session_id(self) -> str | None:
        """The conversation the operator is on, listed or not."""
        return self._tracked.session_id

    def end_in_sight(self) -> bool:
        """Whether the last row (or the empty list's place) is in the viewport: the list
        pane's paging reads more then."""
        count = self._model.rowCount()
        if count == 0:
            return True
        rect = self.visualRect(self._model.index(count - 1, 0))
        return rect.isValid() and self.viewport().rect().intersects(rect)

    def current_row(self) -> int:
        """Its row, or -1 while it is not in the list."""
        return self._tracked.row()

    def select_session(self, session_id: str) -> bool:
        """Make ``session_id`` current; False (and no change) if it is not in the list."""
        row = self._model.row_of(session_id)
        if row < 0:
            return False
        self._move_to(row)
        return True

    def select_first(self) -> bool:
        return self._model.rowCount() > 0 and self._move_to(0)

    def select_last(self) -> bool:
        count = self._model.rowCount()
        return count > 0 and self._move_to(count - 1)

    def select_next(self, step: int = 1, accept: Accept | None = None) -> bool:
        """Move ``step`` rows down (negative: up); with ``accept``, ``|step|`` accepted rows.

        From a conversation that left the list, +1 is the row that took its place and -1 the
        one above. With no conversation (or one the new filter does not list), +1 starts at
        the top and -1 at the bottom. Plain steps stop at the ends; False when there is
        nowhere to go.
        """
        count = self._model.rowCount()
        row, down = self.current_row(), step > 0
        if down and row == count - 1 and self._model.canFetchMore(QModelIndex()):
            self._model.fetchMore(QModelIndex())  # past the end: read the next page
        if step == 0 or count == 0:
            return False
        start = self._tracked.start(down, count)
        if accept is None:
            target = start + (step - 1 if down else step + 1)
            target = min(max(target, 0), count - 1)
            return target != row and self._move_to(target)
        remaining, r = abs(step), start
        while 0 <= r < count:
            if accept(self._model.conversation_at(r)):
                remaining -= 1
                if remaining == 0:
                    return self._move_to(r)
            r += 1 if down else -1
        return False

    def clear_current(self) -> None:
        """Leave every conversation (emits ``current_changed(None)`` if one was current)."""
        had = self._tracked.session_id is not None
        self._tracked.clear()
        self._sync()
        if had:
            self.current_changed.emit(None)

    def page_rows(self) -> int:
        """How many rows a page key moves: the rows in view, less one for context."""
        height = max(1, self.verticalHeader().defaultSectionSize())
        return max(1, self.viewport().height() // height - 1)

    def set_empty_text(self, text: str) -> None:
        """What the list says, centred, when it has no rows."""
        if text != self._empty_text:
            self._empty_text = text
            if self._model.rowCount() == 0:
                self.viewport().update()

    def empty_text(self) -> str:
        return self._empty_text

    def _move_to(self, row: int) -> bool:
        """The operator moves to ``row``: select it, show it, say so if it is another one."""
        index = self._model.index(row, 0)
        if not index.isValid():
            return False
        session_id = self._model.session_id_at(row)
        changed = session_id != self._tracked.session_id
        self._tracked.set(session_id, index)
        self._sync()
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        if changed:
            self.current_changed.emit(session_id)
        return True

    def _sync(self) -> None:
        """Make Qt's current index and selection mirror the tracked conversation."""
        selection = self.selectionModel()
        row = self._tracked.row()
        if row >= 0:
            index = self._model.index(row, 0)
            if selection.currentIndex() != index or not selection.isSelected(index):
                selection.setCurrentIndex(index, Flag.ClearAndSelect | Flag.Rows)
        elif selection.currentIndex().isValid() or selection.hasSelection():
            selection.clear()

    # ---- row signals -------------------------------------------------------------------------

    def _model_reset(self) -> None:
        row = self._tracked.row()  # TrackedCurrent heard the reset first
        self._sync()
        if row >= 0:  # a new filter: show where the open conversation is in it
            self.scrollTo(self._model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)

    # ---- helpers -----------------------------------------------------------------------------

    def _update_row_height(self) -> None:
        self.verticalHeader().setDefaultSectionSize(self.delegate.row_height(self.font()))

    def _activate_at(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.indexAt(event.position().toPoint())
            if index.isValid() and self._move_to(index.row()):
                current = self.current_session_id()
                if current is not None:
                    self.activated.emit(current)
        event.accept()

    def _keyboard_menu(self) -> None:
        row, current = self.current_row(), self.current_session_id()
        if row < 0 or current is None:
            return
        index = self._model.index(row, 0)
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        rect = self.visualRect(index)
        at = QPoint(rect.left() + rect.height(), rect.center().y())
        self.context_menu_requested.emit(current, self.viewport().mapToGlobal(at))

    def _paint_empty(self) -> None:
        painter = QPainter(self.viewport())
        pal = self.palette()
        painter.setPen(mix(pal.color(QPalette.ColorRole.Text),
                           pal.color(QPalette.ColorRole.Base), 0.45))
        area = self.viewport().rect().adjusted(EMPTY_MARGIN, EMPTY_MARGIN,
                                               -EMPTY_MARGIN, -EMPTY_MARGIN)
        # Plain text: the search text in it is the operator's own, but never markup.
        painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                         self._empty_text)
        painter.end()

    # ---- Qt overrides ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Key.Key_Up, Key.Key_Down):
            self.select_next(1 if key == Key.Key_Down else -1)
        elif key in (Key.Key_PageUp, Key.Key_PageDown):
            page = self.page_rows()
            self.select_next(page if key == Key.Key_PageDown else -page)
        elif key == Key.Key_Home:
            self.select_first()
        elif key == Key.Key_End:
            self.select_last()
        elif key in (Key.Key_Return, Key.Key_Enter):
            current = self.current_session_id()
            if self.current_row() >= 0 and current is not None:
                self.activated.emit(current)
        elif key == Key.Key_Menu or (
                key == Key.Key_F10
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self._keyboard_menu()
        elif key in (Key.Key_Left, Key.Key_Right):
            pass  # one column: nothing beside
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyboardSearch(self, search: str) -> None:
        # With no conversation to reply to, typed text goes to the text filter: jumping by
        # name would open (and mark read) whatever conversation a stray key lands on.
        self.search_typed.emit(search)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Only a left click moves; Qt's own handling would also select on any button. It
        # opens the row to reply, as Enter does.
        self._activate_at(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() == Qt.MouseButton.NoButton:
            super().mouseMoveEvent(event)  # hover
        else:
            event.accept()  # no drag-selecting

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._activate_at(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.indexAt(event.pos())
            if index.isValid():
                self.context_menu_requested.emit(self._model.session_id_at(index.row()),
                                                 event.globalPos())
        else:
            self._keyboard_menu()
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._sync()  # Qt makes the first row current on focus; the tracked one wins

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()  # opaque: what its styled background painted, under rows
        painter = QPainter(viewport)
        painter.fillRect(event.rect(), viewport.palette().brush(viewport.backgroundRole()))
        painter.end()
        super().paintEvent(event)
        if self._model.rowCount() == 0 and self._empty_text:
            self._paint_empty()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._update_row_height()
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.PaletteChange):
            self.delegate.forget_rows()  # none would be reused: free them now

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.time_refresh.start()
        self.viewport().update()  # times may have aged while hidden

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.time_refresh.stop()

"""The search pane: it takes the conversation list's place in the left column (left_column.py)
while the operator searches messages (Ctrl+Shift+F).

A search box over a status line ("12 found here · searching Crisp…") and the results, one
SearchRow each (ui/models/search_results.py, painted by ui/delegates/search_hit.py). The
pane searches nothing itself: ui/search_flow.py hears ``query_changed`` and gives it rows
and a status.

Keys in the box: Down/Up (PgDown/PgUp) move through the results while the typing goes on,
Enter opens the current one (``submitted``: the flow may first have to search the newest
text), Esc goes back to the conversation list (``close_requested``), Tab reaches the
results, where Enter opens, Esc goes back too and typing goes on in the box. The rows stay
until the query changes: going back and coming again shows them as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.search_rows import (
    EMPTY_QUERY_TEXT,
    RowKey,
    SearchRow,
    SearchStatus,
    empty_text,
    status_text,
)
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.delegates.search_hit import Labels, SearchHitDelegate
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.models.search_results import SearchResultsModel

PLACEHOLDER = "Search messages, names, emails…  \"phrase\""
Key = Qt.Key
_MOVES = {Key.Key_Down: 1, Key.Key_Up: -1}
_PAGES = {Key.Key_PageDown: 1, Key.Key_PageUp: -1}
_ENTER = (Key.Key_Return, Key.Key_Enter)


class _ResultsView(QListView):
    """The result list: Enter opens, Esc goes back, typed text goes to the box."""

    enter_pressed = Signal()
    escape_pressed = Signal()
    typed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                          | Qt.KeyboardModifier.ShiftModifier)
        if event.key() in _ENTER and plain:
            self.enter_pressed.emit()
        elif event.key() == Key.Key_Escape and plain:
            self.escape_pressed.emit()
        elif plain and event.text() and event.text().isprintable():
            self.typed.emit(event.text())
        else:
            super().keyPressEvent(event)


class SearchPane(QWidget):
    """Signals:
    query_changed(str): the box's text changed (as typed; the flow debounces).
    submitted(): Enter in the box.
    activated(object): a SearchRow chosen (Enter in the results, a click, a double click).
    close_requested(): Esc, or the back button: show the conversation list again.
    """

    query_changed = Signal(str)
    submitted = Signal()
    activated = Signal(object)
    close_requested = Signal()

    def __init__(self, *, clock: Clock = system_clock, tz: tzinfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SearchPane")
        self.back = QToolButton(self)
        self.back.setText("← Inbox")
        self.back.setAutoRaise(True)
        self.back.setAccessibleName("Back to the conversation list")
        self.back.setToolTip("Back to the conversation list (Esc)")
        self.back.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Esc does it from the keyboard
        self.box = QLineEdit(self)
        self.box.setObjectName("SearchBox")
        self.box.setPlaceholderText(PLACEHOLDER)
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName("Search messages")
        self.box.setAccessibleDescription(
            "Searches what is saved on this computer as you type, and Crisp after a pause. "
            "Down and Up move through the results, Enter opens one, Escape goes back to the "
            "conversation list")
        self.box.installEventFilter(self)
        self.status = QLabel(self)
        self.status.setObjectName("SearchStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # Crisp's words are peer text
        self.status.setWordWrap(True)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.status, 0.9)
        self.delegate = SearchHitDelegate(self, clock=clock, tz=tz)
        self.model = SearchResultsModel(self, describe=self._describe)
        self.view = _ResultsView(self)
        self.view.setObjectName("SearchResults")
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.model)
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(True)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setMouseTracking(True)
        self.view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.empty = QLabel(EMPTY_QUERY_TEXT, self)
        self.empty.setObjectName("SearchEmpty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the query
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setMargin(24)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        top = QHBoxLayout()
        top.setContentsMargins(4, 8, 8, 0)
        top.setSpacing(4)
        top.addWidget(self.back)
        top.addWidget(self.box, 1)
        self._stack = QStackedWidget(self)  # a widget: the focus chain stays box → results
        self._stack.addWidget(self.empty)
        self._stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        status_row = QHBoxLayout()
        status_row.setContentsMargins(10, 0, 8, 2)
        status_row.addWidget(self.status)
        layout.addLayout(status_row)
        layout.addWidget(self._stack, 1)
        self.setFocusProxy(self.box)

        self.back.clicked.connect(self.close_requested)
        self.box.textChanged.connect(self.query_changed)
        self.view.enter_pressed.connect(self._activate_current)
        self.view.escape_pressed.connect(self.close_requested)
        self.view.typed.connect(self._type_into_box)
        self.view.clicked.connect(self._activate_index)
        self.view.activated.connect(self._activate_index)  # double click (Enter is ours)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._restore_current)
        self.model.rowsInserted.connect(self._after_insert)
        self._kept: RowKey | None = None
        self.set_status(SearchStatus())

    # ---- the query ---------------------------------------------------------------------------

    def text(self) -> str:
        return self.box.text()

    def set_text(self, text: str) -> None:
        """Put ``text`` in the box (``query_changed`` follows when it differs)."""
        self.box.setText(text)

    def focus_box(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def has_focus_within(self) -> bool:
        focused = self.focusWidget()
        return focused is not None and self.isAncestorOf(focused) and focused.hasFocus()

    # ---- results -----------------------------------------------------------------------------

    def show_rows(self, rows: Sequence[SearchRow], *, same_query: bool) -> None:
        """A new query's rows (one reset), or a later answer to the shown query (rows in
        place, new ones after: search_rows.keep_places ordered them)."""
        if same_query:
            self.model.update(rows)
        else:
            self.model.replace(rows)
        self._show_list_or_empty()

    def set_status(self, status: SearchStatus) -> None:
        words = status_text(status)
        self.status.setText(words)
        self.status.setVisible(bool(words))
        self.status.setAccessibleName(words)
        self.empty.setText(empty_text(status))
        self._show_list_or_empty()

    def status_text(self) -> str:
        return self.status.text()

    def rows(self) -> list[SearchRow]:
        return self.model.rows()

    def current_row(self) -> SearchRow | None:
        return self.model.row_at(self.view.currentIndex().row())

    def select_row(self, row: int) -> bool:
        if not 0 <= row < self.model.rowCount():
            return False
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def step_current(self, step: int) -> bool:
        """Move the current result ``step`` rows (stops at the ends); False if it did not
        move."""
        count = self.model.rowCount()
        current = self.view.currentIndex().row()
        if not count:
            return False
        target = max(0, min(count - 1, (current if current >= 0 else -1) + step))
        if current < 0 and step < 0:
            target = 0
        return target != current and self.select_row(target)

    def set_website_labels(self, labels: Labels | None) -> None:
        self.delegate.set_website_labels(labels)
        self.view.viewport().update()

    # ---- internals ---------------------------------------------------------------------------

    def _describe(self, row: SearchRow) -> str:
        return row.describe(self.delegate.website(row.website_id), self.delegate.when(row))

    def _show_list_or_empty(self) -> None:
        has_rows = self.model.rowCount() > 0
        had_focus = self.view.hasFocus()
        self._stack.setCurrentWidget(self.view if has_rows else self.empty)
        if had_focus and not has_rows:
            self.box.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remember_current(self) -> None:
        row = self.current_row()
        self._kept = row.key if row is not None else None

    def _restore_current(self) -> None:
        row = self.model.row_of(self._kept) if self._kept is not None else -1
        self._kept = None
        self.select_row(max(row, 0))

    def _after_insert(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if not self.view.currentIndex().isValid():
            self.select_row(0)

    def _page(self) -> int:
        height = self.delegate.row_height(self.view.font())
        return max(1, self.view.viewport().height() // max(1, height) - 1)

    def _activate_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.activated.emit(row)

    def _activate_index(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.activated.emit(row)

    def _type_into_box(self, text: str) -> None:
        self.box.setFocus(Qt.FocusReason.OtherFocusReason)
        self.box.insert(text)

    def _box_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key in _MOVES:
            self.step_current(_MOVES[Key(key)])
        elif key in _PAGES:
            self.step_current(_PAGES[Key(key)] * self._page())
        elif key in _ENTER:
            self.submitted.emit()
        elif key == Key.Key_Escape:
            self.close_requested.emit()
        else:
            return False
        return True

    # ---- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) and self._box_key(event):
            return True
        return super().eventFilter(watched, event)

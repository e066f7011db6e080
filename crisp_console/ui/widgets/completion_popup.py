"""The composer's completion popup: canned responses (``!``), commands (``/``) and operators
(``@``), in a frameless list that floats over the window next to the cursor.

It never takes focus: the reply box keeps it and drives the popup (Up/Down move, Tab/Enter
accept, Esc closes), so typing goes on while the list filters. It is a child of the window
rather than a separate top-level window: no window-manager focus games, no stray window left
on screen when the console is hidden, and screenshots of the window include it. Like Slack's
and Element's, it opens above the line when there is no room below (the reply box sits at the
bottom of the window). A notice above the entries says why some are missing (the team's
canned responses when Crisp refused that website's settings).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.composer_text import Completion
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.models.items import ItemListModel
from crisp_console.ui.models.roles import ITEM_ROLE

MAX_VISIBLE_ROWS = 8
MIN_WIDTH = 300
MAX_WIDTH = 520
GAP = 4  # between the cursor line and the popup
_PAD = 8  # horizontal padding inside a row
_Index = QModelIndex | QPersistentModelIndex


def _entries(parent: QWidget) -> ItemListModel:
    def text(item: Completion) -> str:
        return f"{item.label} {item.detail}".strip()

    return ItemListModel({int(Qt.ItemDataRole.DisplayRole): text,
                          int(Qt.ItemDataRole.AccessibleTextRole): text,
                          # team settings: never markup
                          int(Qt.ItemDataRole.ToolTipRole): lambda i: tooltip_html(i.tooltip)
                          or None}, parent)


class _Delegate(QStyledItemDelegate):
    """The label in bold, then the detail dimmed and elided, on one line of fixed height."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, Completion):
            return
        painter.save()
        rect: QRect = option.rect
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text_rect = rect.adjusted(_PAD, 0, -_PAD, 0)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        fg = palette.color(QPalette.ColorRole.HighlightedText if selected
                           else QPalette.ColorRole.Text)
        painter.setPen(fg)
        bold_metrics = QFontMetrics(bold)
        label = bold_metrics.elidedText(item.label, Qt.TextElideMode.ElideRight,
                                        text_rect.width() * 2 // 3)
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(text_rect, align, label)
        left = bold_metrics.horizontalAdvance(label) + 12
        if item.detail and left < text_rect.width():
            painter.setFont(option.font)
            dim = fg if selected else palette.color(QPalette.ColorRole.PlaceholderText)
            painter.setPen(dim)
            detail_rect = text_rect.adjusted(left, 0, 0, 0)
            metrics = QFontMetrics(option.font)
            one_line = " ".join(item.detail.split())
            painter.drawText(detail_rect, align, metrics.elidedText(
                one_line, Qt.TextElideMode.ElideRight, detail_rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(MIN_WIDTH, metrics.height() + 10)


class CompletionPopup(QFrame):
    """Signals:
        activated(int): a row was clicked (the owner accepts it, as with Tab).
    """

    activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completionPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self._model = _entries(self)
        self.view = QListView(self)
        self.view.setModel(self._model)
        self.view.setItemDelegate(_Delegate(self.view))
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setUniformItemSizes(True)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setMouseTracking(True)
        self.view.clicked.connect(lambda index: self.activated.emit(index.row()))
        self.notice = QLabel(self)
        self.notice.setObjectName("completionNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)  # the words may quote the server
        self.notice.setWordWrap(True)
        self.notice.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notice.setContentsMargins(_PAD, 4, _PAD, 4)
        self.notice.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.notice)
        layout.addWidget(self.view)
        self.hide()

    def set_notice(self, text: str) -> None:
        """Words above the entries ("" none)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def set_items(self, items: Sequence[Completion]) -> None:
        """Replace the entries; the selection goes back to the first (the best match)."""
        self._model.set_items(items)
        self.view.setVisible(bool(items))
        if items:
            self.select(0)

    def items(self) -> list[Completion]:
        return self._model.items()

    def current_row(self) -> int:
        return self.view.currentIndex().row()

    def current(self) -> Completion | None:
        row = self.current_row()
        item = self._model.item_at(row)
        return item if isinstance(item, Completion) else None

    def select(self, row: int) -> None:
        if self._model.rowCount():
            index = self._model.index(max(0, min(row, self._model.rowCount() - 1)))
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def step(self, delta: int) -> None:
        """Move the selection, wrapping around at either end (one row at a time), or by a
        page without wrapping."""
        n = self._model.rowCount()
        if not n:
            return
        row = self.current_row()
        if abs(delta) == 1:
            self.select((row + delta) % n)
        else:
            self.select(row + delta)

    def place(self, anchor: QRect, bounds: QRect) -> None:
        """Size to the entries and put the popup below ``anchor`` (the cursor line, in the
        parent's coordinates), or above it when there is more room there."""
        row_height = max(1, self.view.sizeHintForRow(0))
        width = max(MIN_WIDTH, min(MAX_WIDTH, bounds.width() - 2 * GAP))
        frame = 2 * (self.frameWidth() + 1)
        if self.notice.text():
            frame += self.notice.heightForWidth(width - frame)
        rows = min(MAX_VISIBLE_ROWS, self._model.rowCount())
        height = rows * row_height + frame
        below = bounds.bottom() - anchor.bottom() - GAP
        above = anchor.top() - bounds.top() - GAP
        if height > below and above > below:
            height = min(height, above)
            y = anchor.top() - GAP - height
        else:
            height = min(height, max(below, row_height + frame))
            y = anchor.bottom() + GAP
        x = max(bounds.left() + GAP, min(anchor.left(), bounds.right() - GAP - width))
        self.setGeometry(x, y, width, height)

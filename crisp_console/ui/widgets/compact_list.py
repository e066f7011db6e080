"""A short list of plain-text items sized to its content (up to a few rows, then it scrolls),
for the people panel's pages browsed and past conversations.

Each item carries a key (a URL, a session id). Enter, or a click (``single_click``) or a
double-click, asks for the current item with ``item_requested(key)``; the context menu runs
the given actions on it. Item text is never interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.fonts import RelativeFonts

KEY = Qt.ItemDataRole.UserRole + 1
ACTIVATE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

Row = tuple[str, str, str]  # text (lines separated by "\n"), key, tooltip (rich-text safe)
PAD_X, PAD_Y, GAP = 6, 4, 1
Index = QModelIndex | QPersistentModelIndex


class TwoLineDelegate(QStyledItemDelegate):
    """Paints an item's first line in the view's font and the second one smaller and muted,
    each elided to the width."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        option.text = ""  # initStyleOption turned "\n" into U+2028: read the item's own text
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:  # background, selection and hover only: the text is ours
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                widget)
        first, _, second = text.partition("\n")
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active if option.state & QStyle.StateFlag.State_Active \
            else QPalette.ColorGroup.Inactive
        ink = option.palette.color(group, QPalette.ColorRole.HighlightedText if selected
                                   else QPalette.ColorRole.Text)
        rect = option.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        fm = QFontMetrics(option.font)
        small = pt.scaled_font(option.font, 0.88)
        sfm = QFontMetrics(small)
        painter.save()
        painter.setFont(option.font)
        painter.setPen(ink)
        line = QRect(rect.left(), rect.top(), rect.width(), fm.height())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(first, Qt.TextElideMode.ElideRight, rect.width()))
        if second:
            painter.setFont(small)
            painter.setPen(ink if selected else option.palette.color(
                group, QPalette.ColorRole.PlaceholderText))
            line = QRect(rect.left(), line.bottom() + 1 + GAP, rect.width(), sfm.height())
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             sfm.elidedText(second, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        height = QFontMetrics(option.font).height() + 2 * PAD_Y
        if "\n" in text:
            height += QFontMetrics(pt.scaled_font(option.font, 0.88)).height() + GAP
        return QSize(120, height)


class CompactList(QListWidget):
    """Signals:
    item_requested(key): the user activated an item.
    """

    item_requested = Signal(str)

    def __init__(self, name: str, *, single_click: bool = False, max_rows: int = 6,
                 actions: Sequence[tuple[str, Callable[[str], None]]] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._rows: list[Row] | None = None
        self.max_rows = max_rows
        RelativeFonts(self).on_change(lambda _font: self._fit())
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)  # tells two-line items apart without rules
        self.setItemDelegate(TwoLineDelegate(self))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        if single_click:
            self.itemClicked.connect(self._request)
        else:
            self.itemDoubleClicked.connect(self._request)
        for text, run in actions:
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, run=run: self._run(run))
            self.addAction(action)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the items (the current row is kept by key when it is still there)."""
        rows = list(rows)
        if rows == self._rows:
            return  # e.g. the minute tick changed no label: keep scroll and selection as is
        self._rows = rows
        current = self.current_key()
        self.clear()
        for text, key, tip in rows:
            item = QListWidgetItem(text)
            item.setData(KEY, key)
            item.setToolTip(tip)
            self.addItem(item)
            if key == current:
                self.setCurrentItem(item)
        self._fit()
        self.setVisible(bool(rows))

    def _fit(self) -> None:
        """As tall as the first ``max_rows`` rows (again after a font change)."""
        shown = sum(self.sizeHintForRow(row) for row in range(min(self.count(), self.max_rows)))
        self.setFixedHeight(shown + 2 * self.frameWidth() + 2)

    def keys(self) -> list[str]:
        return [str(self.item(row).data(KEY)) for row in range(self.count())]

    def current_key(self) -> str | None:
        item = self.currentItem()
        key = item.data(KEY) if item is not None else None
        return key if isinstance(key, str) else None

    def _request(self, item: QListWidgetItem | None) -> None:
        key = item.data(KEY) if item is not None else None
        if isinstance(key, str) and key:
            self.item_requested.emit(key)

    def _run(self, run: Callable[[str], None]) -> None:
        key = self.current_key()
        if key:
            run(key)

    # ---- Qt overrides ---------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in ACTIVATE_KEYS and plain:
            self._request(self.currentItem())
            return
        super().keyPressEvent(event)

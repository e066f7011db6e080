"""The conversation's custom data as an editable two-column table, plus a row to add a field.

Like the segment chips, it asks (``data_edited`` with the full new dict) and shows what the
store answers (``set_data``). A value keeps its type: unchanged text gives back the original
value, edited text keeps the original's type when it fits (data_values.parse_value), new
values read "true"/"false" as booleans and canonical numbers as numbers.

Keyboard: double-click, F2 or Enter edits a cell; Delete removes the current row; in the add
row, Enter in the name field moves to the value, Enter in the value adds the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.data_values import format_value, key_error, kind_of, parse_value
from crisp_console.present.people_info import Pending
from crisp_console.present.plain import one_line, tooltip_html
from crisp_console.ui.fonts import RelativeFonts

KEY, VALUE = 0, 1
MAX_VISIBLE_ROWS = 10  # beyond this the table scrolls
ORIGINAL = Qt.ItemDataRole.UserRole + 1  # on key cells: the field's name as the store has it
EDIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ERROR_COLOUR = "#d64545"  # reads on the light and the dark palette alike


class CustomDataEditor(QWidget):
    """Signals:
    data_edited(dict): the full new custom data the user asks for.
    """

    data_edited = Signal(object)  # a dict; object keeps its key order (not a QVariantMap)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: dict[str, Any] = {}
        self._deferred: dict[str, Any] | None = None  # store data that arrived mid-edit
        self._pending: Pending[dict[str, Any]] = Pending()
        self._loading = False

        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("customData")
        self.table.setAccessibleName("Custom data")
        self.table.setHorizontalHeaderLabels(["Field", "Value"])
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        RelativeFonts(self).on_change(self._sized)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.hide()  # the section title and the add row's placeholders say what is what
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemDelegate().closeEditor.connect(self._editor_closed)
        self.table.installEventFilter(self)

        self.empty = QLabel("No custom data", self)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("newKey")
        self.key_edit.setPlaceholderText("Field")
        self.key_edit.setAccessibleName("New field name")
        self.key_edit.setMaxLength(200)
        self.value_edit = QLineEdit(self)
        self.value_edit.setObjectName("newValue")
        self.value_edit.setPlaceholderText("Value")
        self.value_edit.setAccessibleName("New field value")
        self.add_button = QPushButton("Add", self)
        self.add_button.setAccessibleName("Add field")
        self.key_edit.returnPressed.connect(self.value_edit.setFocus)
        self.value_edit.returnPressed.connect(self._add_typed)
        self.add_button.clicked.connect(self._add_typed)
        self.error = QLabel(self)
        self.error.setObjectName("dataError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()

        add_row = QHBoxLayout()
        add_row.setSpacing(4)
        add_row.addWidget(self.key_edit, 2)
        add_row.addWidget(self.value_edit, 3)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addLayout(add_row)
        layout.addWidget(self.error)
        self._fill({})

    # ---- content --------------------------------------------------------------------------

    def set_data(self, data: Mapping[str, Any]) -> None:
        """Show the store's data; while a cell is being edited, once the editor closes."""
        new = dict(data)
        self._pending.seen(new)
        if self.table.state() == QAbstractItemView.State.EditingState:
            self._deferred = new
            return
        if new != self._shown:
            self._fill(new)

    def data(self) -> dict[str, Any]:
        return dict(self._shown)

    def reset(self) -> None:
        """Another conversation: forget edits in flight, typed text and errors."""
        self._pending.clear()
        self._deferred = None
        self.key_edit.clear()
        self.value_edit.clear()
        self._show_error(None)

    def add_field(self, key: str, text: str) -> bool:
        """Ask for a new field (False with an error shown if the name is not usable)."""
        key = key.strip()
        base = self._pending.base(self._shown)
        problem = key_error(key, base)
        self._show_error(problem)
        if problem:
            return False
        self._ask({**base, key: parse_value(text)})
        return True

    def remove_row(self, row: int) -> None:
        item = self.table.item(row, KEY)
        if item is None:
            return
        key = str(item.data(ORIGINAL))
        base = self._pending.base(self._shown)
        if key in base:
            self._ask({k: v for k, v in base.items() if k != key})

    # ---- internals ------------------------------------------------------------------------

    def _ask(self, data: dict[str, Any]) -> None:
        self._pending.sent(data)
        self.data_edited.emit(data)

    def _fill(self, data: dict[str, Any]) -> None:
        self._shown = data
        current = self.table.currentIndex()
        self._loading = True
        try:
            self.table.setRowCount(len(data))
            for row, (key, value) in enumerate(data.items()):
                key_item = QTableWidgetItem(one_line(key, 200))
                key_item.setData(ORIGINAL, key)
                key_item.setToolTip(tooltip_html(key))
                value_item = QTableWidgetItem(format_value(value))
                value_item.setToolTip(tooltip_html(f"{format_value(value)}\n({kind_of(value)})"))
                self.table.setItem(row, KEY, key_item)
                self.table.setItem(row, VALUE, value_item)
        finally:
            self._loading = False
        if current.isValid() and data:
            self.table.setCurrentCell(min(current.row(), len(data) - 1), current.column())
        self.table.setVisible(bool(data))
        self.empty.setVisible(not data)
        self._fit_height()

    def _sized(self, font: QFont) -> None:
        """Rows as tall as ``font`` needs (the panel's; again after a font change)."""
        self.table.verticalHeader().setDefaultSectionSize(QFontMetrics(font).height() + 10)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = min(self.table.rowCount(), MAX_VISIBLE_ROWS)
        height = (rows * self.table.verticalHeader().defaultSectionSize()
                  + 2 * self.table.frameWidth())
        self.table.setFixedHeight(height)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row = item.row()
        key_item = self.table.item(row, KEY)
        if key_item is None:
            return
        old_key = str(key_item.data(ORIGINAL))
        base = self._pending.base(self._shown)
        if old_key not in base:
            return
        if item.column() == KEY:
            new_key = item.text().strip()
            if new_key == one_line(old_key, 200):
                return  # untouched (or only its hidden whitespace shown differently)
            problem = key_error(new_key, base, old_key)
            self._show_error(problem)
            if problem:
                self._revert(item, one_line(old_key, 200))
                return
            self._ask({(new_key if k == old_key else k): v for k, v in base.items()})
        else:
            value = parse_value(item.text(), base[old_key])
            self._show_error(None)
            if value != base[old_key] or type(value) is not type(base[old_key]):
                self._ask({**base, old_key: value})

    def _revert(self, item: QTableWidgetItem, text: str) -> None:
        self._loading = True
        try:
            item.setText(text)
        finally:
            self._loading = False

    def _editor_closed(self) -> None:
        if self._deferred is not None:
            # After the view has left its editing state (it does so after this signal).
            QTimer.singleShot(0, self, self._apply_deferred)

    def _apply_deferred(self) -> None:
        data, self._deferred = self._deferred, None
        if data is not None:
            self.set_data(data)

    def _add_typed(self) -> None:
        if self.add_field(self.key_edit.text(), self.value_edit.text()):
            self.key_edit.clear()
            self.value_edit.clear()
            self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    # ---- Qt overrides ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and isinstance(event, QKeyEvent) \
                and self.table.state() != QAbstractItemView.State.EditingState:
            kind, key = event.type(), event.key()
            if kind == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Delete:
                event.accept()
                return True
            if kind == QEvent.Type.KeyPress:
                index = self.table.currentIndex()
                if key == Qt.Key.Key_Delete and index.isValid():
                    self.remove_row(index.row())
                    return True
                if key in EDIT_KEYS and index.isValid():
                    self.table.edit(index)
                    return True
        return super().eventFilter(watched, event)

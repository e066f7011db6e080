"""The "New saved view" dialog: a name, and either a segment (Crisp's ``search_type=segment``)
or a custom filter (``search_type=filter``: criteria of a field, an operator and a value,
combined with AND or OR).

Fields offered are those Crisp's filter names and the console's conversations carry
(segments, custom data keys seen); any field can be typed. The dialog checks the criteria as
Crisp's schema does before it closes, and says what is wrong in words.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.core.views import SavedKind, SavedView, check_criteria

FIELDS = ("segments", "nickname", "email", "state", "availability", "country", "city",
          "phone", "subject", "is_verified", "is_blocked")
OPERATORS = (("eq", "is"), ("neq", "is not"), ("has", "contains"),
             ("has_not", "does not contain"), ("gt", ">"), ("gte", "≥"), ("lt", "<"),
             ("lte", "≤"))
MAX_CRITERIA = 8


class SavedViewDialog(QDialog):
    """``view()`` after ``exec()`` accepted: the SavedView made."""

    def __init__(self, segments: list[str], data_keys: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New saved view")
        self._fields = [*FIELDS, *(f"data.{k}" for k in data_keys)]
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("What the tab says, e.g. VIP billing")
        self.segment_kind = QRadioButton("A segment", self)
        self.filter_kind = QRadioButton("A custom filter", self)
        self.segment_kind.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.segment_kind)
        kinds.addButton(self.filter_kind)
        self.segment = QComboBox(self)
        self.segment.setEditable(True)
        self.segment.addItems(segments)
        self.segment.setCurrentText("")
        line = self.segment.lineEdit()
        if line is not None:
            line.setPlaceholderText("Segment name")
        self.combine = QComboBox(self)
        self.combine.addItem("All criteria (AND)", "and")
        self.combine.addItem("Any criterion (OR)", "or")
        self._rows: list[tuple[QComboBox, QComboBox, QLineEdit]] = []
        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.add_row = QPushButton("Add a criterion", self)
        self.add_row.clicked.connect(self.add_criterion)
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: palette(bright-text); background: #b3261e; "
                                 "padding: 4px; border-radius: 3px;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Shows", self.segment_kind)
        form.addRow("", self.segment)
        form.addRow("", self.filter_kind)
        form.addRow("Match", self.combine)
        form.addRow("", self._grid_host)
        form.addRow("", self.add_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.add_criterion()
        self.segment_kind.toggled.connect(self._kind_changed)
        self._kind_changed()
        self._view: SavedView | None = None

    def view(self) -> SavedView | None:
        return self._view

    def add_criterion(self) -> None:
        if len(self._rows) >= MAX_CRITERIA:
            return
        field_box = QComboBox(self._grid_host)
        field_box.setEditable(True)
        field_box.addItems(self._fields)
        field_box.setAccessibleName(f"Field of criterion {len(self._rows) + 1}")
        operator = QComboBox(self._grid_host)
        for value, words in OPERATORS:
            operator.addItem(words, value)
        operator.setAccessibleName(f"Operator of criterion {len(self._rows) + 1}")
        value_edit = QLineEdit(self._grid_host)
        value_edit.setPlaceholderText("Value")
        value_edit.setAccessibleName(f"Value of criterion {len(self._rows) + 1}")
        row = len(self._rows)
        for column, widget in enumerate((field_box, operator, value_edit)):
            self._grid.addWidget(widget, row, column)
        self._rows.append((field_box, operator, value_edit))
        self._kind_changed()

    def criteria(self) -> list[dict[str, object]]:
        """The rows with a field, as Crisp's filter takes them (empty values dropped)."""
        out: list[dict[str, object]] = []
        for field_box, operator, value_edit in self._rows:
            name = field_box.currentText().strip()
            if not name:
                continue
            value = value_edit.text().strip()
            out.append({"criterion": name, "operator": operator.currentData(),
                        "query": [value] if value else [], "model": "session"})
        return out

    def _kind_changed(self) -> None:
        segment = self.segment_kind.isChecked()
        self.segment.setEnabled(segment)
        self.combine.setEnabled(not segment)
        self.add_row.setEnabled(not segment and len(self._rows) < MAX_CRITERIA)
        for widgets in self._rows:
            for widget in widgets:
                widget.setEnabled(not segment)

    def _check(self) -> None:
        name = self.name.text().strip()
        try:
            if self.segment_kind.isChecked():
                segment = self.segment.currentText().strip()
                if not segment:
                    raise ValueError("choose or type a segment")
                view = SavedView(name or segment, SavedKind.SEGMENT, segment)
            else:
                text = json.dumps(self.criteria(), ensure_ascii=False)
                check_criteria(text)
                view = SavedView(name or "Custom filter", SavedKind.FILTER, text,
                                 str(self.combine.currentData()))
            view = SavedView.from_json(view.to_json())
        except ValueError as exc:
            self.error.setText(f"The view cannot be saved: {exc}.")
            self.error.show()
            return
        self._view = view
        self.accept()

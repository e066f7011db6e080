"""The team's canned responses as a table, edited row by row, saved in one go.

The table lists the responses (shortcut, title, locale, the text's first line); the form under
it edits the current row, the text in a multi-line box (replies have paragraphs). A row that
breaks canned.schema.json, or repeats a shortcut, is marked and says why; Save stays off until
every row is valid. Save awaits the ``save`` callback (Update Subscription Settings, through
TeamSettings) and closes on success; a refusal is shown and the dialog stays open.

Keyboard: Ctrl+N or Insert adds a row and puts the cursor in its shortcut; Enter or F2 on a row
edits it; Enter in a form field moves to the next; Delete in the table removes the current
row; Ctrl+S saves; Esc closes without saving. Opened with open(), never exec().

``unavailable``: Crisp refused the website's settings; the words stand above an empty,
disabled table and nothing can be saved (it would overwrite responses never read).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crisp_console.client.tasks import TaskOwner
from crisp_console.client.team_settings import CannedItem, item_problems, load_validator
from crisp_console.present.canned import CannedResponse
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.failure_words import describe
from crisp_console.ui.widgets.tables import row_table
from crisp_console.ui.widgets.unavailable_note import UnavailableNote

log = logging.getLogger(__name__)

SHORTCUT, TITLE, LOCALE, TEXT = range(4)
FIELDS = ("shortcut", "title", "locale", "text")
ERROR_COLOUR = "#d64545"  # reads on the light and the dark palette alike
EDIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)

SaveCallback = Callable[[list[CannedResponse]], Awaitable[object]]


class CannedEditorDialog(QDialog):
    """Edits a copy of ``items``; ``save(list)`` is awaited on Save. ``result()`` is Accepted
    once saved."""

    def __init__(self, items: Sequence[CannedResponse], save: SaveCallback,
                 parent: QWidget | None = None, *, tasks: TaskOwner,
                 title: str = "Team canned responses", unavailable: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self._tasks = tasks
        self._validator = load_validator()
        self._rows: list[CannedItem] = [_item(r) for r in items]
        self._problems: list[dict[str, str]] = []
        self._task: asyncio.Task[Any] | None = None
        self._filling = False  # the form is being filled from a row: not an edit
        self._locked = bool(unavailable)

        self.table = row_table(self, ["Shortcut", "Title", "Locale", "Text"],
                               name="Canned responses")
        self.table.setObjectName("cannedTable")
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in (SHORTCUT, TITLE, LOCALE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._fill_form(row))
        self.table.installEventFilter(self)

        self.shortcut_edit = QLineEdit(self)
        self.shortcut_edit.setPlaceholderText("hello")
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("What the popup shows beside the shortcut")
        self.locale_edit = QLineEdit(self)
        self.locale_edit.setPlaceholderText("en, fr, pt-BR… (optional)")
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("The reply inserted in the composer")
        self._edits = {"shortcut": self.shortcut_edit, "title": self.title_edit,
                       "locale": self.locale_edit}
        for field, edit in self._edits.items():
            edit.textEdited.connect(lambda _t, f=field: self._form_edited(f))
        self.text_edit.textChanged.connect(lambda: self._form_edited("text"))
        self.shortcut_edit.returnPressed.connect(self.title_edit.setFocus)
        self.title_edit.returnPressed.connect(self.locale_edit.setFocus)
        self.locale_edit.returnPressed.connect(self.text_edit.setFocus)
        self.row_error = QLabel(self)
        self.row_error.setTextFormat(Qt.TextFormat.PlainText)  # may quote the settings
        self.row_error.setObjectName("cannedRowError")
        self.row_error.setWordWrap(True)
        self.row_error.setStyleSheet(f"color: {ERROR_COLOUR}")
        form = QFormLayout()
        form.addRow("&Shortcut", self.shortcut_edit)
        form.addRow("T&itle", self.title_edit)
        form.addRow("&Locale", self.locale_edit)
        form.addRow("Te&xt", self.text_edit)

        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # may quote the server
        self.status.setObjectName("cannedStatus")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.add_button = QPushButton("&Add", self)
        self.delete_button = QPushButton("&Delete", self)
        self.save_button = buttons.addButton(QDialogButtonBox.StandardButton.Save)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        for button in (self.add_button, self.delete_button, self.save_button, cancel):
            button.setAutoDefault(False)  # Enter belongs to the table and the form
        self.add_button.clicked.connect(self.add_row)
        self.delete_button.clicked.connect(self.delete_row)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        for keys, slot in ((QKeySequence.StandardKey.New, self.add_row),
                           (QKeySequence(Qt.Key.Key_Insert), self.add_row),
                           (QKeySequence.StandardKey.Save, self.save)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.unavailable = UnavailableNote("Team canned responses unavailable", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.unavailable)
        layout.addWidget(self.table, 3)
        layout.addLayout(form, 2)
        layout.addWidget(self.row_error)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(720, 560)
        self._reload_table()
        if self._rows:
            self.table.setCurrentCell(0, SHORTCUT)
        self._fill_form(self.table.currentRow())
        if self._locked:
            self._lock(unavailable)

    # ---- public ----------------------------------------------------------------------------

    def items(self) -> list[CannedResponse]:
        """The rows as they are now (valid or not)."""
        return [CannedResponse(r["shortcut"], r["title"], r["text"], r.get("locale") or None)
                for r in self._rows]

    def problems(self) -> list[dict[str, str]]:
        """Per row, field -> what is wrong ({} for a valid row)."""
        return [dict(p) for p in self._problems]

    def add_row(self) -> None:
        if self._locked:
            return
        self._rows.append(CannedItem(shortcut="", title="", text=""))
        self._reload_table()
        self.table.setCurrentCell(len(self._rows) - 1, SHORTCUT)
        self.shortcut_edit.setFocus()

    def delete_row(self) -> None:
        row = self.table.currentRow()
        if self._locked or not 0 <= row < len(self._rows):
            return
        del self._rows[row]
        self._reload_table()
        if self._rows:
            self.table.setCurrentCell(min(row, len(self._rows) - 1), SHORTCUT)
        self._fill_form(self.table.currentRow())
        self.table.setFocus()

    def save(self) -> None:
        """Await the save callback; on success close, on failure say why and stay."""
        if not self.save_button.isEnabled():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            log.warning("no event loop: canned responses not saved")
            return
        task = self._tasks.spawn(self._run_save(self.items()), "save canned responses")
        if task is None:
            return  # the console is closing
        self._task = task
        self.save_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("Saving…")

    # ---- internals -------------------------------------------------------------------------

    def _lock(self, words: str) -> None:
        self.unavailable.say(words)
        for widget in (self.table, self.add_button, self.delete_button):
            widget.setEnabled(False)
        self.status.setText("Nothing can be edited or saved for this website.")
        self.unavailable.setFocus()

    async def _run_save(self, items: list[CannedResponse]) -> None:
        try:
            await self._save(items)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any refusal is shown, the edits are kept
            log.warning("canned responses not saved: %s", exc)
            self._task = None
            self._update_validity()
            self.status.setStyleSheet(f"color: {ERROR_COLOUR}")
            self.status.setText(f"Not saved: {describe(exc)}")
            return
        self._task = None
        self.status.setText("Saved.")
        self.accept()

    def _reload_table(self) -> None:
        self._problems = item_problems(self._rows, self._validator)
        self.table.setRowCount(len(self._rows))
        for row in range(len(self._rows)):
            self._show_row(row)
        self._update_validity()

    def _show_row(self, row: int) -> None:
        item, problems = self._rows[row], self._problems[row]
        values = (item["shortcut"], item["title"], item.get("locale", ""),
                  item["text"].split("\n", 1)[0])
        for column, value in enumerate(values):
            cell = self.table.item(row, column)
            if cell is None:
                cell = QTableWidgetItem()
                self.table.setItem(row, column, cell)
            cell.setText(value if column != SHORTCUT else f"!{value}")
            wrong = problems.get(FIELDS[column])
            # The shortcut cell names everything wrong with the row; the others their own.
            cell.setToolTip(tooltip_html("; ".join(f"{f}: {why}" for f, why in problems.items())
                                         if column == SHORTCUT else wrong or ""))
            cell.setForeground(QBrush(QColor(ERROR_COLOUR)) if wrong or (
                column == SHORTCUT and problems) else QBrush())

    def _fill_form(self, row: int) -> None:
        valid = 0 <= row < len(self._rows) and not self._locked
        for edit in (*self._edits.values(), self.text_edit):
            edit.setEnabled(valid)
        self.delete_button.setEnabled(valid)
        self._filling = True
        try:
            item = self._rows[row] if valid else CannedItem(shortcut="", title="", text="")
            for field, edit in self._edits.items():
                edit.setText(str(item.get(field, "")))
            self.text_edit.setPlainText(item["text"])
        finally:
            self._filling = False
        self._show_row_error(row)

    def _form_edited(self, field: str) -> None:
        row = self.table.currentRow()
        if self._filling or not 0 <= row < len(self._rows):
            return
        item = self._rows[row]
        if field == "text":
            item["text"] = self.text_edit.toPlainText()
        elif field == "locale":
            locale = self.locale_edit.text().strip()
            if locale:
                item["locale"] = locale
            else:
                item.pop("locale", None)
        else:
            item[field] = self._edits[field].text().strip()  # type: ignore[literal-required]
        self._problems = item_problems(self._rows, self._validator)
        for each in range(len(self._rows)):  # a duplicate elsewhere may have appeared or gone
            self._show_row(each)
        self._show_row_error(row)
        self._update_validity()

    def _show_row_error(self, row: int) -> None:
        problems = self._problems[row] if 0 <= row < len(self._problems) else {}
        self.row_error.setText("\n".join(f"{field.capitalize()}: {why}"
                                         for field, why in problems.items()))
        for field, edit in self._edits.items():
            edit.setStyleSheet(f"border: 1px solid {ERROR_COLOUR}" if field in problems else "")

    def _update_validity(self) -> None:
        bad = sum(1 for p in self._problems if p)
        self.save_button.setEnabled(bad == 0 and self._task is None and not self._locked)
        if bad:
            self.status.setStyleSheet(f"color: {ERROR_COLOUR}")
            self.status.setText(f"{bad} row{'s' if bad > 1 else ''} to fix before saving.")
        elif self._task is None:
            self.status.setStyleSheet("")
            self.status.setText(f"{len(self._rows)} canned responses.")

    # ---- Qt overrides ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress):
            key = event.key()
            if key == Qt.Key.Key_Delete:
                self.delete_row()
                return True
            if key in EDIT_KEYS and self.table.currentRow() >= 0:
                self.shortcut_edit.setFocus()
                self.shortcut_edit.selectAll()
                return True
        return super().eventFilter(watched, event)


def _item(response: CannedResponse) -> CannedItem:
    item = CannedItem(shortcut=response.shortcut, title=response.title, text=response.text)
    if response.locale:
        item["locale"] = response.locale
    return item

"""Preferences → Local data: how this account's data is kept on this computer, how big it
is, the cache's size cap, and "Clear local data…".

The storage mode is said in words (encrypted at rest; not encrypted, and why; memory only,
and what that means), with the database's notices (a file moved aside, a fallback) under
it. The cap is a preference (``cache_cap_mb``, saved with the dialog's Save). Clearing is
immediate once confirmed: the confirmation (open(), never exec()) says that unsent replies
and actions are kept; the clearing runs as a task (``spawn``) and the section says how it
went.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.content import human_size
from crisp_console.settings import CACHE_CAP_MB
from crisp_console.ui.failure_words import describe
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.widgets.unavailable_note import UnavailableNote

log = logging.getLogger(__name__)

# StorageMode values (storage/database.py) -> (in a few words, what it means).
MODE_WORDS = {
    "encrypted": ("Encrypted at rest",
                  "Saved on this computer in an encrypted database (SQLCipher); its key is "
                  "kept in the system keyring beside the sign-in key."),
    "plain": ("Not encrypted",
              "SQLCipher is not available on this platform, so the database is a plain "
              "SQLite file, readable only by your user account (file mode 0600)."),
    "memory": ("Memory only",
               "No system keyring works here, so nothing is written to disk: the saved "
               "conversations and anything not sent yet are gone after quitting."),
}
CAP_HELP = ("When saved conversations take more than this, the oldest are removed first, "
            "at the next start. Unsent replies and actions are never removed.")
CONFIRM_TITLE = "Clear local data?"
CONFIRM_TEXT = "Clear the conversations, messages and profiles saved on this computer?"
CONFIRM_DETAIL = ("The console loads them from Crisp again as you open them. Unsent replies "
                  "and actions are kept, and still go out.")

Spawn = Callable[[Coroutine[Any, Any, None], str], object]  # TaskOwner.spawn(coro, name)


class LocalData(Protocol):
    """This account's local database, as Preferences shows it.

    ``mode``: the StorageMode's value ("encrypted", "plain" or "memory"); ``notices``: what the
    operator must be told about it, in words; ``size_bytes()``: its size now (read when the
    dialog opens: cheap); ``clear()``: delete the cached conversations, messages and profiles,
    keeping the outbox (unsent items) and the sync-independent settings; raises to say why
    not."""

    @property
    def mode(self) -> str: ...

    @property
    def notices(self) -> Sequence[str]: ...

    def size_bytes(self) -> int: ...

    async def clear(self) -> None: ...


def _stacked(*widgets: QWidget) -> QWidget:
    """Widgets one under the other, tight: one form row (a wrapped label's row in a
    QFormLayout gets uneven gaps)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    for widget in widgets:
        column.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft
                         if widget.sizePolicy().horizontalPolicy() is QSizePolicy.Policy.Fixed
                         else Qt.AlignmentFlag(0))
    return box


class LocalDataSection(QWidget):
    def __init__(self, data: LocalData, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("localData")
        self._data, self._spawn = data, spawn
        self.confirm: QMessageBox | None = None
        self._clear_button: QAbstractButton | None = None
        self.mode_label = QLabel(self)
        self.mode_label.setTextFormat(Qt.TextFormat.PlainText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.mode_label, bold=True)
        self.mode_detail = QLabel(self)
        self.mode_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.mode_detail.setWordWrap(True)
        self.notices_note = UnavailableNote("Local data notices", self)
        self.size_label = QLabel(self)
        self.size_label.setTextFormat(Qt.TextFormat.PlainText)
        self.size_label.setAccessibleName("Database size")
        self.cap = QSpinBox(self)
        self.cap.setRange(*CACHE_CAP_MB)
        self.cap.setSingleStep(50)
        self.cap.setSuffix(" MB")
        self.cap.setAccessibleName("Cache size cap")
        self.cap.setToolTip(CAP_HELP)
        cap_help = QLabel(CAP_HELP, self)
        cap_help.setTextFormat(Qt.TextFormat.PlainText)
        cap_help.setWordWrap(True)
        self.clear_button = QPushButton("C&lear local data…", self)
        self.clear_button.setToolTip("Delete the saved conversations; unsent items are kept")
        self.clear_button.clicked.connect(self.ask_clear)
        self.outcome = QLabel(self)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Clearing")
        self.outcome.hide()
        for fixed in (self.cap, self.clear_button):  # their own width, not the column's
            fixed.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        form = QFormLayout(self)
        form.addRow("Storage", _stacked(self.mode_label, self.mode_detail))
        form.addRow(self.notices_note)
        form.addRow("Size", self.size_label)
        form.addRow("Cache size &cap", _stacked(self.cap, cap_help))
        form.addRow("", _stacked(self.clear_button, self.outcome))
        self.refresh()

    def refresh(self) -> None:
        """Mode, notices and size as they are now (the dialog calls it when it opens)."""
        data = self._data
        title, detail = MODE_WORDS.get(data.mode, (data.mode or "Unknown", ""))
        self.mode_label.setText(title)
        self.mode_detail.setText(detail)
        self.mode_label.setAccessibleDescription(detail)
        self.notices_note.say("\n".join(data.notices))
        self.size_label.setText(self._size_words())

    def _size_words(self) -> str:
        try:
            size = human_size(self._data.size_bytes()) or "unknown"
        except OSError as exc:
            log.warning("the database's size could not be read: %s", exc)
            return "unknown"
        return f"{size} in memory" if self._data.mode == "memory" else f"{size} on disk"

    def set_cap(self, mb: int) -> None:
        self.cap.setValue(mb)

    def cap_mb(self) -> int:
        return self.cap.value()

    # ---- clearing ------------------------------------------------------------------------------

    def ask_clear(self) -> None:
        """The confirmation; Cancel is the default (and Esc)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(CONFIRM_TITLE)
        box.setText(CONFIRM_TEXT)
        box.setInformativeText(CONFIRM_DETAIL)
        box.setTextFormat(Qt.TextFormat.PlainText)
        clear = box.addButton("&Clear local data", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.buttonClicked.connect(self._answered)
        self.confirm, self._clear_button = box, clear
        box.open()

    def _answered(self, button: QAbstractButton) -> None:
        if button is not self._clear_button:
            return
        self.clear_button.setEnabled(False)
        self._say("Clearing…")
        self._spawn(self._clear(), "clear local data")

    async def _clear(self) -> None:
        try:
            await self._data.clear()
        except Exception as exc:  # said in words, whatever it is
            log.warning("clearing the local data failed", exc_info=exc)
            self._say(f"Not cleared: {describe(exc)}")
        else:
            self._say("Cleared. Unsent replies and actions were kept.")
        finally:
            self.clear_button.setEnabled(True)
            self.refresh()

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()

"""The contact's notepad: plain text, saved when typing pauses, on focus-out and on Ctrl+Enter.

Saving is a request (``save_requested(text)``); "Saved" shows only once the store has that
text (``show_stored``), and "Not saved yet" if it never arrives. Edits the user has not saved
are never replaced by what the store says; the same text is never asked for twice in a row.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.timers import single_shot

IDLE_MS = 2000  # a pause in typing this long saves
CONFIRM_MS = 15_000  # no echo from the store by then: say it is not saved
SAVE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SAVING, SAVED, UNSAVED = "Saving…", "Saved", "Unsaved changes"
NOT_SAVED = "Not saved yet. Press Ctrl+Enter to try again."


class NotepadEditor(QWidget):
    """Signals:
    save_requested(text): the notepad's text to save.
    """

    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, idle_ms: int = IDLE_MS,
                 confirm_ms: int = CONFIRM_MS) -> None:
        super().__init__(parent)
        self._base = ""  # the store's text as last loaded
        self._sent: str | None = None  # asked for, not seen in the store yet
        self._loading = False
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("notepad")
        self.editor.setAccessibleName("Notepad")
        self.editor.setTabChangesFocus(True)
        fonts = RelativeFonts(self)
        fonts.on_change(self._sized)
        self._sized(self.font())
        self.editor.textChanged.connect(self._typed)
        self.editor.installEventFilter(self)
        self.status = QLabel(self)
        self.status.setObjectName("notepadStatus")
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._idle = single_shot(self, idle_ms, self.save)
        self._confirm = single_shot(self, confirm_ms, self._unconfirmed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.status)

    def _sized(self, font: QFont) -> None:
        """Five lines of ``font`` (the panel's; again after a font change)."""
        self.editor.setFixedHeight(QFontMetrics(font).lineSpacing() * 5 + 14)

    def clear(self) -> None:
        """Another contact: forget the text and what was asked for."""
        self._idle.stop()
        self._confirm.stop()
        self._base, self._sent = "", None
        self._set_text("")
        self.status.setText("")

    def show_stored(self, text: str | None, placeholder: str = "") -> None:
        """The store's notepad (None: no contact to keep notes on, the editor is disabled)."""
        self.editor.setEnabled(text is not None)
        self.editor.setPlaceholderText(placeholder)
        if text is None:
            return
        if self._sent is not None and text == self._sent:
            self._sent = None
            self._confirm.stop()
            self.status.setText(SAVED)
        if self.editor.toPlainText() == self._base:  # nothing unsaved: follow the store
            self._set_text(text)
        self._base = text

    def text(self) -> str:
        return self.editor.toPlainText()

    def dirty(self) -> bool:
        return self.editor.isEnabled() and self.text() not in (self._base, self._sent)

    def save(self) -> None:
        """Ask to save the text if it is not what the store has or what was just asked for."""
        self._idle.stop()
        text = self.text()
        if not self.editor.isEnabled() or text == self._sent:
            return
        if text == self._base and self._sent is None:
            return
        self._sent = text
        self.status.setText(SAVING)
        self._confirm.start()
        self.save_requested.emit(text)

    def _set_text(self, text: str) -> None:
        if self.editor.toPlainText() != text:
            self._loading = True
            try:
                self.editor.setPlainText(text)
            finally:
                self._loading = False

    def _typed(self) -> None:
        if not self._loading and self.editor.isEnabled():
            self.status.setText(UNSAVED)
            self._idle.start()

    def _unconfirmed(self) -> None:
        self._sent = None
        self.status.setText(NOT_SAVED)

    # ---- Qt overrides ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor:
            kind = event.type()
            if isinstance(event, QKeyEvent) and event.key() in SAVE_KEYS \
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                    and kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
                event.accept()  # Ctrl+Enter saves here, whatever the window binds it to
                if kind == QEvent.Type.KeyPress:
                    self.save()
                return True
            if kind == QEvent.Type.FocusOut and isinstance(event, QFocusEvent) \
                    and event.reason() != Qt.FocusReason.PopupFocusReason:
                self.save()
        return super().eventFilter(watched, event)

"""The reply box's text field: plain text only, keys that follow the registry, an input method
respected, the window's shortcuts kept working while typing, and the completion popup.

It turns keys into intents (send, new line, edit my last message, cancel) and leaves their
meaning to the composer. What it guarantees itself:
- Enter never acts while an input method is composing (console-ux.md (b) rule 3);
- Enter and Tab never send while the popup is open: they accept the selected entry;
- chords of window commands (Ctrl+K, Ctrl+U, Alt+Up/Down…) are not claimed through
  ShortcutOverride, so the window's QActions fire even where a text widget would take them
  (Ctrl+K and Ctrl+U are line deletions on X11, Alt+Up/Down move by paragraph on macOS),
  except Undo (Ctrl+Z) while there is typing to undo that came after the last conversation
  action (``action_undo_first``, ui/undo.py);
- pasted or dropped content is never rich text: files and images go to the composer as
  attachments, everything else is inserted as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QMimeData, QRect, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QImage,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from crisp_console.present.composer_text import (
    Completion,
    Trigger,
    active_trigger,
    from_utf16,
    to_utf16,
)
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.widgets.completion_popup import MAX_VISIBLE_ROWS, CompletionPopup

Key = Qt.Key
CompletionSource = Callable[[Trigger], Sequence[Completion]]
_RETURN_KEYS = (Key.Key_Return.value, Key.Key_Enter.value)
_FIRST_SPECIAL_KEY = 0x01000000  # below: Unicode characters, which type text
_TYPING_MODIFIERS = (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier).value
# Contexts whose QActions are live while the reply box has focus (the lead attaches the
# "composer" actions to this widget).
_WINDOW_CONTEXTS = ("global", "composer")


def local_files(source: QMimeData) -> list[str]:
    """Paths of the local files in pasted or dropped data."""
    if not source.hasUrls():
        return []
    return [url.toLocalFile() for url in source.urls() if url.isLocalFile()]


def _is_shift_only(mods: Qt.KeyboardModifier) -> bool:
    return (mods & ~Qt.KeyboardModifier.KeypadModifier) == Qt.KeyboardModifier.ShiftModifier


class ReplyEdit(QPlainTextEdit):
    """Signals:
        submit_requested: the send chord (Enter when send_on_enter, Ctrl+Enter always).
        edit_last_requested: the edit-last key (Up) in an empty box.
        cancel_requested: Esc with no popup to close.
        edited: the text changed by the operator's hand (not by set_plain()).
        completion_accepted(Completion, bool): an entry was accepted, True when with Enter;
            the trigger word is already replaced.
        files_pasted(list[str]): local files pasted or dropped.
        image_pasted(QImage): an image pasted or dropped.

    Attributes:
        send_on_enter: Enter sends; when False it adds a line (Ctrl+Enter still sends).
        popup: the completion popup (a child of the window while shown).
        action_undo_first: whether Ctrl+Z undoes a conversation action rather than typing.
    """

    submit_requested = Signal()
    edit_last_requested = Signal()
    cancel_requested = Signal()
    edited = Signal()
    completion_accepted = Signal(object, bool)
    files_pasted = Signal(list)
    image_pasted = Signal(QImage)

    def __init__(self, registry: CommandRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._registry = registry
        self.send_on_enter = True
        self.action_undo_first: Callable[[], bool] = lambda: False
        self._preedit = ""
        self._silent = 0
        self._source: CompletionSource | None = None
        self._trigger: Trigger | None = None
        self._dismissed: tuple[str, int] | None = None  # (kind, start) closed with Esc
        self._notices: dict[str, str] = {}  # trigger kind -> why some entries are missing
        self.popup = CompletionPopup(self)
        self.popup.activated.connect(lambda row: self._accept(row, via_enter=False))
        self.destroyed.connect(self.popup.deleteLater)
        self.setTabChangesFocus(True)  # Tab leaves the box (F6 cycles panes); no tab chars
        self.setObjectName("replyEdit")
        self.textChanged.connect(self._text_changed)
        self.cursorPositionChanged.connect(lambda: self._refresh(may_open=False))

    # -- state --

    def composing(self) -> bool:
        """An input method has uncommitted (preedit) text."""
        layout = self.textCursor().block().layout()
        return bool(self._preedit) or bool(layout is not None and layout.preeditAreaText())

    def popup_open(self) -> bool:
        return self.popup.isVisible()

    def set_completion_source(self, source: CompletionSource | None) -> None:
        """Where entries come from: called with the trigger under the cursor; an empty result
        keeps the popup closed."""
        self._source = source
        self.close_popup()

    def set_notice(self, kind: str, text: str) -> None:
        """Words the popup shows above ``kind``'s entries ("" none). With nothing but the
        trigger typed, the popup opens for them even without entries."""
        if self._notices.get(kind, "") != text:
            self._notices[kind] = text
            self.refresh_completions()

    def set_plain(self, text: str) -> None:
        """Replace the text as the program (not an edit: no ``edited``, no popup), cursor at
        the end."""
        self._silent += 1
        try:
            self.setPlainText(text)
            self.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._silent -= 1
        self._dismissed = None
        self.close_popup()

    def close_popup(self) -> None:
        self.popup.hide()
        self._trigger = None

    def refresh_completions(self) -> None:
        """Re-ask the source for an open popup (its entries or the mode changed); it closes
        when nothing matches any more."""
        self._refresh(may_open=False)

    # -- popup --

    def _text_changed(self) -> None:
        if self._silent:
            return
        self.edited.emit()
        self._refresh(may_open=True)

    def _current_trigger(self) -> Trigger | None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        text = self.toPlainText()
        return active_trigger(text, from_utf16(text, cursor.position()))

    def _refresh(self, *, may_open: bool) -> None:
        if self._silent or not (may_open or self.popup.isVisible()):
            return
        trigger = self._current_trigger()
        if trigger is None or self._dismissed not in (None, (trigger.kind, trigger.start)):
            self._dismissed = None  # Esc closes the popup for one trigger, not for good
        if (trigger is None or self._source is None
                or self._dismissed == (trigger.kind, trigger.start)):
            self.close_popup()
            return
        items = list(self._source(trigger))
        notice = self._notices.get(trigger.kind, "")
        if not items and not (notice and not trigger.query):
            self.close_popup()
            return
        self._trigger = trigger
        self._show_popup(trigger, items, notice)

    def _show_popup(self, trigger: Trigger, items: Sequence[Completion],
                    notice: str = "") -> None:
        host = self.window()
        if self.popup.parentWidget() is not host:
            self.popup.setParent(host)
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_utf16(self.toPlainText(), trigger.start))
        line = self.cursorRect(cursor)
        anchor = QRect(self.viewport().mapTo(host, line.topLeft()), line.size())
        self.popup.set_items(items)
        self.popup.set_notice(notice)
        self.popup.place(anchor, host.rect())
        self.popup.show()
        self.popup.raise_()

    def _accept(self, row: int | None, *, via_enter: bool) -> None:
        trigger = self._trigger
        items = self.popup.items()
        row = self.popup.current_row() if row is None else row
        if trigger is None or not 0 <= row < len(items):
            self.close_popup()
            return
        completion = items[row]
        text = self.toPlainText()
        cursor = self.textCursor()
        cursor.setPosition(to_utf16(text, trigger.start))
        cursor.setPosition(to_utf16(text, trigger.end), QTextCursor.MoveMode.KeepAnchor)
        self.close_popup()
        self._dismissed = (trigger.kind, trigger.start)  # do not reopen on what was accepted
        cursor.insertText(completion.replacement)
        self.setTextCursor(cursor)
        self.completion_accepted.emit(completion, via_enter)

    def _dismiss(self) -> None:
        if self._trigger is not None:
            self._dismissed = (self._trigger.kind, self._trigger.start)
        self.close_popup()

    def _popup_key(self, event: QKeyEvent) -> bool:
        key, mods = int(event.key()), event.modifiers()
        plain = not mods & ~Qt.KeyboardModifier.KeypadModifier
        if key == Key.Key_Up.value and plain:
            self.popup.step(-1)
        elif key == Key.Key_Down.value and plain:
            self.popup.step(1)
        elif key == Key.Key_PageUp.value and plain:
            self.popup.step(-(MAX_VISIBLE_ROWS - 1))
        elif key == Key.Key_PageDown.value and plain:
            self.popup.step(MAX_VISIBLE_ROWS - 1)
        elif key in _RETURN_KEYS and not _is_shift_only(mods):  # Shift+Enter: a new line
            self._accept(None, via_enter=True)
        elif key == Key.Key_Escape.value:
            self._dismiss()
        else:
            return False
        return True

    # -- keys --

    def _window_shortcut(self, event: QKeyEvent) -> bool:
        """The chord is bound to a command whose QAction is live here (not widget-handled)."""
        key = int(event.key())
        if key < _FIRST_SPECIAL_KEY and not event.modifiers().value & ~_TYPING_MODIFIERS:
            return False  # a character being typed is never a window shortcut here
        registry = self._registry
        return any(
            registry.matches(command.id, event) for command in registry.all()
            if command.context in _WINDOW_CONTEXTS and not command.widget_handled
        )

    def _text_undo(self, event: QKeyEvent) -> bool:
        """Undo is the box's own while it has typing to undo, unless a conversation action
        came after that typing."""
        return (event.matches(QKeySequence.StandardKey.Undo)
                and self.document().isUndoAvailable() and not self.action_undo_first())

    def _bare(self, event: QKeyEvent) -> bool:
        return not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier

    def _insert_newline(self) -> None:
        self.textCursor().insertText("\n")
        self.ensureCursorVisible()

    # -- mime --

    def _pasted_image(self, source: QMimeData) -> QImage | None:
        """The clipboard's image, unless it also carries real text: office apps put a picture
        of a copied table beside its text, and the text is what the operator wants."""
        if not source.hasImage():
            return None
        text = source.text().strip() if source.hasText() else ""
        if text and not (text.count("\n") == 0 and "://" in text):
            return None
        image = source.imageData()
        if isinstance(image, QPixmap):
            image = image.toImage()
        return image if isinstance(image, QImage) and not image.isNull() else None

    # -- Qt overrides --

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self.popup.isVisible() and self._popup_key_pending(event):
                event.accept()  # the popup's keys are ours while it is open
                return True
            if (not self.composing() and self._window_shortcut(event)
                    and not self._text_undo(event)):
                event.ignore()  # let the window's QAction have it
                return True
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and self.popup.isVisible() and not self.composing()
                and int(event.key()) in (Key.Key_Tab.value, Key.Key_Backtab.value)):
            if int(event.key()) == Key.Key_Tab.value and self._bare(event):
                self._accept(None, via_enter=False)
            else:
                self.popup.step(-1)
            return True
        return super().event(event)

    def _popup_key_pending(self, event: QKeyEvent) -> bool:
        key = int(event.key())
        if key in _RETURN_KEYS:
            return True  # no Enter chord sends (nor sends and resolves) while the popup is open
        return key in (
            Key.Key_Escape.value, Key.Key_Up.value, Key.Key_Down.value, Key.Key_PageUp.value,
            Key.Key_PageDown.value, Key.Key_Tab.value, Key.Key_Backtab.value,
        ) and self._bare(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.composing():
            if int(event.key()) in _RETURN_KEYS:
                event.accept()  # the input method's Enter: never a send, never a new line
                return
            super().keyPressEvent(event)
            return
        if self.popup.isVisible() and self._popup_key(event):
            event.accept()
            return
        registry = self._registry
        if registry.matches("composer.cancel", event):
            self.cancel_requested.emit()
        elif registry.matches("composer.newline", event):
            self._insert_newline()
        elif registry.matches("composer.send", event):
            if self._bare(event) and not self.send_on_enter:
                self._insert_newline()
            else:
                self.submit_requested.emit()
        elif registry.matches("composer.edit_last", event) and not self.toPlainText():
            self.edit_last_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._preedit = event.preeditString()
        super().inputMethodEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return (bool(local_files(source)) or source.hasImage()
                or super().canInsertFromMimeData(source))

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = local_files(source)
        if files:
            self.files_pasted.emit(files)
            return
        image = self._pasted_image(source)
        if image is not None:
            self.image_pasted.emit(image)
            return
        if source.hasText():
            self.textCursor().insertText(source.text())
            self.ensureCursorVisible()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.close_popup()
        super().focusOutEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.popup.isVisible():
            self._refresh(may_open=False)

"""The row under the reply box: "Attach…", a notice (why Enter did nothing: an unknown
command, no message of mine to edit, a refused mode switch), and the send button, whose
label says what Enter does (Send, Add note, Save)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from crisp_console.ui.widgets.attachment_bar import error_colour
from crisp_console.ui.widgets.layouts import row

SEND, ADD_NOTE, SAVE = "Send", "Add note", "Save"


class ComposerFooter(QWidget):
    """Signals:
        attach_clicked: "Attach…" clicked.
        send_clicked: the send button clicked.

    Attributes:
        notice: the notice (plain text; empty, and so invisible, unless there is one).
    """

    attach_clicked = Signal()
    send_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = QLabel(self)
        self.notice.setObjectName("composerNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.attach_button = QPushButton("Attach…", self)
        self.attach_button.setToolTip("Attach files (Ctrl+O); you can also paste or drop them")
        self.attach_button.clicked.connect(self.attach_clicked)
        self.send_button = QPushButton(SEND, self)
        self.send_button.clicked.connect(self.send_clicked)
        for button in (self.attach_button, self.send_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves focus in the box
        row(self, self.attach_button, (self.notice, 1), self.send_button)
        self._restyle()
        self._fit_send_button()

    def say(self, text: str) -> None:
        self.notice.setText(text)

    def clear_notice(self) -> None:
        if self.notice.text():
            self.notice.clear()

    def set_state(self, *, note: bool, editing: bool, can_send: bool) -> None:
        self.send_button.setText(SAVE if editing else ADD_NOTE if note else SEND)
        self.set_can_send(can_send)

    def set_can_send(self, can_send: bool) -> None:
        self.send_button.setEnabled(can_send)

    def _fit_send_button(self) -> None:
        """As wide as its widest label, so a mode switch does not move the notice's edge."""
        button, shown = self.send_button, self.send_button.text()
        widths = []
        for label in (SEND, ADD_NOTE, SAVE):
            button.setText(label)
            widths.append(button.sizeHint().width())
        button.setText(shown)
        button.setMinimumWidth(max(widths))

    def _restyle(self) -> None:
        sheet = f"color: {error_colour(self.palette()).name()};"
        if self.notice.styleSheet() != sheet:
            self.notice.setStyleSheet(sheet)

    # ---- Qt overrides ----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_send_button()

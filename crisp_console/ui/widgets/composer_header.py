"""The strip above the reply box: Reply / Private note switch, the note-mode warning chip, the
send-key hint, and the "Editing message" banner.

Note mode must be impossible to miss (a reply typed as a note never reaches the visitor, a
note typed as a reply leaks): the chip and the tinted text field (see Composer) both say it.
Colours are mixed from the current palette, so they follow the light or dark scheme; the
``mode`` property of the composer lets the app's QSS restyle them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.ui.widgets.elided_label import ElidedLabel

NOTE_LABEL = "Private note — only operators see it"
EDIT_BANNER = "Editing message — Esc to cancel"
NOTE_TINT = QColor("#ffc83d")


def mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def note_background(palette: QPalette) -> QColor:
    """The text field's background in note mode: the palette's Base, tinted yellow."""
    base = palette.color(QPalette.ColorRole.Base)
    return mix(base, NOTE_TINT, 0.16 if is_dark(palette) else 0.2)


def tint_editor(editor: QWidget, palette: QPalette, *, note: bool) -> None:
    """Note mode tints the text field (a style sheet: with the app's QSS active, a widget
    palette's Base is not used); the ``mode`` property is there for the QSS too."""
    colour = note_background(palette).name()
    sheet = f"QPlainTextEdit {{ background-color: {colour}; }}" if note else ""
    if editor.styleSheet() != sheet:  # setting a sheet re-polishes: only when it changes
        editor.setStyleSheet(sheet)
    mode = "note" if note else "reply"
    for widget in (editor.parentWidget(), editor):
        if widget is not None and widget.property("mode") != mode:
            widget.setProperty("mode", mode)
            widget.style().unpolish(widget)
            widget.style().polish(widget)


def send_hint(send_keys: Sequence[str], *, send_on_enter: bool, editing: bool) -> str:
    """"Enter to send · Shift+Enter for a new line", from the bindings of composer.send."""
    if editing:
        return "Enter to save · Esc to cancel"
    bare = [k for k in send_keys if "+" not in k]
    chorded = [k for k in send_keys if "+" in k]
    send = bare if send_on_enter and bare else chorded
    if not send:
        return ""
    native = QKeySequence(send[0]).toString(QKeySequence.SequenceFormat.NativeText)
    newline = "Shift+Enter" if send_on_enter else "Enter"
    return f"{native.replace('Return', 'Enter')} to send · {newline} for a new line"


def placeholder(*, bound: bool, editing: bool, note: bool) -> str:
    if not bound:
        return "Open a conversation to reply"
    if editing:
        return "The edited message"
    if note:
        return "Write a private note…   @ mentions a teammate"
    return "Reply…   ! canned responses · / commands"


class ComposerHeader(QWidget):
    """Signals:
        mode_clicked(str): the operator clicked "reply" or "note".
    """

    mode_clicked = Signal(str)

    def __init__(self, toggle_keys: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reply_button = self._mode_button("Reply", "reply", toggle_keys)
        self.note_button = self._mode_button("Private note", "note", toggle_keys)
        group = QButtonGroup(self)
        group.addButton(self.reply_button)
        group.addButton(self.note_button)
        # Elided, and its room kept in reply mode too: showing it must not widen the middle
        # pane (the side panes would shrink) nor make the row taller (the reply box would).
        self.note_label = ElidedLabel(NOTE_LABEL, self, min_chars=12)
        self.note_label.setObjectName("noteLabel")
        policy = self.note_label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.note_label.setSizePolicy(policy)
        self.hint = ElidedLabel("", self)  # elided: at a big font it must not widen the window
        self.hint.setObjectName("composerHint")
        self.edit_banner = self._label(EDIT_BANNER, "editBanner")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.reply_button, self.note_button, self.note_label):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.edit_banner)
        self._note = False
        self.set_state(note=False, editing=False, hint="")

    def set_state(self, *, note: bool, editing: bool, hint: str) -> None:
        self._note = note
        self.reply_button.setChecked(not note)
        self.note_button.setChecked(note)
        self.note_label.setVisible(note)
        self.edit_banner.setVisible(editing)
        self.hint.setText(hint)
        self._restyle()

    def _restyle(self) -> None:
        pal = self.palette()
        dark = is_dark(pal)
        window = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.WindowText).name()
        chip = mix(window, NOTE_TINT, 0.4 if dark else 0.55)
        banner = mix(window, pal.color(QPalette.ColorRole.Highlight), 0.22)
        self.note_label.setStyleSheet(
            f"background: {chip.name()}; color: {text}; border-radius: 4px; padding: 1px 8px;")
        self.edit_banner.setStyleSheet(
            f"background: {banner.name()}; color: {text}; border-radius: 4px; padding: 3px 8px;")
        dim = pal.color(QPalette.ColorRole.PlaceholderText).name()
        self.hint.setStyleSheet(f"color: {dim};")

    def _mode_button(self, text: str, mode: str, keys: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves focus in the box
        button.setToolTip("Switch between reply and private note"
                          + (f" ({keys})" if keys else ""))
        button.clicked.connect(lambda: self.mode_clicked.emit(mode))
        return button

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()
        super().changeEvent(event)

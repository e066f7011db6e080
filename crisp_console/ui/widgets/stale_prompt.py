"""The stale-reply prompt, inline above the reply box: what arrived since the operator started
the reply, and three choices, one key each.

    (!) 2 new messages since you started this reply              Ana is typing…
      Grace Hopper · 14:02    Actually, never mind, I found the tracking number.
      Leo Ortega · 14:02      I've refunded the order already.
      [Send anyway  S]  [Edit  E]  [Discard  D]          Enter sends anyway · Esc edits

Inline rather than a dialog: the thread stays in view above it, the text being sent stays
in view below it, and nothing else of the window is blocked. It takes the focus while it
asks (keyboard only: S or Enter, E or Esc, D; an auto-repeated Enter, the one that raised
it still held down, is ignored); its buttons take no focus, so no key can land on the wrong
one. Every text is plain: messages and names are visitor or operator input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from crisp_console.present.plain import no_mnemonic
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.widgets.layouts import column, row

SEND, EDIT, DISCARD = "send", "edit", "discard"
AMBER = QColor("#d98a00")
_KEYS: dict[int, str] = {
    Qt.Key.Key_S.value: SEND, Qt.Key.Key_Return.value: SEND, Qt.Key.Key_Enter.value: SEND,
    Qt.Key.Key_E.value: EDIT, Qt.Key.Key_Escape.value: EDIT, Qt.Key.Key_D.value: DISCARD,
}
_RETURNS = (Qt.Key.Key_Return.value, Qt.Key.Key_Enter.value)


def choice_of(event: QKeyEvent) -> str | None:
    """The choice a key makes: S, E, D and Esc alone; Enter alone or with Ctrl (the send
    chord when Ctrl+Enter sends). Anything else (Ctrl+E, Shift+Enter…) is not the prompt's."""
    choice = _KEYS.get(event.key())
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if choice is None or mods == Qt.KeyboardModifier.NoModifier:
        return choice
    if event.key() in _RETURNS and mods == Qt.KeyboardModifier.ControlModifier:
        return choice
    return None


class PromptLine(NamedTuple):
    """One arrived message as the prompt lists it: who (and when), and its text."""

    sender: str
    time: str
    text: str


def _plain(*, bold: bool = False, muted: bool = False, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    if bold:  # the weight only: the size follows the prompt's, whatever it becomes
        font = QFont()
        font.setBold(True)
        label.setFont(font)
    if muted:
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(wrap)
    return label


class StalePrompt(QWidget):
    """Signals:
        chosen(str): SEND, EDIT or DISCARD (a key or a button); the prompt hides itself.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stalePrompt")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Sent since you started this reply")
        self.title = _plain(bold=True)
        icon = _plain()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.context = _plain(muted=True)
        self.context.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.earlier = _plain(muted=True)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(14, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(3)
        self._grid.setColumnStretch(1, 1)
        self._lines: list[QLabel] = []
        self.buttons = {choice: self._button(label, choice) for choice, label in (
            (SEND, "Send anyway   S"), (EDIT, "Edit   E"), (DISCARD, "Discard   D"))}
        hint = _plain(muted=True)
        hint.setText("Enter sends anyway · Esc goes back to the reply")
        column(self, row(None, icon, (self.title, 1), self.context, spacing=8), self.earlier,
               self._grid,
               row(None, *self.buttons.values(), (QWidget(), 1), hint, spacing=8),
               margins=(12, 8, 10, 8), spacing=6)
        self.hide()

    def _button(self, label: str, choice: str) -> QPushButton:
        button = QPushButton(no_mnemonic(label))
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys are the prompt's
        button.clicked.connect(lambda: self.choose(choice))
        return button

    # ---- asking --------------------------------------------------------------------------

    def ask(self, title: str, lines: Sequence[PromptLine], earlier: int,
            context: str = "") -> None:
        """Show what arrived (``earlier``: how many older ones are left out) and take the
        focus; ``context``: who is typing now ("" for nobody)."""
        self.show_lines(title, lines, earlier, context)
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_lines(self, title: str, lines: Sequence[PromptLine], earlier: int,
                   context: str = "") -> None:
        """Fill the prompt (while it asks, the list follows what keeps arriving)."""
        self.title.setText(title)
        self.set_context(context)
        self.earlier.setText(f"…and {earlier} earlier" if earlier > 0 else "")
        self.earlier.setVisible(earlier > 0)
        for label in self._lines:
            self._grid.removeWidget(label)
            label.deleteLater()
        self._lines = []
        for n, line in enumerate(lines):
            who = _plain(bold=True)
            who.setText(f"{line.sender} · {line.time}" if line.time else line.sender)
            who.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            text = _plain(wrap=True)
            text.setText(line.text)
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self._grid.addWidget(who, n, 0)
            self._grid.addWidget(text, n, 1)
            self._lines += [who, text]
        self.setAccessibleDescription(". ".join(
            [title, context, *(f"{ln.sender}: {ln.text}" for ln in lines)]))

    def set_context(self, context: str) -> None:
        self.context.setText(context)
        self.context.setVisible(bool(context))

    def lines(self) -> list[tuple[str, str]]:
        """(sender line, text) of each message listed, for tests and screen readers."""
        labels = self._lines
        return [(labels[i].text(), labels[i + 1].text()) for i in range(0, len(labels), 2)]

    def choose(self, choice: str) -> None:
        if self.isVisible():
            self.hide()
            self.chosen.emit(choice)

    # ---- Qt overrides ------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Claim the prompt's keys before any window shortcut (a single-key command, Esc).
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and choice_of(event) is not None:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        choice = choice_of(event)
        if choice is None or event.isAutoRepeat():
            super().keyPressEvent(event)
            return
        event.accept()
        self.choose(choice)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        base = self.palette().color(QPalette.ColorRole.Window)
        rect = QRect(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(AMBER)
        painter.setBrush(pt.mix(base, AMBER, 0.14))
        painter.drawRoundedRect(rect, 6, 6)
        painter.fillRect(QRect(rect.left(), rect.top() + 3, 4, rect.height() - 6), AMBER)
        painter.end()

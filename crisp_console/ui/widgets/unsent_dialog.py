"""The question asked when the operator quits with replies and actions not sent yet.

Two states, one dialog (opened with open(), never exec(): no nested event loop):

- **asking**: "N replies and actions are not sent yet.", the first few of them, and three
  choices: **Wait** (the default), **Quit now** (they are sent at the next start; or, where
  nothing outlives the process, "Quit now and lose them", saying so) and **Review…**; Esc
  (or closing the dialog) returns to the console;
- **waiting**: "Sending… N left" with a progress bar, **Quit now** still offered, and
  **Cancel** (Esc too) returning to the console.

The dialog only says and asks: ``ui/quit_guard.py`` decides what each choice does.
Everything is plain text (the lines quote the operator's own replies).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QWidget,
)

from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.widgets.layouts import column, row

TITLE = "Quit crisp-console?"
SHOWN_LINES = 5  # the rest is "…and N more" (Review lists them all)
WAITING = ("The console quits by itself once they are all sent. Cancel (Esc) goes back to "
           "the console; they are still sent.")
EXPLAIN = ("Wait: the console quits by itself once they are all sent.\n"
           "Quit now: they are kept, and sent at the next start.\n"
           "Review: see them in the console.")
# Memory-only storage (no keyring): nothing outlives the process, and the dialog says so.
EXPLAIN_LOST = ("Wait: the console quits by itself once they are all sent.\n"
                "Quit now: they are lost. Nothing is kept after quitting on this computer "
                "(no system keyring: memory only).\n"
                "Review: see them in the console.")
QUIT_KEPT, QUIT_LOST = "Quit &now", "Quit &now and lose them"


def not_sent_words(count: int) -> str:
    if count == 1:
        return "1 reply or action is not sent yet."
    return f"{count:,} replies and actions are not sent yet."


def left_words(count: int) -> str:
    return f"Sending… {count:,} left" if count > 0 else "Sending… almost done"


class UnsentDialog(QDialog):
    """Signals (what the operator chose):
    wait_chosen: Wait.
    quit_chosen: Quit now.
    review_chosen: Review….
    cancelled: Esc, Cancel or the title bar's close: back to the console.
    """

    wait_chosen = Signal()
    quit_chosen = Signal()
    review_chosen = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unsentDialog")
        self.setWindowTitle(TITLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.waiting = False
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxQuestion).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.heading = QLabel(self)
        self.heading.setObjectName("unsentHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.heading, bold=True)
        self.lines = QLabel(self)
        self.lines.setObjectName("unsentLines")
        self.lines.setTextFormat(Qt.TextFormat.PlainText)
        self.lines.setWordWrap(True)
        self.lines.setAccessibleName("Not sent yet")
        self.explain = QLabel(EXPLAIN, self)
        self.explain.setTextFormat(Qt.TextFormat.PlainText)
        self.explain.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Sent so far")
        self.progress.setTextVisible(False)
        self.problem = QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.hide()

        self.wait_button = QPushButton("&Wait", self)
        self.quit_button = QPushButton(QUIT_KEPT, self)
        self.review_button = QPushButton("&Review…", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.wait_button.setToolTip("Quit by itself once everything is sent")
        self.review_button.setToolTip("Close this and show what is not sent yet")
        self.cancel_button.setToolTip("Stop waiting and go back to the console (Esc)")
        self.wait_button.clicked.connect(self.wait_chosen)
        self.quit_button.clicked.connect(self.quit_chosen)
        self.review_button.clicked.connect(self.review_chosen)
        self.cancel_button.clicked.connect(self.reject)

        text = column(None, self.heading, self.lines, self.explain, self.progress, self.problem,
                      1)
        buttons = row(None, self.review_button, 1, self.quit_button, self.cancel_button,
                      self.wait_button)
        column(self, row(None, icon, (text, 1)), buttons, margins=None)
        self.setMinimumWidth(460)
        self.ask(0, [])

    # ---- states ----------------------------------------------------------------------------

    def ask(self, count: int, lines: Sequence[str], problem: str = "", *,
            kept: bool = True) -> None:
        """The question: ``count`` not sent, the first ``lines``; ``problem``: why waiting
        stopped, if it did; ``kept``: whether quitting keeps them for the next start."""
        self.waiting = False
        self.explain.setText(EXPLAIN if kept else EXPLAIN_LOST)
        self.quit_button.setText(QUIT_KEPT if kept else QUIT_LOST)
        self.quit_button.setToolTip("They are kept, and sent at the next start" if kept
                                    else "They are lost: nothing is kept after quitting")
        self.set_count(count)
        shown = [f"• {line}" for line in lines[:SHOWN_LINES]]
        if len(lines) > SHOWN_LINES:
            shown.append(f"…and {len(lines) - SHOWN_LINES:,} more")
        self.lines.setText("\n".join(shown))
        self.lines.setVisible(bool(shown))
        self.explain.show()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self._show_state()

    def wait(self, count: int) -> None:
        """Waiting for ``count`` items to be sent."""
        self.waiting = True
        self.progress.setRange(0, max(count, 1))
        self.progress.setValue(0)
        self.set_count(count)
        self.lines.hide()
        self.explain.setText(WAITING)
        self.problem.hide()
        self._show_state()

    def _show_state(self) -> None:
        """Asking: Wait (the default, focused) and Review; waiting: the progress and Cancel
        (focused)."""
        waiting = self.waiting
        self.progress.setVisible(waiting)
        self.wait_button.setVisible(not waiting)
        self.review_button.setVisible(not waiting)
        self.cancel_button.setVisible(waiting)
        self.wait_button.setDefault(not waiting)
        (self.cancel_button if waiting else self.wait_button).setFocus()
        self.adjustSize()

    def set_count(self, count: int) -> None:
        """How many are still not sent (refreshed while the dialog is up)."""
        if self.waiting:
            self.heading.setText(left_words(count))
            top = max(self.progress.maximum(), count)
            self.progress.setRange(0, top)
            self.progress.setValue(top - count)
        else:
            self.heading.setText(not_sent_words(count))
        self.heading.setAccessibleName(self.heading.text())

    # ---- Qt overrides ----------------------------------------------------------------------

    def finish(self) -> None:
        """Close without a choice (the guard decided: quitting)."""
        self.accept()

    def reject(self) -> None:  # Esc, Cancel, the title bar's close
        super().reject()
        self.cancelled.emit()

"""The row under the conversation list that says how its paging stands: "Loading more
conversations…" while a page is out, why the last page failed (with Retry), and nothing
once everything is loaded or nothing more is asked for.

It sits under the view, styled like a list row, rather than inside the model: the list's rows
are conversations only, so selection, keyboard steps and the model's checks never meet it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

LOADING_TEXT = "Loading more conversations…"
STYLE = """
QWidget#listFooter { background: palette(base); border-top: 1px solid palette(midlight); }
QLabel#listFooterText { color: palette(placeholder-text); padding: 6px 10px; }
"""


class ListFooter(QWidget):
    """``show_state(loading, problem)``; ``retry_requested`` when Retry is pressed."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listFooter")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.label = QLabel(self)
        self.label.setObjectName("listFooterText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.retry = QPushButton("Retry", self)
        self.retry.setToolTip("Ask Crisp for the next page again")
        self.retry.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget() or self) else ""

    def show_state(self, loading: bool, problem: str) -> None:
        """A page is out (``loading``), or the last one failed (``problem``, in words)."""
        if loading:
            text = LOADING_TEXT
        elif problem:
            text = f"More conversations could not be loaded: {problem}"
        else:
            text = ""
        if text != self.label.text():
            self.label.setText(text)
            self.setAccessibleName(text)
        self.retry.setVisible(bool(problem) and not loading)
        self.setVisible(bool(text))

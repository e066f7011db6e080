"""The status bar's "Signed in as …": one line, elided to at most ``MAX_WIDTH``, every fact
in the tooltip (ui/account_info.py keeps it current)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from crisp_console.present.plain import tooltip_html

MAX_WIDTH = 260  # px: the connection state and the quota come first


class SignedInLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signedIn")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Signed in as")
        self._full = ""

    def set_facts(self, text: str, tip: str) -> None:
        """``text`` elided to fit, ``tip`` (plain text) in full on hover."""
        self._full = text
        self.setToolTip(tooltip_html(tip))
        self.setAccessibleDescription(tip)
        self._elide()

    def full_text(self) -> str:
        """The line before eliding."""
        return self._full

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                                   MAX_WIDTH))

    # ---- Qt overrides ----------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the font size preference: fit again
            self._elide()

"""Help → About: what is running (version, Qt, PySide6, Python), where its log is, its licence.

Everything is local and plain text: no link is loaded, nothing is fetched. The details are one
selectable block that "Copy details" puts on the clipboard, ready for a bug report.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console import __version__
from crisp_console.log import default_log_dir, log_file
from crisp_console.ui.fonts import RelativeFonts

APP_TITLE = "Crisp Console"
LICENCE = "Released under the MIT licence. Crisp is a trademark of Crisp IM SAS; this console " \
    "is an independent client of its public API."


def current_log_folder() -> Path:
    """The folder the rotating log is written to (or will be, before logging started)."""
    current = log_file()
    return current.parent if current is not None else default_log_dir()


def about_details(log_folder: Path) -> str:
    """The copyable block: one ``name: value`` per line."""
    return "\n".join((
        f"crisp-console {__version__}",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Platform: {platform.platform()}",
        f"Frozen bundle: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"Log folder: {log_folder}",
    ))


class AboutDialog(QDialog):
    """Name and version in a heading, the details block, the licence line; Copy and Close."""

    def __init__(self, parent: QWidget | None = None, *, log_folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_TITLE}")
        self.log_folder = log_folder if log_folder is not None else current_log_folder()
        self.heading = QLabel(f"{APP_TITLE} {__version__}", self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.heading, 1.3, bold=True)
        summary = QLabel("A keyboard-first desktop operator console for Crisp.", self)
        summary.setTextFormat(Qt.TextFormat.PlainText)

        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlainText(about_details(self.log_folder))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._fonts.on_change(self._sized)
        self._sized(self.font())

        self.licence = QLabel(LICENCE, self)
        self.licence.setTextFormat(Qt.TextFormat.PlainText)
        self.licence.setWordWrap(True)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("&Copy details", self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(summary)
        layout.addWidget(self.details)
        layout.addWidget(self.licence)
        layout.addWidget(buttons)
        self.close_button.setFocus()

    def _sized(self, font: QFont) -> None:
        """The details box shows every line of ``font`` (again after a size change)."""
        fm = QFontMetrics(font)
        lines = self.details.document().blockCount() + 1
        self.details.setFixedHeight(fm.lineSpacing() * lines + 12)
        self.details.setMinimumWidth(fm.averageCharWidth() * 64)

    def text(self) -> str:
        return self.details.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("&Copied")

"""The first console window: connection state, the conversation list, and the live event feed.

A deliberately small window until the three-pane console lands (issue 4); it shows what the
console is connected to and what arrives, honestly, and nothing it cannot back up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

MAX_FEED_LINES = 2000


class MainWindow(QMainWindow):
    """Signals:
    close_requested: the user asked to quit; the app runs its async teardown, then exits.
    """

    close_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("crisp-console")
        self.resize(1100, 700)
        self._status = QLabel("Starting…")
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._conversations = QListWidget()
        self._conversations.setUniformItemSizes(True)
        self._feed = QPlainTextEdit()
        self._feed.setReadOnly(True)
        self._feed.setMaximumBlockCount(MAX_FEED_LINES)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self._feed.setFont(mono)
        splitter = QSplitter()
        splitter.addWidget(self._conversations)
        splitter.addWidget(self._feed)
        splitter.setSizes([450, 650])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self._status)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def set_status(self, text: str) -> None:
        self._status.setText(text)

    def status(self) -> str:
        return self._status.text()

    def set_conversations(self, rows: list[str]) -> None:
        self._conversations.clear()
        # addItems takes plain strings: message content is never interpreted as markup.
        self._conversations.addItems(rows)

    def conversation_count(self) -> int:
        return self._conversations.count()

    def add_event(self, line: str) -> None:
        self._feed.appendPlainText(line)

    def event_count(self) -> int:
        return self._feed.blockCount() if self._feed.toPlainText() else 0

    def closeEvent(self, event: QCloseEvent) -> None:
        # Quitting needs async teardown first (sockets, HTTP); app.py closes us afterwards.
        event.ignore()
        self.close_requested.emit()

"""The window's left column: the conversation list, or the search pane in its place.

The two share the column (a QStackedWidget): Ctrl+Shift+F shows the search, Esc there
shows the list again. Each keeps its own state while hidden: the list its filter and
current conversation, the search its query and results (Chatwoot #5910: results lost on
click-away).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget


class LeftColumn(QStackedWidget):
    """Signals:
    search_shown(bool): the search pane was shown (True) or the list again (False).
    """

    search_shown = Signal(bool)

    def __init__(self, list_pane: QWidget, search_pane: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeftColumn")
        self.list_pane, self.search_pane = list_pane, search_pane
        self.addWidget(list_pane)
        self.addWidget(search_pane)
        self.setCurrentWidget(list_pane)

    def showing_search(self) -> bool:
        return self.currentWidget() is self.search_pane

    def show_search(self) -> None:
        if not self.showing_search():
            self.setCurrentWidget(self.search_pane)
            self.search_shown.emit(True)

    def show_list(self) -> None:
        if self.showing_search():
            self.setCurrentWidget(self.list_pane)
            self.search_shown.emit(False)

"""The thread's find bar (Ctrl+F): a query box, the count ("3 of 12"), buttons to the older and
newer match, "Search older" when nothing matches in the loaded messages, and a close button.

The bar holds no find state: it says what the operator typed and pressed, and shows what the
pane's finder tells it (thread_find.py). Keys in the box: Enter goes to the next (older)
match, Shift+Enter to the previous (newer) one, Esc closes the bar; F3 and Shift+F3 are
commands of the registry, so they work wherever the focus is (and can be rebound).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

PLACEHOLDER = "Find in this conversation"
SEARCH_OLDER = "Search older"
SEARCHING_OLDER = "Searching older messages…"
Key = Qt.Key


class FindBar(QWidget):
    """Signals:
        query_changed(str): the text in the box changed (as typed).
        next_requested(): Enter, or the older-match button: the next older match.
        previous_requested(): Shift+Enter, or the newer-match button.
        search_older_requested(): "Search older" was clicked.
        closed(): Esc in the box, or the close button; the bar is hidden already.
    """

    query_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    search_older_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.setAccessibleName("Find in this conversation")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName(PLACEHOLDER)
        self.edit.setAccessibleDescription(
            "Enter goes to the next older match, Shift+Enter to the next newer one, "
            "Escape closes")
        self.edit.installEventFilter(self)
        self.edit.textChanged.connect(self.query_changed)
        self.count = QLabel(self)
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setObjectName("findCount")
        self.older = self._button("Older match (Enter, F3)", Qt.ArrowType.UpArrow)
        self.newer = self._button("Newer match (Shift+Enter, Shift+F3)", Qt.ArrowType.DownArrow)
        self.older.clicked.connect(self.next_requested)
        self.newer.clicked.connect(self.previous_requested)
        self.search_older = QToolButton(self)
        self.search_older.setText(SEARCH_OLDER)
        self.search_older.setToolTip("Load older messages of this conversation and search them")
        self.search_older.clicked.connect(self.search_older_requested)
        self.close_button = self._button("Close (Esc)", Qt.ArrowType.NoArrow)
        self.close_button.setText("✕")
        self.close_button.clicked.connect(self.close_bar)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.search_older)
        layout.addWidget(self.older)
        layout.addWidget(self.newer)
        layout.addWidget(self.close_button)
        self.set_status("", matches=False, can_search_older=False)
        self.hide()

    def _button(self, tip: str, arrow: Qt.ArrowType) -> QToolButton:
        button = QToolButton(self)
        button.setAutoRaise(True)
        button.setArrowType(arrow)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stays in the box
        return button

    # ---- state -------------------------------------------------------------------------------

    def query(self) -> str:
        return self.edit.text()

    def open(self, text: str | None = None) -> None:
        """Show the bar and focus the box, its text selected; ``text`` replaces it."""
        if text is not None and text != self.edit.text():
            self.edit.setText(text)
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        """Hide the bar (its text stays for the next Ctrl+F) and say so."""
        if self.isHidden():
            return
        self.hide()
        self.closed.emit()

    def set_status(self, label: str, *, matches: bool, can_search_older: bool,
                   searching: bool = False) -> None:
        """What the finder says: the count or why there is none; whether there are matches
        to step through; whether older messages may be loaded and searched (shown when
        nothing matches), or are being searched now."""
        self.count.setText(SEARCHING_OLDER if searching else label)
        self.count.setAccessibleName(self.count.text())
        self.older.setEnabled(matches)
        self.newer.setEnabled(matches)
        self.search_older.setVisible(can_search_older and not matches and not searching
                                     and bool(label))

    # ---- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if key in (Key.Key_Return, Key.Key_Enter) and mods in (
                    Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
                if mods == Qt.KeyboardModifier.ShiftModifier:
                    self.previous_requested.emit()
                else:
                    self.next_requested.emit()
                return True
            if key == Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

"""The undo bar: a small floating strip over the bottom of the thread, for a few seconds after
a destructive action ("Resolved “Ann”  Undo  Ctrl+Z", and a close button).

It floats (a child of the window placed over its anchor, the thread) rather than taking a
row of the layout, so nothing jumps when it comes and goes, and it never covers the reply
box. It takes no focus: the operator keeps typing or moving where they were; Ctrl+Z and a
click on "Undo" both undo. ui/undo.py decides when it shows and what it says.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

MARGIN = 12  # from the anchor's bottom edge
MAX_WIDTH = 560

# Inverted colours (text colour as the background), as a snackbar: it reads as a message
# over the thread in the light and the dark theme alike.
STYLE = """
QFrame#undoBar { background: palette(window-text); border-radius: 6px; }
QFrame#undoBar QLabel { color: palette(window); }
QFrame#undoBar QLabel#undoKeys { color: palette(mid); }
QFrame#undoBar QPushButton { color: palette(window); font-weight: bold; background: transparent;
                             border: 1px solid palette(mid); border-radius: 4px;
                             padding: 2px 12px; }
QFrame#undoBar QPushButton:hover { background: palette(dark); }
QFrame#undoBar QToolButton { color: palette(window); background: transparent; border: none;
                             padding: 0 4px; }
"""


class UndoBar(QFrame):
    """Signals:
    undo_clicked: the "Undo" button.
    dismissed: the close button (the undo stays on Ctrl+Z until its time is up).
    """

    undo_clicked = Signal()
    dismissed = Signal()

    def __init__(self, anchor: QWidget, parent: QWidget, *, keys: str = "") -> None:
        """``anchor``: the widget whose bottom the bar floats over (inside ``parent``);
        ``keys``: the undo command's shortcut as shown ("Ctrl+Z")."""
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet(STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._anchor = anchor
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a visitor's name is in it
        self.button = QPushButton("Undo", self)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.undo_clicked)
        self.keys = QLabel(self)
        self.keys.setObjectName("undoKeys")
        self.keys.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QToolButton(self)
        self.close_button.setText("\N{MULTIPLICATION SIGN}")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismissed)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 8, 8)
        row.setSpacing(12)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(self.keys)
        row.addWidget(self.close_button)
        self.set_keys(keys)
        anchor.installEventFilter(self)
        parent.installEventFilter(self)
        self.hide()

    def set_keys(self, keys: str) -> None:
        self.keys.setText(keys)
        self.keys.setVisible(bool(keys))
        self.button.setToolTip(f"Undo ({keys})" if keys else "Undo")

    def show_text(self, text: str) -> None:
        """Show the bar saying ``text`` (announced to screen readers)."""
        self.label.setText(text)
        self.setAccessibleName(f"{text}. Undo" + (f" with {self.keys.text()}" if
                                                  self.keys.text() else ""))
        self.place()
        self.show()
        self.raise_()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def place(self) -> None:
        """Centred over the bottom of the anchor, as wide as the text needs."""
        parent = self.parentWidget()
        if parent is None:
            return
        area = self._anchor.rect()
        width = min(MAX_WIDTH, max(area.width() - 2 * MARGIN, 1), self.sizeHint().width())
        height = self.sizeHint().height()
        bottom_left = self._anchor.mapTo(parent, QPoint(0, area.height()))
        x = bottom_left.x() + (area.width() - width) // 2
        self.setGeometry(x, bottom_left.y() - height - MARGIN, width, height)

    # ---- Qt overrides ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.isVisible() and event.type() in (QEvent.Type.Resize, QEvent.Type.Move,
                                                 QEvent.Type.LayoutRequest):
            self.place()
        return super().eventFilter(watched, event)

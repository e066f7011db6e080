"""The visitor typing indicator under the thread: "Grace is typing: “Where is my ord…”".

Crisp's MagicType sends what the visitor is typing before they send it (``compose_visitor``:
None when not typing, "" when typing without an excerpt). The bar follows the store for the
bound conversation and is blank when the visitor stops. Its line stays reserved while a
conversation is bound: showing and hiding it resized the thread above at every start and stop
of typing, which moved the messages by a line and laid them all out again (at a new width when
the scroll bar came or went). The excerpt is visitor input: it is shown
as plain text (a PlainText QLabel, bidi controls removed), and elided at its *start*, since
the words being typed are at its end.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Store
from crisp_console.present.plain import one_line
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.models import display_name

WATCHED = frozenset(("compose_visitor", "nickname", "email"))
EXCERPT_CHARS = 500  # MagicType excerpts are short; this bounds the elision work
DOTS_LINES = 1.55  # the dots' room, in lines of the label's font (26 px at 9 pt)
PAD = 12


class TypingBar(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._session_id: str | None = None
        self._name = ""
        self._excerpt: str | None = None
        self._label = QLabel()
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self._label, 0.92, italic=True)
        self._layout = QHBoxLayout(self)
        self._layout.addWidget(self._label)
        self._fonts.on_change(self._sized)
        self._sized(self.font())
        self.setAccessibleName("Typing indicator")
        self.hide()
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_change)

    def bind(self, session_id: str | None) -> None:
        self._session_id = session_id
        self._refresh()

    def session_id(self) -> str | None:
        return self._session_id

    def is_typing(self) -> bool:
        return self._excerpt is not None

    def excerpt(self) -> str | None:
        """What the bound visitor is typing (None: not typing; "": typing, text unknown)."""
        return self._excerpt

    def text(self) -> str:
        """The whole line, before eliding ("" when nobody types)."""
        if self._excerpt is None:
            return ""
        if not self._excerpt:
            return f"{self._name} is typing…"
        return f"{self._name} is typing: “{self._excerpt}”"

    def shown_text(self) -> str:
        """The line as displayed (elided to the width)."""
        return self._label.text()

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_change(self, change: Change) -> None:
        if change.collection != CONVERSATIONS or self._session_id is None:
            return
        if not change.concerns(self._session_id) or (
                change.kind is ChangeKind.CHANGED and not change.fields & WATCHED):
            return  # another conversation's typing, or nothing the bar shows
        if change.kind in (ChangeKind.CHANGED, ChangeKind.REMOVED, ChangeKind.RESET):
            self._refresh()

    def _refresh(self) -> None:
        conv = self._store.conversations.get(self._session_id or "")
        excerpt = conv.compose_visitor if conv is not None else None
        self._excerpt = None if excerpt is None else one_line(excerpt, EXCERPT_CHARS)
        self._name = one_line(display_name(conv), 200) if conv is not None else ""
        self._elide()
        self.setVisible(self._session_id is not None)
        self.update()  # the dots
        self.setAccessibleDescription(self.text())

    def _dots_width(self) -> int:
        return round(self._label.fontMetrics().height() * DOTS_LINES)

    def _sized(self, _font: QFont) -> None:
        self._layout.setContentsMargins(PAD + self._dots_width(), 3, PAD, 5)
        # One line, blank or not: an empty label is not as tall as a line of text.
        self._label.setFixedHeight(self._label.fontMetrics().height())
        self._elide()

    def _elide(self) -> None:
        fm = self._label.fontMetrics()
        width = max(0, self._label.width() or self.width() - 2 * PAD - self._dots_width())
        if self._excerpt is None:
            self._label.clear()
            return
        if not self._excerpt:
            self._label.setText(fm.elidedText(self.text(), Qt.TextElideMode.ElideRight, width))
            return
        prefix, suffix = f"{self._name} is typing: “", "”"
        room = width - fm.horizontalAdvance(prefix + suffix)
        if room < fm.horizontalAdvance("…" * 6):  # too narrow: just the start of the line
            self._label.setText(fm.elidedText(self.text(), Qt.TextElideMode.ElideRight, width))
            return
        shown = fm.elidedText(self._excerpt, Qt.TextElideMode.ElideLeft, room)
        self._label.setText(prefix + shown + suffix)

    # ---- Qt overrides ------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._excerpt is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        line = self._label.geometry()
        dots = QRect(QPoint(PAD, line.top()),
                     QPoint(PAD + self._dots_width() - 6, line.bottom()))
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        pt.draw_typing_dots(painter, dots, colour)
        painter.end()

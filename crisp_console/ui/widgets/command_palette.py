"""The command palette and quick switcher (Ctrl+K), and the generic chooser ``pick()``.

A frameless popup at the top of its window: a line edit over a short result list. The
switcher searches conversations, people and commands together (``>`` commands only, ``@``
people only); ``pick()`` offers the caller's choices (assign, segments, remind presets).
It never blocks: ``open()``, never ``exec()``, and ``pick()`` awaits ``finished`` through an
asyncio future (architecture.md, qasync). The searching lives in present/ (palette_sources.py
ranks, palette_lines.py keeps the folded lines, haystack.py prefilters, fuzzy.py scores); this
file is keys, layout, signals, and the idle work that keeps the index ready.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from crisp_console.core import Store
from crisp_console.present.palette_sources import (
    LIMIT,
    PaletteIndex,
    PaletteItem,
    Result,
    rank,
    search_item,
)
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.palette_rows import PaletteDelegate, PaletteModel
from crisp_console.ui.timers import single_shot
from crisp_console.ui.widgets.palette_cursor import ResultCursor

DEBOUNCE_MS = 30  # a burst of keystrokes is one search
WARM_DELAY_MS = 1000  # after store changes, fold the changed conversations (then lay the
WARM_CHUNK = 1000  # lines out) when idle, this many per turn of the event loop (~10 ms)
VISIBLE_ROWS = 9  # rows shown before the list scrolls
WIDTH = (480, 720)  # min and max width; 60 % of the window in between
TOP_MARGIN = 48  # from the top of the window
SWITCHER_HINT = "↑↓ move · Enter open · Esc close · > commands · @ people"
PICK_HINT = "↑↓ move · Enter choose · Esc cancel"
SEARCH_COMMAND = "search.messages"  # its keys are shown on the "Search messages for" row
_PORTABLE = QKeySequence.SequenceFormat.PortableText
_NATIVE = QKeySequence.SequenceFormat.NativeText
_MOVES = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Backtab: -1, Qt.Key.Key_Tab: 1}


def _window_flags() -> Qt.WindowType:
    """A Popup closes on a click outside, as a palette should. The offscreen and minimal
    platforms can neither grab the keyboard nor raise a window (Qt warns on both), so
    there it is a frameless dialog, which handles keys the same way."""
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint
    return Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint


class _Mode(enum.Enum):
    SWITCHER = "switcher"
    PICK = "pick"


class CommandPalette(QDialog):
    """Signals (switcher mode; emitted after the popup closed):
        command_chosen(command_id), conversation_chosen(session_id),
        person_chosen(website_id, people_id), search_chosen(text): search messages for it.
    """

    command_chosen = Signal(str)
    conversation_chosen = Signal(str)
    person_chosen = Signal(str, str)
    search_chosen = Signal(str)

    def __init__(self, registry: CommandRegistry, store: Store,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CommandPalette")
        self.setWindowFlags(_window_flags())
        self._registry = registry
        self.index = PaletteIndex(store, registry, self._shortcut_text)
        self.debounce_ms = DEBOUNCE_MS
        self._mode = _Mode.SWITCHER
        self._choices: list[PaletteItem] = []
        self._free_text = False
        self._chosen: PaletteItem | None = None
        self._future: asyncio.Future[PaletteItem | None] | None = None

        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setObjectName("PaletteTitle")
        self.notice_label = QLabel(self)  # why a pick's choices are missing (plain: server words)
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_label.setObjectName("PaletteNotice")
        self.notice_label.setWordWrap(True)
        self.line_edit = QLineEdit(self)
        self.line_edit.setObjectName("PaletteInput")
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setAccessibleName("Search")
        self.line_edit.installEventFilter(self)
        self.model = PaletteModel(self)
        self.view = QListView(self)
        self.view.setObjectName("PaletteResults")
        self.view.setAccessibleName("Results")
        self.view.setModel(self.model)
        self.delegate = PaletteDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(True)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing always goes to the input
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setMouseTracking(True)
        self.view.clicked.connect(lambda index: self._choose_row(index.row()))
        self._cursor = ResultCursor(self.view, self.model, self.delegate)  # the keys' moves
        self.empty_label = QLabel("No matches", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label = QLabel(self)
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.hint_label, self.empty_label):  # muted, and follows the scheme
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.line_edit, 1.15)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        for widget in (self.title_label, self.notice_label, self.line_edit, self.view,
                       self.empty_label, self.hint_label):
            layout.addWidget(widget)

        self._debounce = single_shot(self, self.debounce_ms, self._search)
        # Fold changed conversations (and lay them out) while idle: Ctrl+K finds it ready.
        self._warm = single_shot(self, WARM_DELAY_MS, self._warm_up)
        # Between keystrokes, the lines holding the query's terms are found a step a turn:
        # typing on then filters them (present/holding.py).
        self._ahead = single_shot(self, 0, self._look_ahead)
        self.index.conversations.on_dirty = self._schedule_warm_up
        self._schedule_warm_up()
        self.line_edit.textChanged.connect(self._text_changed)
        self.finished.connect(self._finished)

    # ---- public API ------------------------------------------------------------------------

    def open_switcher(self, text: str = "") -> None:
        """Open the quick switcher; an empty query lists recent conversations, then commands."""
        self._cancel_pick()
        self._mode = _Mode.SWITCHER
        self.index.refresh()
        self._present("", "Search conversations, people and commands", SWITCHER_HINT, text)

    async def pick(self, title: str, items: Sequence[PaletteItem], *, placeholder: str = "",
                   allow_free_text: bool = False, notice: str = "") -> PaletteItem | None:
        """Let the operator choose one of ``items`` (in the given order until they type);
        None when cancelled. With ``allow_free_text`` the typed text itself is offered too,
        and returned as ``PaletteItem(kind="text", key=typed)``. ``notice``: why choices
        are missing, shown under the title (and the input's accessible description)."""
        self._cancel_pick()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PaletteItem | None] = loop.create_future()
        self._future = future
        self._mode = _Mode.PICK
        self._choices = list(items)
        self._free_text = allow_free_text
        self._present(title, placeholder or "Type to filter", PICK_HINT, "", notice)
        try:
            return await future
        finally:
            if self._future is future:
                self._future = None

    def flush(self) -> None:
        """Run a search that is waiting for the debounce now (before Enter acts on it)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._search()

    def results(self) -> list[Result]:
        return self.model.results()

    def looking_ahead(self) -> bool:
        """Whether idle work for the next keystrokes is scheduled (present/holding.py)."""
        return self._ahead.isActive()

    def current_item(self) -> PaletteItem | None:
        return self.model.item(self.view.currentIndex().row())

    def detach(self) -> None:
        """Stop following the store (the palette is going away); a pending pick() gets
        None."""
        self._cancel_pick()
        self.index.conversations.on_dirty = None
        self._warm.stop()
        self._ahead.stop()
        self.index.detach()

    # ---- internals -------------------------------------------------------------------------

    def _schedule_warm_up(self) -> None:
        if not self._warm.isActive():
            self._warm.start(WARM_DELAY_MS)

    def _warm_up(self) -> None:
        if self.index.conversations.prepare(WARM_CHUNK):
            self._warm.start(0)  # more: after the events that are waiting

    def _look_ahead(self) -> None:
        if (self.isVisible() and self._mode is _Mode.SWITCHER and not self._debounce.isActive()
                and self.index.ahead(self.line_edit.text())):
            self._ahead.start(0)  # more: after the events that are waiting

    def _shortcut_text(self, command_id: str) -> str:
        if command_id not in self._registry:
            return ""
        keys = self._registry.shortcuts(command_id)
        if not keys:
            return ""
        return QKeySequence.fromString(keys[0], _PORTABLE).toString(_NATIVE)

    def _present(self, title: str, placeholder: str, hint: str, text: str,
                 notice: str = "") -> None:
        self._chosen = None
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        self.notice_label.setText(notice)
        self.notice_label.setVisible(bool(notice))
        self.line_edit.setAccessibleDescription(notice)
        self.line_edit.setPlaceholderText(placeholder)
        self.hint_label.setText(hint)
        self.line_edit.blockSignals(True)
        self.line_edit.setText(text)
        self.line_edit.blockSignals(False)
        self._search()
        self._place()
        self.open()
        self.activateWindow()
        self.line_edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self.line_edit.end(False)

    def _place(self) -> None:
        """Centred at the top of the parent window, 60 % of its width within WIDTH."""
        row = self.delegate.row_height(self.view.font())
        self.view.setFixedHeight(row * VISIBLE_ROWS + 2)
        self.empty_label.setFixedHeight(self.view.height())  # the popup keeps its size
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the title row may have come or gone since the last time
        parent = self.parentWidget()
        window = parent.window() if parent is not None else None
        if window is None:
            self.resize(WIDTH[1], self.sizeHint().height())
            return
        width = max(WIDTH[0], min(WIDTH[1], int(window.width() * 0.6)))
        width = min(width, max(200, window.width() - 16))
        self.resize(width, self.sizeHint().height())
        origin = window.mapToGlobal(QPoint(0, 0))
        self.move(origin.x() + (window.width() - width) // 2, origin.y() + TOP_MARGIN)

    def _text_changed(self, _text: str) -> None:
        self._debounce.start(self.debounce_ms)

    def _search(self) -> None:
        text = self.line_edit.text()
        if self._mode is _Mode.PICK:
            results = rank(self._choices, text, LIMIT)
            typed = text.strip()
            if self._free_text and typed and not any(
                    r.item.title.casefold() == typed.casefold() for r in results):
                results.append(Result(PaletteItem("text", typed, typed, "Use this text")))
        else:
            results = self.index.search(text, LIMIT)
            self._ahead.start(0)
            search = search_item(text, self._shortcut_text(SEARCH_COMMAND))
            if search is not None:  # last: Up from the first row reaches it
                results = [*results[:LIMIT - 1], Result(search)]
        self.model.set_results(results)
        has_rows = bool(results)
        self.view.setVisible(has_rows)
        self.empty_label.setVisible(not has_rows)
        self._cursor.select(self._cursor.next_enabled(0, 1))

    def _activate(self) -> None:
        """Enter: choose the current row, or the typed text when free text is allowed."""
        self.flush()
        row = self.view.currentIndex().row()
        if row >= 0:
            self._choose_row(row)

    def _choose_row(self, row: int) -> None:
        item = self.model.item(row)
        if item is None or not item.enabled:
            return  # a greyed command: nothing to run
        self._chosen = item
        self.accept()
        if self._mode is _Mode.PICK:
            return  # _finished hands it to pick()
        if item.kind == "conversation":
            self.conversation_chosen.emit(item.key)
        elif item.kind == "person":
            self.person_chosen.emit(self.index.website_of(item.key), item.key)
        elif item.kind == "command":
            self.command_chosen.emit(item.key)
        elif item.kind == "search":
            self.search_chosen.emit(item.key)

    def _finished(self, result: int) -> None:
        self._debounce.stop()
        self._ahead.stop()
        owner = self.parentWidget()
        if owner is not None:  # not every window manager gives the activation back itself
            owner.activateWindow()
        future = self._future
        if future is not None and not future.done():
            accepted = result == QDialog.DialogCode.Accepted
            future.set_result(self._chosen if accepted else None)

    def _cancel_pick(self) -> None:
        """A new session replaces a pick() still open: that pick() returns None."""
        if self.isVisible():
            self.reject()
        future = self._future
        if future is not None and not future.done():
            future.set_result(None)

    def _key(self, event: QKeyEvent) -> bool:
        """Keys of the input line; True when handled here."""
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self._registry.matches("app.palette", event):
            self.reject()  # Ctrl+K again closes
        elif key == Qt.Key.Key_Escape:
            self.reject()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._activate()
        elif key in _MOVES and (plain or key == Qt.Key.Key_Backtab):
            self._cursor.move(_MOVES[Qt.Key(key)])
        elif key == Qt.Key.Key_PageDown and plain:
            self._cursor.move(self._cursor.page())
        elif key == Qt.Key.Key_PageUp and plain:
            self._cursor.move(-self._cursor.page())
        else:
            return False
        return True

    # ---- Qt overrides ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._key(event):
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key(event):
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A frameless popup still needs an edge against the window under it."""
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Window))
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

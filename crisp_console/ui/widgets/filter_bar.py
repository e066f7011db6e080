"""The list's filter bar: a text filter box above one tab per quick filter, each with its live
count, wrapping onto as many lines as the pane's width needs.

The tabs behave as one tab stop (the checked tab takes focus; Left/Right/Home/End move the
check), so Tab goes search box → tabs → list. Ctrl+1…8 select them from anywhere through the
command registry (default_commands.VIEW_FILTERS), which the window wires to the pane.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.filters import Filter
from crisp_console.present.list_logic import count_text, count_words
from crisp_console.ui.default_commands import VIEW_FILTERS
from crisp_console.ui.delegates.painting import scaled_font
from crisp_console.ui.timers import single_shot
from crisp_console.ui.widgets.flow_layout import FlowLayout

DEFAULT_FILTER = Filter.UNRESOLVED
DEBOUNCE_MS = 150  # typing pauses this long before the list filters (a reset of the rows)
PLACEHOLDER = "Filter conversations  /"
TAB_SPACING = 4
TAB_FONT_SCALE = 0.9
Key = Qt.Key

# The tabs, in the registry's order (Ctrl+<n> selects the n-th).
FILTER_TABS: tuple[tuple[Filter, str], ...] = tuple(
    (Filter(name), label) for name, label in VIEW_FILTERS)


class FilterBar(QWidget):
    """Signals:
    filter_changed(Filter): the quick filter changed (a click, the keys, or ``set_filter``).
    text_changed(str): the applied search text changed (after the debounce, at once on
        Enter, Esc or ``set_text``).
    focus_list_requested(): Down, Enter or Esc in the search box: the list should take focus.
    """

    filter_changed = Signal(object)
    text_changed = Signal(str)
    focus_list_requested = Signal()

    def __init__(self, *, debounce_ms: int = DEBOUNCE_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filter = DEFAULT_FILTER
        self._text = ""
        self._counts: dict[Filter, int] = {}
        self._inexact: dict[Filter, str] = {}  # filter -> "as of" time, while not exact
        self._hints: dict[Filter, str] = {}
        self._tabs = tabs = QWidget(self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter conversations")
        self.search.setAccessibleDescription(
            "Filters the list by name, email or last message. Enter or Down goes to the list, "
            "Escape clears the filter")
        self.search.installEventFilter(self)
        self._debounce = single_shot(self, debounce_ms, self.flush_text)
        self.search.textChanged.connect(lambda _text: self._debounce.start())

        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[Filter, QToolButton] = {}
        tabs.setAccessibleName("Conversation filters")
        tabs.setFont(scaled_font(self.font(), TAB_FONT_SCALE))  # eight tabs in two lines
        flow = FlowLayout(tabs, TAB_SPACING)
        for kind, _label in FILTER_TABS:
            button = QToolButton(tabs)
            button.setObjectName("filterTab")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.installEventFilter(self)
            button.clicked.connect(lambda _checked=False, kind=kind: self.set_filter(kind))
            self._group.addButton(button)
            flow.addWidget(button)
            self._buttons[kind] = button
        self._buttons[self._filter].setChecked(True)
        self._refresh_tabs()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(tabs)

    # ---- filter ------------------------------------------------------------------------------

    def filter(self) -> Filter:
        return self._filter

    def set_filter(self, kind: Filter) -> None:
        """Check ``kind``'s tab; emits ``filter_changed`` if it is a change."""
        self._buttons[kind].setChecked(True)
        if kind is not self._filter:
            had_focus = self._buttons[self._filter].hasFocus()
            self._filter = kind
            self._refresh_tabs()
            if had_focus:
                self._buttons[kind].setFocus(Qt.FocusReason.TabFocusReason)
            self.filter_changed.emit(kind)

    def button(self, kind: Filter) -> QToolButton:
        return self._buttons[kind]

    def set_counts(self, counts: Mapping[Filter, int],
                   inexact: Mapping[Filter, str] | None = None) -> None:
        """Show each filter's count (the pane passes FilterCounts.counts()); ``inexact``
        names the filters whose list Crisp has more of, with the time ("14:02") of the
        newest page read ("" when none was): their count reads "50+"."""
        inexact = dict(inexact or {})
        if counts != self._counts or inexact != self._inexact:
            self._counts, self._inexact = dict(counts), inexact
            self._refresh_tabs()

    def set_shortcut_hints(self, hints: Mapping[Filter, str]) -> None:
        """Key sequences (native text) to name in the tabs' tooltips, e.g. "Ctrl+2"."""
        self._hints = dict(hints)
        self._refresh_tabs()

    def _refresh_tabs(self) -> None:
        for kind, label in FILTER_TABS:
            button = self._buttons[kind]
            count = self._counts.get(kind)
            exact = kind not in self._inexact
            button.setText(label if count is None else f"{label} {count_text(count, exact)}")
            words = label if count is None else count_words(label, count, exact,
                                                            self._inexact.get(kind, ""))
            button.setAccessibleName(words)
            hint = self._hints.get(kind)
            button.setToolTip(words + (f" ({hint})" if hint else ""))
            # One tab stop: the checked tab (see the module docstring).
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus if kind is self._filter
                                  else Qt.FocusPolicy.NoFocus)

    def _step_filter(self, key: int) -> bool:
        kinds = [kind for kind, _ in FILTER_TABS]
        at = kinds.index(self._filter)
        target = {Key.Key_Left: at - 1, Key.Key_Right: at + 1, Key.Key_Home: 0,
                  Key.Key_End: len(kinds) - 1}.get(Key(key))
        if target is None:
            return False
        self.set_filter(kinds[min(max(target, 0), len(kinds) - 1)])
        return True

    # ---- text --------------------------------------------------------------------------------

    def text(self) -> str:
        """The applied search text (the box may hold newer text until the debounce ends)."""
        return self._text

    def set_text(self, text: str) -> None:
        """Put ``text`` in the box and apply it now."""
        self.search.setText(text)
        self.flush_text()

    def flush_text(self) -> None:
        """Apply the box's text now instead of after the debounce."""
        self._debounce.stop()
        text = self.search.text()
        if text != self._text:
            self._text = text
            self.text_changed.emit(text)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if mods & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key == Key.Key_Escape:
            self.search.clear()
        elif key not in (Key.Key_Down, Key.Key_Return, Key.Key_Enter):
            return False
        self.flush_text()
        self.focus_list_requested.emit()
        return True

    # ---- Qt overrides ------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._tabs.setFont(scaled_font(self.font(), TAB_FONT_SCALE))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search:
                return self._search_key(event)
            if isinstance(watched, QToolButton) and not event.modifiers():
                return self._step_filter(event.key())
        return super().eventFilter(watched, event)

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

from crisp_console.core.views import SavedView
from crisp_console.present.filters import Filter
from crisp_console.present.list_logic import count_text, count_words
from crisp_console.ui.default_commands import VIEW_FILTERS
from crisp_console.ui.fonts import RelativeFonts
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
    saved_chosen(SavedView | None): a saved view's tab was chosen (None: a quick filter's).
    text_changed(str): the applied search text changed (after the debounce, at once on
        Enter, Esc or ``set_text``).
    focus_list_requested(): Down, Enter or Esc in the search box: the list should take focus.
    """

    filter_changed = Signal(object)
    saved_chosen = Signal(object)  # SavedView | None (back to the quick filter)
    text_changed = Signal(str)
    focus_list_requested = Signal()

    def __init__(self, *, debounce_ms: int = DEBOUNCE_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filter = DEFAULT_FILTER
        self._text = ""
        self._counts: dict[Filter, int] = {}
        self._inexact: dict[Filter, str] = {}  # filter -> "as of" time, while not exact
        self._counting = False  # no counts yet (set_counts)
        self._hints: dict[Filter, str] = {}
        self._saved_views: list[SavedView] = []
        self._saved: SavedView | None = None
        self._saved_buttons: list[QToolButton] = []
        self._saved_count: tuple[int, bool] | None = None  # the shown saved view's rows
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
        self._fonts = RelativeFonts(self)
        self._fonts.set(tabs, TAB_FONT_SCALE)  # eight tabs in two lines
        self._flow = flow = FlowLayout(tabs, TAB_SPACING)
        for kind, _label in FILTER_TABS:
            button = self._tab()
            button.clicked.connect(lambda _checked=False, kind=kind: self.set_filter(kind))
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
        """Check ``kind``'s tab; emits ``filter_changed`` if it is a change (and
        ``saved_chosen(None)`` when a saved view was shown)."""
        had_focus = self._checked().hasFocus()
        self._buttons[kind].setChecked(True)
        left_saved, self._saved = self._saved is not None, None
        changed, self._filter = kind is not self._filter, kind
        self._refresh_tabs()
        if had_focus:
            self._buttons[kind].setFocus(Qt.FocusReason.TabFocusReason)
        if left_saved:
            self.saved_chosen.emit(None)
        if changed:
            self.filter_changed.emit(kind)

    # ---- saved views -------------------------------------------------------------------------

    def saved(self) -> SavedView | None:
        """The saved view shown (None: the quick filter)."""
        return self._saved

    def saved_views(self) -> list[SavedView]:
        return list(self._saved_views)

    def set_saved_views(self, views: list[SavedView]) -> None:
        """One tab per saved view, after the quick filters'. A shown view that is gone
        gives way to the quick filter."""
        for button in self._saved_buttons:
            self._group.removeButton(button)
            self._flow.removeWidget(button)
            button.deleteLater()
        self._saved_views, self._saved_buttons = list(views), []
        for view in self._saved_views:
            button = self._tab()
            button.clicked.connect(lambda _checked=False, view=view: self.set_saved(view))
            self._flow.addWidget(button)
            button.show()  # at once, not at the layout's next turn: it may take the focus now
            self._saved_buttons.append(button)
        if self._saved is not None and self._saved not in self._saved_views:
            self._saved = None
            self._buttons[self._filter].setChecked(True)
            self._refresh_tabs()
            self.saved_chosen.emit(None)
            return
        if self._saved is not None:
            self._saved_buttons[self._saved_views.index(self._saved)].setChecked(True)
        self._refresh_tabs()

    def set_saved(self, view: SavedView | None) -> None:
        """Show ``view`` (one of ``saved_views()``), or None: the quick filter again."""
        if view is None:
            self.set_filter(self._filter)
            return
        if view not in self._saved_views:
            raise ValueError(f"not a saved view: {view.name}")
        had_focus = self._checked().hasFocus()
        button = self._saved_buttons[self._saved_views.index(view)]
        button.setChecked(True)
        changed, self._saved = view != self._saved, view
        self._refresh_tabs()
        if had_focus:
            button.setFocus(Qt.FocusReason.TabFocusReason)
        if changed:
            self.saved_chosen.emit(view)

    def button_for(self, view: SavedView) -> QToolButton:
        return self._saved_buttons[self._saved_views.index(view)]

    def set_saved_count(self, rows: int | None, exact: bool = True) -> None:
        """What the shown saved view's tab counts (its rows; None: no count)."""
        count = None if rows is None else (rows, exact)
        if count != self._saved_count:
            self._saved_count = count
            self._refresh_tabs()

    def _tab(self) -> QToolButton:
        button = QToolButton(self._tabs)
        button.setObjectName("filterTab")
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        button.installEventFilter(self)
        self._group.addButton(button)
        return button

    def _checked(self) -> QToolButton:
        if self._saved is not None:
            return self._saved_buttons[self._saved_views.index(self._saved)]
        return self._buttons[self._filter]

    def button(self, kind: Filter) -> QToolButton:
        return self._buttons[kind]

    def set_counts(self, counts: Mapping[Filter, int],
                   inexact: Mapping[Filter, str] | None = None, *,
                   counting: bool = False) -> None:
        """Show each filter's count (the pane passes FilterCounts.counts()); ``inexact``
        names the filters whose list Crisp has more of, with the time ("14:02") of the
        newest page read ("" when none was): their count reads "50+". ``counting``: no
        count yet, each tab reads "Pending …" (about as wide as its count will be)."""
        inexact = dict(inexact or {})
        if counts != self._counts or inexact != self._inexact or counting != self._counting:
            self._counts, self._inexact, self._counting = dict(counts), inexact, counting
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
            if self._counting:
                button.setText(f"{label} …")
                words = f"{label}, counting"
            else:
                button.setText(label if count is None else f"{label} {count_text(count, exact)}")
                words = label if count is None else count_words(label, count, exact,
                                                                self._inexact.get(kind, ""))
            button.setAccessibleName(words)
            hint = self._hints.get(kind)
            button.setToolTip(words + (f" ({hint})" if hint else ""))
            # One tab stop: the checked tab (see the module docstring).
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus
                                  if kind is self._filter and self._saved is None
                                  else Qt.FocusPolicy.NoFocus)
        for view, button in zip(self._saved_views, self._saved_buttons, strict=True):
            shown = view == self._saved
            text, words = view.name, f"{view.name}, a saved {view.kind.value} view"
            if shown and self._saved_count is not None:
                rows, exact = self._saved_count
                text = f"{view.name} {count_text(rows, exact)}"
                words = count_words(view.name, rows, exact)
            button.setText(text)
            button.setAccessibleName(words)
            button.setToolTip(words)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus if shown else Qt.FocusPolicy.NoFocus)

    def _step_filter(self, key: int) -> bool:
        tabs: list[Filter | SavedView] = [kind for kind, _ in FILTER_TABS]
        tabs.extend(self._saved_views)
        at = tabs.index(self._saved if self._saved is not None else self._filter)
        target = {Key.Key_Left: at - 1, Key.Key_Right: at + 1, Key.Key_Home: 0,
                  Key.Key_End: len(tabs) - 1}.get(Key(key))
        if target is None:
            return False
        tab = tabs[min(max(target, 0), len(tabs) - 1)]
        if isinstance(tab, Filter):
            self.set_filter(tab)
        else:
            self.set_saved(tab)
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search:
                return self._search_key(event)
            if isinstance(watched, QToolButton) and not event.modifiers():
                return self._step_filter(event.key())
        return super().eventFilter(watched, event)

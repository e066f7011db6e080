"""The people panel's "Past conversations": the contact's other conversations, each with its
state, date and last message, read from the store.

The ids come with the panel's details (List People Conversations); which rows show and in
what order is present/past_conversations.py's. A few rows show at first, more on "Show more".
The shown ones the store lacks are asked for with ``wanted(website_id, ids)`` (people_loads.py
hands them to the client, which fetches them into the store: client/past.py); meanwhile, or
when that failed, a row shows the short id and how its lookup stands (``set_lookups`` gives
where to read it, ``looked_up(ids)`` says it changed). Store changes of the rows shown
re-render the section.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from crisp_console.client.past import Lookup
from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Store
from crisp_console.present.past_conversations import PAGE, PastView, past_line, past_view
from crisp_console.present.plain import tooltip_html
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.widgets.compact_list import CompactList, Row

LookupSource = Callable[[str], Lookup | None]
# "Show more" reads as a link, and shows where the keyboard focus is.
STYLE = """
QPushButton#showMore { color: palette(link); background: transparent; padding: 2px 6px;
                       border: 1px solid transparent; border-radius: 3px; }
QPushButton#showMore:hover { text-decoration: underline; }
QPushButton#showMore:focus { border-color: palette(highlight); }
"""
# What a row shows of its conversation: a change of any other field leaves the section alone.
ROW_FIELDS = frozenset(("state", "updated_at", "created_at", "last_message", "nickname",
                        "email"))


def _none(_session_id: str) -> Lookup | None:
    return None


class PastConversations(QWidget):
    """Signals:
    conversation_requested(session_id, website_id): a row was activated.
    wanted(website_id, session_ids): rows shown that the store lacks, not looked up yet.
    """

    conversation_requested = Signal(str, str)
    wanted = Signal(str, list)

    def __init__(self, store: Store, *, clock: Clock = system_clock,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store, self._clock = store, clock
        self._lookup: LookupSource = _none
        self._sid: str | None = None
        self._ids: list[str] = []
        self._limit = PAGE
        self._view = PastView([], [], 0)
        self.list = CompactList("past", single_click=True, parent=self, actions=(
            ("Open conversation", self._request),))
        self.list.item_requested.connect(self._request)
        self.placeholder = QLabel("No other conversations", self)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.more = QPushButton("Show more", self)
        self.more.setObjectName("showMore")
        self.more.setStyleSheet(STYLE)
        self.more.setAccessibleName("Show more past conversations")
        self.more.setCursor(Qt.CursorShape.PointingHandCursor)
        self.more.clicked.connect(self.show_more)
        self.more.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.list)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignLeft)

    # ---- API ------------------------------------------------------------------------------

    def set_lookups(self, source: LookupSource) -> None:
        """Where a row the store lacks reads how its lookup stands (client.past.lookup)."""
        self._lookup = source
        self.refresh()

    def bind(self, session_id: str | None) -> None:
        """The open conversation: its past ones come with ``set_ids``."""
        self._sid, self._ids, self._limit = session_id, [], PAGE
        self.refresh()

    def set_ids(self, session_ids: list[str]) -> None:
        """The contact's conversations, as the server listed them (the open one included)."""
        self._ids = [sid for sid in session_ids if isinstance(sid, str)]
        self.refresh()

    def total(self) -> int:
        """How many other conversations the contact has (shown or behind "Show more")."""
        return self._view.total

    def shown(self) -> list[str]:
        return list(self._view.shown)

    def show_more(self) -> None:
        before, focused = len(self._view.shown), self.more.hasFocus()
        self._limit += PAGE
        self.refresh()
        if len(self._view.shown) > before:
            self.list.setCurrentRow(before)  # the first new row
        if focused and self.more.isHidden():  # nothing more: on to the rows it showed
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def looked_up(self, session_ids: Collection[str]) -> None:
        """The lookups of ``session_ids`` changed (the client's observer)."""
        if not set(self._ids).isdisjoint(session_ids):
            self.refresh()

    def on_change(self, change: Change) -> None:
        """A store change: re-render when it concerns a row (or may add or remove one)."""
        if change.collection != CONVERSATIONS or not self._ids:
            return
        if change.kind is ChangeKind.CHANGED:
            if change.fields & ROW_FIELDS and not set(self._view.shown).isdisjoint(change.ids):
                self.refresh()
        elif change.kind in (ChangeKind.INSERTED, ChangeKind.REMOVED, ChangeKind.RESET) \
                and (change.kind is ChangeKind.RESET or not set(self._ids).isdisjoint(change.ids)):
            self.refresh()

    def refresh(self) -> None:
        """Rows, "Show more" and the placeholder as the store and the lookups stand now."""
        convs, lookup = self._store.conversations, self._lookup
        self._view = view = past_view(self._ids, self._sid, convs, self._limit,
                                      lambda sid: lookup(sid) is not None)
        now = self._clock()
        rows: list[Row] = []
        for sid in view.shown:
            found = lookup(sid) if sid not in convs else None
            line = past_line(sid, convs.get(sid), found.state if found else None,
                             found.words if found else "", now)
            rows.append((line.text, sid, tooltip_html(line.tip)))
        self.list.set_rows(rows)
        self.placeholder.setVisible(not rows)
        self.more.setText(f"Show more ({view.more})")
        self.more.setVisible(view.more > 0)
        conv = convs.get(self._sid) if self._sid is not None else None
        if view.wanted and conv is not None:
            self.wanted.emit(conv.website_id, list(view.wanted))  # last: it may re-render

    # ---- reactions ------------------------------------------------------------------------

    def _request(self, session_id: str) -> None:
        conv = self._store.conversations.get(self._sid) if self._sid is not None else None
        self.conversation_requested.emit(session_id, conv.website_id if conv else "")

"""The conversation list pane: the filter bar above the list, over one ConversationListModel
that filters its own rows (never a QSortFilterProxyModel: see ui/models/conversations.py)
and one FilterCounts for the tabs' live counts.

The pane is the window's handle on the list: it says which conversation the operator is on
(``current_changed``), when they want to reply (``activated``) or act on one
(``context_menu_requested``), and takes the navigation commands (``select_*``).

A website whose conversations Crisp refuses (the token lacks the scope) has no rows: the
note above the list says why, for the website shown or, in the unified inbox, for each one
refused (``set_unavailable``); so does a start-up that failed (``set_problem``). The note is
in the tab chain, between the filter bar and the list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import tzinfo

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from crisp_console.core import Store
from crisp_console.core.views import ListQuery, SavedKind, SavedView, quick_query
from crisp_console.present.filters import ConversationFilter, Filter
from crisp_console.present.list_logic import empty_text, needs_attention
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.delegates.conversation import Labels
from crisp_console.ui.hand_over import Target, TypeThrough
from crisp_console.ui.list_paging import Listings, ListPaging
from crisp_console.ui.models import ConversationListModel, FilterCounts
from crisp_console.ui.widgets.conversation_list import ConversationListView
from crisp_console.ui.widgets.filter_bar import DEFAULT_FILTER, FilterBar
from crisp_console.ui.widgets.list_footer import ListFooter
from crisp_console.ui.widgets.unavailable_note import UnavailableNote
from crisp_console.ui.widgets.website_switcher import WebsiteSwitcher

LOADING_TEXT = "Loading conversations…"
UNAVAILABLE_TEXT = "This website's conversations are unavailable"


class ListPane(QWidget):
    """Signals:
    current_changed(str | None): the operator moved to another conversation (keys, clicks,
        ``select_*``); never because rows moved, and not when the current one leaves the
        filter (it stays current, unselected, until the operator moves).
    activated(str): Enter or a click on a row: open it and focus the reply box.
    context_menu_requested(str, QPoint): the session id and a global position (right
        click, or the Menu key / Shift+F10 on the current row).
    website_changed(object): the list now shows that website id only, or every website
        (None), whether the operator chose it in the switcher or ``set_website`` was called.
    """

    current_changed = Signal(object)
    activated = Signal(str)
    context_menu_requested = Signal(str, QPoint)
    website_changed = Signal(object)

    def __init__(self, store: Store, *, user_id: str | None = None, coalesce: bool = True,
                 clock: Clock = system_clock, tz: tzinfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._user_id = user_id
        self._website_id: str | None = None  # None: the unified inbox
        self._loading = False
        self._unavailable: dict[str, str] = {}  # website id -> why its conversations are not
        self._problem = ""
        self._saved: SavedView | None = None
        self._members: frozenset[str] = frozenset()  # a custom filter's, as Crisp answered
        self._partial = False  # the store holds only the cache's first screen (set_partial)
        self._filter = ConversationFilter(DEFAULT_FILTER, user_id)
        self.model = ConversationListModel(store, coalesce=coalesce, accept=self._filter,
                                           parent=self)
        self.counts = FilterCounts(store, user_id, coalesce=coalesce, parent=self)
        self.switcher = WebsiteSwitcher(unread=self.unread_by_website, parent=self)
        self.filter_bar = FilterBar(parent=self)
        self.notice = UnavailableNote("Conversations unavailable", self)
        self.view = ConversationListView(self.model, clock=clock, tz=tz, parent=self)
        self._type_through = TypeThrough(self.view, lambda: None)
        self.footer = ListFooter(self)
        self.paging = ListPaging(store, self.view, tz=tz, parent=self)
        self.model.set_more(self.paging)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.switcher)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.footer)
        self.setFocusProxy(self.view)  # focusing the pane (F6) lands on the list

        self.view.current_changed.connect(self.current_changed)
        self.view.activated.connect(self.activated)
        self.view.context_menu_requested.connect(self.context_menu_requested)
        self.view.search_typed.connect(self._type_into_search)
        self.switcher.website_chosen.connect(self.set_website)
        self.filter_bar.filter_changed.connect(self._apply)
        self.filter_bar.text_changed.connect(self._apply)
        self.filter_bar.saved_chosen.connect(self._saved_chosen)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._count_saved)
        self.filter_bar.focus_list_requested.connect(self._focus_list)
        self.counts.changed.connect(self._show_counts)
        self.paging.changed.connect(self._paging_changed)
        self.footer.retry_requested.connect(self.paging.retry)
        self._show_counts()
        self._update_empty_text()
        # After every model's flush (the timeline's too): the frame painted in its turn.
        self._unframe = store.subscribe_frames(self._paint_frame, last=True)

    def _paint_frame(self) -> None:
        """A frame of live events was applied and the model flushed it: lay the rows out and
        paint what waits for paint now, instead of on a later turn of the loop, behind the
        socket reads and REST answers queued meanwhile (scripts/bench_events.py: that wait
        was most of the p99 from the model's flush to the paint). Still one paint per frame."""
        if self.isVisible():
            self.view.executeDelayedItemsLayout()  # rows that moved: placed before the paint
            QCoreApplication.sendPostedEvents(self.window(), QEvent.Type.UpdateRequest)

    # ---- filters -----------------------------------------------------------------------------

    def set_listings(self, listings: Listings | None, *, ready: bool = True) -> None:
        """The client's pager: the list then reads more of its view from Crisp as the
        operator scrolls, and the counts say "+" until a view is read to its end. Not
        ``ready``: nothing is read until ``paging.set_ready(True)`` (the console starting)."""
        self.paging.set_ready(ready)
        self.paging.set_listings(listings)
        self._show_paging()

    def query(self) -> ListQuery | None:
        """What Crisp is asked for the view shown (None: nothing to ask)."""
        saved = self._filter.saved
        if saved is not None:
            return saved.list_query()
        return quick_query(self._filter.kind, self._user_id)

    def set_saved_views(self, views: list[SavedView]) -> None:
        """The saved views, as tabs after the quick filters'."""
        self.filter_bar.set_saved_views(views)

    def show_saved(self, view: SavedView | None) -> None:
        """Show a saved segment or custom-filter view (None: back to the quick filter)."""
        self.filter_bar.set_saved(view)

    def saved(self) -> SavedView | None:
        return self._saved

    def _saved_chosen(self, view: SavedView | None) -> None:
        if view != self._saved:
            self._saved = view
            self._apply()

    def _count_saved(self) -> None:
        if self._saved is not None:
            self.filter_bar.set_saved_count(self.model.rowCount(),
                                            self.paging.exact(self.query()))
        else:
            self.filter_bar.set_saved_count(None)

    def set_user_id(self, user_id: str | None) -> None:
        """Who "me" is, for Mine, Mentions and their counts."""
        if user_id != self._user_id:
            self._user_id = user_id
            self.counts.set_user_id(user_id)
            self._apply()

    def set_website(self, website_id: str | None) -> None:
        """Show one website's conversations (None: every website, the unified inbox)."""
        self.switcher.set_current(website_id)
        if website_id != self._website_id:
            self._website_id = website_id
            self.counts.set_website_id(website_id)
            self._apply()
            self._update_notice()
            self.website_changed.emit(website_id)

    def website_id(self) -> str | None:
        return self._website_id

    def unread_by_website(self) -> dict[str | None, int]:
        """Conversations with unread visitor messages, per website and in all (None)."""
        counts: dict[str | None, int] = {None: 0}
        for conv in self._store.conversations.values():
            if conv.unread_operator > 0:
                counts[conv.website_id] = counts.get(conv.website_id, 0) + 1
                counts[None] += 1
        return counts

    def set_filter(self, kind: Filter) -> None:
        self.filter_bar.set_filter(kind)

    def filter(self) -> Filter:
        return self._filter.kind

    def set_text(self, text: str) -> None:
        """Filter by ``text`` now (no debounce)."""
        self.filter_bar.set_text(text)

    def text(self) -> str:
        """The applied search text."""
        return self._filter.text

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def set_unavailable(self, words: Mapping[str, str]) -> None:
        """Per website id, why its conversations are not listed (Crisp refused them)."""
        if dict(words) != self._unavailable:
            self._unavailable = dict(words)
            self._update_notice()
            self._update_empty_text()

    def unavailable(self) -> str:
        """What the note above the list says ("" when it is hidden)."""
        return self.notice.text() if self.notice.isVisibleTo(self) else ""

    def set_problem(self, text: str) -> None:
        """A problem with the whole list (the console could not start), above it."""
        self._problem = text
        self._update_notice()

    def set_loading(self, loading: bool) -> None:
        """While the first sync runs, an empty list says it is loading, not that there is
        nothing."""
        if loading != self._loading:
            self._loading = loading
            self._update_empty_text()

    # ---- the current conversation ------------------------------------------------------------

    def current_session_id(self) -> str | None:
        return self.view.current_session_id()

    def select_session(self, session_id: str) -> bool:
        """Make it current; False if it is not in the current filter."""
        return self.view.select_session(session_id)

    def select_next(self, step: int = 1, *, unread_only: bool = False) -> bool:
        """Move ``step`` rows (-1: previous). ``unread_only`` stops only at conversations with
        unread visitor messages or waiting for an operator (list_logic.needs_attention)."""
        return self.view.select_next(step, needs_attention if unread_only else None)

    def select_first(self) -> bool:
        return self.view.select_first()

    def select_last(self) -> bool:
        return self.view.select_last()

    def set_type_target(self, target: Target) -> None:
        """Where text typed in the list goes (the open conversation's reply box); while it
        gives None, typing filters the list (type-to-find)."""
        self._type_through.target = target

    def show_newest(self) -> None:
        """Scroll the list to its top, where new rows held out of sight are ("3 new ↑");
        the current conversation stays."""
        self.view.hold.show_newest()

    def clear_current(self) -> None:
        """Close the current conversation (emits ``current_changed(None)``)."""
        self.view.clear_current()

    # ---- what rows show ----------------------------------------------------------------------

    def set_website_labels(self, labels: Labels | None) -> None:
        self.view.delegate.set_website_labels(labels)
        self.view.viewport().update()

    def set_operator_names(self, names: Labels | None) -> None:
        self.view.delegate.set_operator_names(names)
        self.view.viewport().update()

    def set_draft_ids(self, ids: Collection[str]) -> None:
        """Rows of these conversations show a "Draft" tag."""
        self.view.delegate.set_draft_ids(ids)
        self.view.viewport().update()

    # ---- lifetime ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Apply pending search text and coalesced store changes now (tests)."""
        self.filter_bar.flush_text()
        self.model.flush()
        self.counts.flush()

    def detach(self) -> None:
        """Stop following the store (before it or the pane goes away)."""
        self._unframe()
        self.model.detach()
        self.counts.detach()
        self.paging.detach()

    # ---- internals ---------------------------------------------------------------------------

    def _apply(self) -> None:
        saved = self._saved
        member = None
        if saved is not None and saved.kind is SavedKind.FILTER:
            member = self._member_of(saved.list_query())
        new = ConversationFilter(self.filter_bar.filter(), self._user_id, self.filter_bar.text(),
                                 self._website_id, saved, member)
        self.counts.set_text(new.text)
        if new != self._filter:
            self._filter = new
            self.model.set_accept(new)  # a reset; the view keeps its conversation by id
            self._update_empty_text()
        self._show_paging()

    def _member_of(self, query: ListQuery) -> Callable[[str], bool]:
        """A custom filter's rows are those Crisp answered for it (kept as pages land)."""
        self._members = self.paging.members(query)
        return lambda sid: sid in self._members

    def _show_paging(self) -> None:
        self.paging.show(self.query(), self._website_id, self._user_id)

    def _paging_changed(self) -> None:
        self.footer.show_state(*self.paging.footer_state())
        self._show_counts()
        if self._filter.member is not None:
            members = self.paging.members(self.query() or ListQuery())
            if members != self._members:
                new, self._members = members - self._members, members
                self.model.recheck(new)

    def set_partial(self, partial: bool) -> None:
        """While the store holds only the top of the cached list (the first frame: ui/
        first_frame.py), the tabs say they are counting: they would count only those rows."""
        if partial != self._partial:
            self._partial = partial
            self._show_counts()

    def _show_counts(self) -> None:
        if self._partial:
            self.filter_bar.set_counts({}, {}, counting=True)
        else:
            self.filter_bar.set_counts(self.counts.counts(), self.paging.inexact())
        self._count_saved()

    def _update_empty_text(self) -> None:
        if self._website_id in self._unavailable:
            self.view.set_empty_text(UNAVAILABLE_TEXT)
        else:
            self.view.set_empty_text(LOADING_TEXT if self._loading and not self._filter.text
                                     else empty_text(self._filter.kind, self._filter.text,
                                                     self._saved.name if self._saved else ""))

    def _update_notice(self) -> None:
        wid = self._website_id
        refused = ([self._unavailable[wid]] if wid in self._unavailable else []) \
            if wid is not None else list(self._unavailable.values())
        self.notice.say("\n".join(t for t in (self._problem, *refused) if t))

    def _focus_list(self) -> None:
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _type_into_search(self, text: str) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.filter_bar.search.insert(text)

"""The list pane's side of paging: which server query the shown view is, on which websites,
and what the pager (client/views.py, through ``Listings``) says of it.

``ListPaging`` is the model's ``More`` (Qt's canFetchMore/fetchMore end up here), keeps the
footer ("Loading more…", a failure with Retry) and says which tabs' counts are not exact
yet. When a page lands without adding a visible row (all known already, or none matching
the local refinement) Qt would not ask again, so it asks itself while the last row is in
sight: a view fills, or its query is read to the end.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import tzinfo
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from crisp_console.client.listing import ViewState
from crisp_console.core import Store
from crisp_console.core.views import ALL_QUERY, Filter, ListQuery, quick_query
from crisp_console.present.timefmt import clock_time
from crisp_console.ui.timers import single_shot


class Listings(Protocol):
    """The client's pager (client/views.py ViewPager)."""

    def state(self, query: ListQuery, website_ids: Collection[str]) -> ViewState: ...

    def exact(self, query: ListQuery | None, website_ids: Collection[str]) -> bool: ...

    def can_fetch_more(self, query: ListQuery | None,
                       website_ids: Collection[str]) -> bool: ...

    def fetch_more(self, query: ListQuery | None, website_ids: Collection[str], *,
                   now: bool = False) -> bool: ...

    def members(self, query: ListQuery) -> frozenset[str]: ...

    def focus(self, query: ListQuery | None) -> None: ...

    def observe(self, callback: Callable[[], object]) -> Callable[[], None]: ...


class ListView(Protocol):
    """What paging needs of the list view: is its last row (or the empty list) in sight."""

    def end_in_sight(self) -> bool: ...


class ListPaging(QObject):
    """Signals: ``changed()`` when the footer's state or the counts' exactness may have
    moved (the pane reads ``footer_state()`` and ``inexact()``)."""

    changed = Signal()

    def __init__(self, store: Store, view: ListView, *, tz: tzinfo | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store, self._view, self._tz = store, view, tz
        self._listings: Listings | None = None
        self._unobserve: Callable[[], None] | None = None
        self._query: ListQuery | None = None
        self._website_id: str | None = None
        self._user_id: str | None = None
        self._ready = True  # False while the console starts: start-up lists the first pages
        # Pager notifications come in bursts (a page starts, lands): one look per loop turn.
        self._later = single_shot(self, 0, self._look)

    # ---- what is shown -----------------------------------------------------------------------

    def set_listings(self, listings: Listings | None) -> None:
        if self._unobserve is not None:
            self._unobserve()
            self._unobserve = None
        self._listings = listings
        if listings is not None:
            self._unobserve = listings.observe(self._later.start)
            listings.focus(self._query)
        self._later.start()

    def show(self, query: ListQuery | None, website_id: str | None,
             user_id: str | None) -> None:
        """The view now shown: its server query (None: nothing to ask), the website (None:
        every website) and who "me" is (for the quick filters' queries)."""
        self._query, self._website_id, self._user_id = query, website_id, user_id
        if self._listings is not None:
            self._listings.focus(query)  # the backfill reads what is looked at first
        self._later.start()

    def set_ready(self, ready: bool) -> None:
        """While not ready (the console starting: a cold start lists every website's first
        page, a warm one shows its cache and reconciles) the list reads nothing more: an
        empty list at that moment is not a view to fill."""
        self._ready = ready
        self._later.start()

    def scope(self) -> list[str]:
        if self._website_id is not None:
            return [self._website_id]
        return [w.website_id for w in self._store.websites.values() if w.subscribed]

    def members(self, query: ListQuery) -> frozenset[str]:
        return self._listings.members(query) if self._listings is not None else frozenset()

    # ---- the model's More --------------------------------------------------------------------

    def can_fetch_more(self) -> bool:
        return self._ready and self._listings is not None and self._listings.can_fetch_more(
            self._query, self.scope())

    def fetch_more(self) -> None:
        if self._listings is not None:
            self._listings.fetch_more(self._query, self.scope())

    def retry(self) -> None:
        """Retry pressed: read again now, even within the pause after a failure."""
        if self._listings is not None:
            self._listings.fetch_more(self._query, self.scope(), now=True)

    # ---- what the pane shows -----------------------------------------------------------------

    def footer_state(self) -> tuple[bool, str]:
        """(a page is out, why the last one failed)."""
        if self._listings is None or self._query is None:
            return False, ""
        state = self._listings.state(self._query, self.scope())
        return state.loading, "" if state.exhausted else state.problem

    def inexact(self) -> dict[Filter, str]:
        """Quick filters whose count is not exact yet, each with the time of the newest page
        read for it ("" when none was)."""
        listings = self._listings
        if listings is None:
            return {}
        scope = self.scope()
        out: dict[Filter, str] = {}
        for kind in Filter:
            query = quick_query(kind, self._user_id)
            if query is None or listings.exact(query, scope):
                continue
            read_at = max(listings.state(query, scope).read_at,
                          listings.state(ALL_QUERY, scope).read_at)
            out[kind] = clock_time(read_at, self._tz) if read_at else ""
        return out

    def exact(self, query: ListQuery | None) -> bool:
        return self._listings is None or self._listings.exact(query, self.scope())

    def _look(self) -> None:
        self.changed.emit()
        if self._view.end_in_sight() and self.can_fetch_more():
            self.fetch_more()

    def detach(self) -> None:
        self._later.stop()
        self.set_listings(None)
        self._later.stop()


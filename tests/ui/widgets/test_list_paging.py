"""The list pane's paging over a pager (a stand-in here; against the sandbox in
tests/e2e/test_whole_inbox.py): Qt's canFetchMore/fetchMore, the footer, Retry, the "+" of
inexact counts, and asking again while the end of the list is in sight."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from crisp_console.client.listing import ViewState
from crisp_console.core import Store
from crisp_console.core.views import ALL_QUERY, Filter, ListQuery, quick_query
from crisp_console.observers import Observers
from tests.present.seeded import ME, seeded_store
from tests.ui.widgets.list_pane_helpers import make_pane


class FakePager:
    """Pages of nothing new: each fetch is one call; ``pages_left`` says when it ends."""

    def __init__(self, pages_left: int) -> None:
        self.pages_left, self.loading, self.problem = pages_left, False, ""
        self.asked: list[tuple[ListQuery | None, bool]] = []
        self.focused: ListQuery | None = None
        self.observers: Observers[[]] = Observers(logging.getLogger(), "fake")

    def state(self, query: ListQuery, website_ids: Collection[str]) -> ViewState:
        return ViewState(self.pages_left == 0, self.loading, 1_700_000_000_000, self.problem)

    def exact(self, query: ListQuery | None, website_ids: Collection[str]) -> bool:
        return query is None or self.pages_left == 0

    def can_fetch_more(self, query: ListQuery | None, website_ids: Collection[str]) -> bool:
        return query is not None and self.pages_left > 0 and not self.problem

    def fetch_more(self, query: ListQuery | None, website_ids: Collection[str], *,
                   now: bool = False) -> bool:
        self.asked.append((query, now))
        self.loading = True
        self.observers.notify()
        return True

    def land(self, problem: str = "") -> None:
        self.loading, self.problem = False, problem
        if not problem:
            self.pages_left -= 1
        self.observers.notify()

    def members(self, query: ListQuery) -> frozenset[str]:
        return frozenset()

    def focus(self, query: ListQuery | None) -> None:
        self.focused = query

    def observe(self, callback: Callable[[], object]) -> Callable[[], None]:
        return self.observers.add(callback)


def pane_with(qtbot: QtBot, pager: FakePager, store: Store | None = None) -> Any:
    pane = make_pane(qtbot, store or seeded_store(3))
    pane.set_listings(pager)
    pane.set_filter(Filter.ALL)
    return pane


def test_an_unfilled_list_reads_on_until_its_query_ends(qtbot: QtBot) -> None:
    pager = FakePager(pages_left=3)
    pane = pane_with(qtbot, pager)
    qtbot.waitUntil(lambda: bool(pager.asked))
    assert pager.asked[-1] == (ALL_QUERY, False)
    qtbot.waitUntil(lambda: pane.footer.text() == "Loading more conversations…")
    assert pane.filter_bar.button(Filter.ALL).text().endswith("+")
    for left in (2, 1, 0):
        asked = len(pager.asked)
        pager.land()
        if left:  # three rows never fill the view: it asks again by itself
            qtbot.waitUntil(lambda asked=asked: len(pager.asked) > asked)  # type: ignore[misc]
    qtbot.waitUntil(lambda: not pane.footer.isVisible())
    assert not pane.model.canFetchMore(QModelIndex())
    assert pane.filter_bar.button(Filter.ALL).text() == "All 3"


def test_a_failed_page_says_why_and_retry_asks_at_once(qtbot: QtBot) -> None:
    pager = FakePager(pages_left=2)
    pane = pane_with(qtbot, pager)
    qtbot.waitUntil(lambda: bool(pager.asked))
    pager.land(problem="Crisp could not be reached")
    qtbot.waitUntil(lambda: pane.footer.retry.isVisible())
    assert pane.footer.text() == ("More conversations could not be loaded: Crisp could not "
                                  "be reached")
    assert not pane.model.canFetchMore(QModelIndex())  # no retry loop on every layout
    pane.footer.retry.click()
    assert pager.asked[-1] == (ALL_QUERY, True)


def test_each_view_asks_its_own_query(qtbot: QtBot) -> None:
    pager = FakePager(pages_left=5)
    pane = pane_with(qtbot, pager)
    pane.set_filter(Filter.MENTIONS)
    qtbot.waitUntil(lambda: bool(pager.asked) and pager.asked[-1][0] == quick_query(
        Filter.MENTIONS, ME))
    assert pager.focused == quick_query(Filter.MENTIONS, ME)  # the backfill reads it first
    pane.set_user_id(None)
    pane.set_filter(Filter.MINE)
    assert pane.query() is None  # nobody is "me": nothing to ask
    assert not pane.model.canFetchMore(QModelIndex())

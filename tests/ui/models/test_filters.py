"""The proxy model and the live counts over the quick filters and the text filter (the
predicates themselves: tests/present/test_filters.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel
from pytestqt.qtbot import QtBot

from crisp_console.core import Conversation, Store
from crisp_console.present.filters import FILTER_FIELDS, ConversationFilter, Filter
from crisp_console.ui.models import (
    ConversationFilterProxy,
    ConversationListModel,
    ConversationRole,
    FilterCounts,
)
from tests.core import factories as f
from tests.present.seeded import ME, T, burst, recount, seeded_store
from tests.ui.conftest import SignalLog

Attach = Callable[[QAbstractItemModel], Any]


def proxy_rows(proxy: ConversationFilterProxy) -> list[str]:
    return [proxy.index(r, 0).data(ConversationRole.SESSION_ID)
            for r in range(proxy.rowCount())]


def expected(store: Store, flt: ConversationFilter) -> list[str]:
    return [s for s in store.conversation_ids() if flt(store.conversations[s])]


def set_state(store: Store, sid: str, state: str) -> None:
    store.apply("session:set_state", f.session_event(sid, state=state))


@pytest.fixture
def source(store: Store, live_tester: Attach) -> ConversationListModel:
    model = ConversationListModel(store)
    live_tester(model)
    return model


@pytest.fixture
def proxy(source: ConversationListModel, qtmodeltester: Any,
          live_tester: Attach) -> ConversationFilterProxy:
    proxy = ConversationFilterProxy(source, user_id=ME)
    qtmodeltester.check(proxy)
    live_tester(proxy)
    return proxy


@pytest.mark.parametrize("kind", list(Filter))
def test_the_proxy_shows_what_the_filter_takes_in_the_stores_order(
        store: Store, proxy: ConversationFilterProxy, kind: Filter, qtmodeltester: Any) -> None:
    proxy.set_filter(kind)
    assert proxy.filter == ConversationFilter(kind, ME)
    assert proxy_rows(proxy) == expected(store, proxy.filter)
    assert proxy.rowCount() == FilterCounts(store, ME).count(kind) > 0
    qtmodeltester.check(proxy)


def test_the_text_filter_is_case_insensitive_over_name_email_and_excerpt(
        store: Store, source: ConversationListModel, proxy: ConversationFilterProxy, qtmodeltester:
        Any) -> None:
    proxy.set_text("  VISITOR 1")  # nicknames "Visitor 1x"
    assert proxy_rows(proxy) == [s for s in store.conversation_ids()
                                 if store.conversations[s].nickname.startswith("Visitor 1")]
    proxy.set_text("visitor7@EXAMPLE")
    assert [proxy.conversation_at(r).email for r in range(proxy.rowCount())] == [
        "visitor7@example.com"]
    proxy.set_text("question number 2")  # last_message of 2 and 20..23
    assert len(proxy_rows(proxy)) == 5
    proxy.set_filter(Filter.RESOLVED)  # both apply
    assert proxy_rows(proxy) == expected(store, ConversationFilter(Filter.RESOLVED, ME,
                                                                   "question number 2"))
    # A live change of the searched field is re-tested.
    sid = proxy_rows(proxy)[0]
    store.apply("message:send", f.message_event(sid, timestamp=T + 1, content="hello"))
    source.flush()
    assert sid not in proxy_rows(proxy)
    proxy.set_text("")
    assert proxy_rows(proxy) == expected(store, ConversationFilter(Filter.RESOLVED, ME))
    with pytest.raises(IndexError):
        proxy.conversation_at(999)
    qtmodeltester.check(proxy)


def test_resolving_moves_a_row_out_of_unresolved_and_counts_follow(
        store: Store, source: ConversationListModel, proxy: ConversationFilterProxy,
        qtbot: QtBot, qtmodeltester: Any) -> None:
    counts = FilterCounts(store, ME)
    proxy.set_filter(Filter.UNRESOLVED)
    log = SignalLog(proxy)
    before = counts.counts()
    rows = proxy_rows(proxy)
    row, sid = next((r, s) for r, s in enumerate(rows)
                    if store.conversations[s].state == "unresolved")
    with qtbot.waitSignal(counts.changed, timeout=1000):
        set_state(store, sid, "resolved")
        # The counts are exact at once; the signal waits for the timer.
        assert counts.count(Filter.UNRESOLVED) == before[Filter.UNRESOLVED] - 1
        assert counts.count(Filter.RESOLVED) == before[Filter.RESOLVED] + 1
    source.flush()
    assert proxy_rows(proxy) == [s for s in rows if s != sid] == expected(store, proxy.filter)
    assert log.of("rowsRemoved") == [(row, row)]
    assert proxy.rowCount() == counts.count(Filter.UNRESOLVED)
    # Reopening brings it back at its row.
    set_state(store, sid, "unresolved")
    source.flush()
    assert proxy_rows(proxy) == rows
    assert counts.counts() == before
    # A pending one moves down in the source when resolved: QSortFilterProxyModel turns the
    # move into a layout change, during which it drops the row.
    pending = next(s for s in rows if store.conversations[s].state == "pending")
    set_state(store, pending, "resolved")
    source.flush()
    assert proxy_rows(proxy) == [s for s in rows if s != pending]
    assert proxy.rowCount() == counts.count(Filter.UNRESOLVED)
    qtmodeltester.check(proxy)


def test_mine_and_mentions_follow_the_user_id(
        store: Store, proxy: ConversationFilterProxy, qtmodeltester: Any) -> None:
    counts = FilterCounts(store, None)
    assert counts.count(Filter.MINE) == 0
    proxy.set_user_id(None)
    proxy.set_filter(Filter.MINE)
    assert proxy.rowCount() == 0
    proxy.set_filter(Filter.MENTIONS)
    assert proxy.rowCount() == counts.count(Filter.MENTIONS) == store.count(
        lambda c: bool(c.mentions))
    counts.set_user_id(ME)
    proxy.set_user_id(ME)
    assert proxy.rowCount() == counts.count(Filter.MENTIONS) == store.count(
        lambda c: ME in c.mentions) > 0
    proxy.set_filter(Filter.MINE)
    assert proxy.rowCount() == counts.count(Filter.MINE) == store.count(
        lambda c: c.assigned == ME) > 0
    assert counts.counts() == recount(store, ME)
    qtmodeltester.check(proxy)


def test_a_note_mentioning_me_adds_the_conversation_to_mentions(
        store: Store, source: ConversationListModel, proxy: ConversationFilterProxy, qtmodeltester:
        Any) -> None:
    counts = FilterCounts(store, ME)
    proxy.set_filter(Filter.MENTIONS)
    sid = next(s for s in store.conversation_ids() if not store.conversations[s].mentions)
    store.apply("message:received", f.message_event(
        sid, from_="operator", type="note", content="@Ada look", timestamp=T + 5,
        mentions=[ME]))
    source.flush()
    assert sid in proxy_rows(proxy)
    assert counts.counts() == recount(store, ME)
    qtmodeltester.check(proxy)


def test_counts_are_incremental(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = FilterCounts(store, ME, coalesce=False)
    evaluated: list[str] = []
    real = counts._mask

    def spy(conv: Conversation) -> int:
        evaluated.append(conv.session_id)
        return real(conv)

    monkeypatch.setattr(counts, "_mask", spy)
    emitted: list[int] = []
    counts.changed.connect(lambda: emitted.append(1))
    sid = store.conversation_ids()[-1]
    store.apply("session:set_nickname", f.session_event(sid, nickname="x"))
    store.apply("message:compose:send", f.session_event(sid, type="start", excerpt="a"))
    assert evaluated == [] and emitted == []  # no filter reads those fields
    set_state(store, sid, "pending")
    assert evaluated == [sid] and emitted == [1]  # one conversation, not a rescan
    assert "state" in FILTER_FIELDS
    assert counts.counts() == recount(store, ME)


def test_counts_stay_exact_through_a_burst(qtbot: QtBot) -> None:
    store = seeded_store(80)
    counts = FilterCounts(store, ME)
    signals: list[int] = []
    counts.changed.connect(lambda: signals.append(1))
    burst(store, random.Random(11), 1000)
    assert counts.counts() == recount(store, ME)
    qtbot.waitUntil(lambda: bool(signals), timeout=1000)
    assert signals == [1]  # one emission for the whole burst
    store.remove_website(f.OTHER_WEBSITE)
    store.set_ordering(next(o for o in type(store.ordering) if o is not store.ordering))
    assert counts.counts() == recount(store, ME)
    store.clear()
    assert counts.counts() == dict.fromkeys(Filter, 0)
    counts.detach()
    store.upsert_conversation(f.conversation())
    assert counts.count(Filter.ALL) == 0


def test_the_proxy_never_sorts(
        store: Store, proxy: ConversationFilterProxy, qtmodeltester: Any) -> None:
    log = SignalLog(proxy)
    proxy.set_filter(Filter.ALL)
    proxy.sort(0)
    assert log.events == [] and proxy.sortColumn() == -1
    assert proxy.dynamicSortFilter()  # dynamic filtering: dataChanged re-tests rows
    assert proxy_rows(proxy) == store.conversation_ids()
    qtmodeltester.check(proxy)


def test_proxy_and_model_filter_agree_through_a_burst(qtmodeltester: Any,
                                                      live_tester: Attach) -> None:
    store = seeded_store(80)
    source = ConversationListModel(store)
    proxy = ConversationFilterProxy(source, user_id=ME)
    proxy.set_filter(Filter.UNRESOLVED)
    proxy.set_text("visitor")
    own = ConversationListModel(store, accept=proxy.filter)
    for model in (source, proxy, own):
        qtmodeltester.check(model)
        live_tester(model)
    burst(store, random.Random(5), 400)
    source.flush()
    own.flush()
    want = expected(store, proxy.filter)
    assert proxy_rows(proxy) == own.session_ids() == want
    for model in (source, proxy, own):
        qtmodeltester.check(model)

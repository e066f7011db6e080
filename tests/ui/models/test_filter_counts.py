"""The live counts of the quick filters, checked against the list's own filtered rows
(``ConversationListModel(accept=...)``, what the list pane shows); the predicates
themselves: tests/present/test_filters.py."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel
from pytestqt.qtbot import QtBot

from crisp_console.core import Conversation, Store
from crisp_console.present.filters import FILTER_FIELDS, ConversationFilter, Filter
from crisp_console.ui.models import ConversationListModel, FilterCounts
from tests.core import factories as f
from tests.present.seeded import ME, T, burst, recount, seeded_store
from tests.ui.conftest import SignalLog

Attach = Callable[[QAbstractItemModel], Any]
Filtered = Callable[[ConversationFilter], ConversationListModel]


def expected(store: Store, flt: ConversationFilter) -> list[str]:
    return [s for s in store.conversation_ids() if flt(store.conversations[s])]


def set_state(store: Store, sid: str, state: str) -> None:
    store.apply("session:set_state", f.session_event(sid, state=state))


@pytest.fixture
def filtered(store: Store, qtmodeltester: Any, live_tester: Attach) -> Filtered:
    """``filtered(flt)``: the list's model keeping what ``flt`` takes, under the testers."""
    def make(flt: ConversationFilter) -> ConversationListModel:
        model = ConversationListModel(store, accept=flt)
        qtmodeltester.check(model)
        live_tester(model)
        return model
    return make


@pytest.mark.parametrize("kind", list(Filter))
def test_the_list_shows_what_the_filter_takes_in_the_stores_order_and_counts_agree(
        store: Store, filtered: Filtered, kind: Filter, qtmodeltester: Any) -> None:
    flt = ConversationFilter(kind, ME)
    model = filtered(flt)
    assert model.session_ids() == expected(store, flt)
    assert model.rowCount() == FilterCounts(store, ME).count(kind) > 0
    qtmodeltester.check(model)


def test_the_text_filter_is_case_insensitive_over_name_email_and_excerpt(
        store: Store, filtered: Filtered, qtmodeltester: Any) -> None:
    model = filtered(ConversationFilter(Filter.ALL, ME, "  VISITOR 1"))  # nicknames "Visitor 1x"
    assert model.session_ids() == [s for s in store.conversation_ids()
                                   if store.conversations[s].nickname.startswith("Visitor 1")]
    model.set_accept(ConversationFilter(Filter.ALL, ME, "visitor7@EXAMPLE"))
    assert [model.conversation_at(r).email for r in range(model.rowCount())] == [
        "visitor7@example.com"]
    model.set_accept(ConversationFilter(Filter.ALL, ME, "question number 2"))
    assert len(model.session_ids()) == 5  # last_message of 2 and 20..23
    both = ConversationFilter(Filter.RESOLVED, ME, "question number 2")
    model.set_accept(both)
    assert model.session_ids() == expected(store, both)
    # A live change of the searched field is re-tested.
    sid = model.session_ids()[0]
    store.apply("message:send", f.message_event(sid, timestamp=T + 1, content="hello"))
    model.flush()
    assert sid not in model.session_ids()
    resolved = ConversationFilter(Filter.RESOLVED, ME)
    model.set_accept(resolved)
    assert model.session_ids() == expected(store, resolved)
    qtmodeltester.check(model)


def test_resolving_moves_a_row_out_of_unresolved_and_counts_follow(
        store: Store, filtered: Filtered, qtbot: QtBot, qtmodeltester: Any) -> None:
    counts = FilterCounts(store, ME)
    flt = ConversationFilter(Filter.UNRESOLVED, ME)
    model = filtered(flt)
    log = SignalLog(model)
    before = counts.counts()
    rows = model.session_ids()
    row, sid = next((r, s) for r, s in enumerate(rows)
                    if store.conversations[s].state == "unresolved")
    with qtbot.waitSignal(counts.changed, timeout=1000):
        set_state(store, sid, "resolved")
        # The counts are exact at once; the signal waits for the timer.
        assert counts.count(Filter.UNRESOLVED) == before[Filter.UNRESOLVED] - 1
        assert counts.count(Filter.RESOLVED) == before[Filter.RESOLVED] + 1
    model.flush()
    assert model.session_ids() == [s for s in rows if s != sid] == expected(store, flt)
    assert log.of("rowsRemoved") == [(row, row)]
    assert model.rowCount() == counts.count(Filter.UNRESOLVED)
    # Reopening brings it back at its row.
    set_state(store, sid, "unresolved")
    model.flush()
    assert model.session_ids() == rows
    assert counts.counts() == before
    # A pending one moves down in the store's order when resolved, out of the list.
    pending = next(s for s in rows if store.conversations[s].state == "pending")
    set_state(store, pending, "resolved")
    model.flush()
    assert model.session_ids() == [s for s in rows if s != pending]
    assert model.rowCount() == counts.count(Filter.UNRESOLVED)
    qtmodeltester.check(model)


def test_mine_and_mentions_follow_the_user_id(
        store: Store, filtered: Filtered, qtmodeltester: Any) -> None:
    counts = FilterCounts(store, None)
    assert counts.count(Filter.MINE) == 0
    model = filtered(ConversationFilter(Filter.MINE, None))
    assert model.rowCount() == 0
    model.set_accept(ConversationFilter(Filter.MENTIONS, None))
    assert model.rowCount() == counts.count(Filter.MENTIONS) == store.count(
        lambda c: bool(c.mentions))
    counts.set_user_id(ME)
    model.set_accept(ConversationFilter(Filter.MENTIONS, ME))
    assert model.rowCount() == counts.count(Filter.MENTIONS) == store.count(
        lambda c: ME in c.mentions) > 0
    model.set_accept(ConversationFilter(Filter.MINE, ME))
    assert model.rowCount() == counts.count(Filter.MINE) == store.count(
        lambda c: c.assigned == ME) > 0
    assert counts.counts() == recount(store, ME)
    qtmodeltester.check(model)


def test_a_note_mentioning_me_adds_the_conversation_to_mentions(
        store: Store, filtered: Filtered, qtmodeltester: Any) -> None:
    counts = FilterCounts(store, ME)
    model = filtered(ConversationFilter(Filter.MENTIONS, ME))
    sid = next(s for s in store.conversation_ids() if not store.conversations[s].mentions)
    store.apply("message:received", f.message_event(
        sid, from_="operator", type="note", content="@Ada look", timestamp=T + 5,
        mentions=[ME]))
    model.flush()
    assert sid in model.session_ids()
    assert counts.counts() == recount(store, ME)
    qtmodeltester.check(model)


def test_counts_are_incremental(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = FilterCounts(store, ME, coalesce=False)
    evaluated: list[str] = []
    real = counts._mask  # noqa: SLF001 - spied on

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


def test_the_filtered_list_and_the_counts_follow_a_burst(qtmodeltester: Any,
                                                         live_tester: Attach) -> None:
    store = seeded_store(80)
    flt = ConversationFilter(Filter.UNRESOLVED, ME, "visitor")
    own = ConversationListModel(store, accept=flt)
    counts = FilterCounts(store, ME)
    qtmodeltester.check(own)
    live_tester(own)
    burst(store, random.Random(5), 400)
    own.flush()
    assert own.session_ids() == expected(store, flt)
    assert counts.counts() == recount(store, ME)
    qtmodeltester.check(own)


def test_a_text_filter_counts_its_combination_with_each_tab(qtbot: QtBot) -> None:
    """With text in the list's filter box, each tab counts what it would show: the
    combination, kept exact through a burst that renames and re-words conversations."""
    store = seeded_store(200)
    counts = FilterCounts(store, ME)
    word = "VISITOR 1"  # Visitor 1, Visitor 10…: some, not all

    def combined() -> dict[Filter, int]:
        return {kind: sum(1 for c in store.conversations.values()
                          if ConversationFilter(kind, ME, word)(c)) for kind in Filter}

    counts.set_text(word)
    assert counts.counts() == combined()
    assert counts.count(Filter.ALL) < len(store.conversations)
    burst(store, random.Random(5), 400)
    counts.flush()
    assert counts.counts() == combined()
    counts.set_text("")
    assert counts.counts() == recount(store, ME)

"""ConversationListModel: the store's conversation list, one-to-one or coalesced, under
Qt's model tester the whole time."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Ordering, Store
from crisp_console.present.filters import ConversationFilter, Filter
from crisp_console.ui.models import ITEM_ROLE, ConversationListModel, ConversationRole
from crisp_console.ui.models.roles import CONVERSATION_FIELD_ROLES, roles_for
from tests.core import factories as f
from tests.present.seeded import (
    ME,
    SITES,
    T,
    burst,
    conversation_payload,
    seeded_store,
    visitor_says,
)
from tests.ui.conftest import SignalLog, pending

Attach = Callable[[QAbstractItemModel], Any]
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
R = ConversationRole


def watched(store: Store, qtmodeltester: Any, live_tester: Attach,
            **kw: Any) -> tuple[ConversationListModel, SignalLog]:
    model = ConversationListModel(store, **kw)
    qtmodeltester.check(model)
    live_tester(model)
    return model, SignalLog(model)


def rows_of(model: ConversationListModel) -> list[str]:
    """The rows as a view reads them: through data(), not the model's helpers."""
    return [model.index(r).data(R.SESSION_ID) for r in range(model.rowCount())]


def store_changes(store: Store) -> list[Change]:
    seen: list[Change] = []
    store.subscribe(lambda c: seen.append(c) if c.collection == CONVERSATIONS else None)
    return seen


# ---- basics ------------------------------------------------------------------------------------


def test_rows_and_roles_follow_the_store(store: Store, qtmodeltester: Any,
                                         live_tester: Attach) -> None:
    model, _ = watched(store, qtmodeltester, live_tester)
    assert rows_of(model) == store.conversation_ids()
    conv = store.conversation_at(0)
    index = model.index(0)
    assert index.data(ITEM_ROLE) is conv
    assert index.data(DISPLAY) == index.data(R.NAME) == conv.nickname
    assert index.data(R.EXCERPT) == conv.last_message
    assert (index.data(R.STATE), index.data(R.UNREAD), index.data(R.UPDATED_AT)) == (
        conv.state, conv.unread_operator, conv.updated_at)
    assert index.data(R.WEBSITE_ID) == conv.website_id
    assert index.data(Qt.ItemDataRole.DecorationRole) is None
    assert model.roleNames()[R.ITEM].data() == b"item"
    assert model.row_of(conv.session_id) == 0 and model.row_of("nope") == -1
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("coalesce", [False, True])
def test_new_conversations_are_inserted_at_their_rows(
        store: Store, qtmodeltester: Any, live_tester: Attach, coalesce: bool) -> None:
    model, log = watched(store, qtmodeltester, live_tester, coalesce=coalesce)
    changes = store_changes(store)
    # Three land on top (pending and newest), one in the middle, one at the very bottom.
    newest = [conversation_payload(100 + i, state="pending", updated_at=T + 1000 - i)
              for i in range(3)]
    middle = conversation_payload(200, state="unresolved", updated_at=T - 5 * 60_000 - 1)
    oldest = conversation_payload(201, state="resolved", updated_at=T - 10**9)
    store.upsert_conversations([*newest, middle, oldest])
    model.flush()
    assert rows_of(model) == store.conversation_ids()
    inserted = log.of("rowsInserted")
    rows = {p["session_id"]: store.row_of(p["session_id"]) for p in [*newest, middle, oldest]}
    assert [rows[p["session_id"]] for p in newest] == [0, 1, 2]
    # Each range is where its conversations are now.
    covered = sorted(r for first, last in inserted for r in range(first, last + 1))
    assert covered == sorted(rows.values())
    if coalesce:
        assert len(inserted) == 3  # top run, middle, bottom
    else:  # exactly the store's pairs
        assert inserted == [(c.first, c.last) for c in changes
                            if c.kind is ChangeKind.INSERTED]
    assert log.counts()["rowsAboutToBeInserted"] == len(inserted)
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_a_visitor_message_moves_its_row_up(store: Store, qtmodeltester: Any,
                                            live_tester: Attach, coalesce: bool) -> None:
    model, log = watched(store, qtmodeltester, live_tester, coalesce=coalesce)
    changes = store_changes(store)
    bottom = store.conversation_count() - 1
    sid = store.conversation_ids()[bottom]
    followed = QPersistentModelIndex(model.index(bottom))
    visitor_says(store, sid, T + 5_000, "Are you there?")
    if coalesce:
        assert model.session_id_at(bottom) == sid  # the view has not been told yet
        assert followed.row() == bottom
    model.flush()
    top = store.row_of(sid)
    assert top < bottom and rows_of(model) == store.conversation_ids()
    assert log.of("rowsMoved") == [(bottom, bottom, store.row_of(sid))]
    assert followed.row() == top and followed.data(R.EXCERPT) == "Are you there?"
    # dataChanged names exactly the roles of the fields that changed.
    fields = next(c.fields for c in changes if c.kind is ChangeKind.CHANGED)
    assert {"last_message", "updated_at", "unread_operator"} <= fields
    assert log.of("dataChanged") == [(top, top, sorted(roles_for(fields,
                                                                 CONVERSATION_FIELD_ROLES)))]
    qtmodeltester.check(model)


@pytest.mark.parametrize(("event", "extra", "roles"), [
    ("session:set_state", {"state": "resolved"}, {ITEM_ROLE, R.STATE}),
    ("session:set_nickname", {"nickname": "Renamed"}, {ITEM_ROLE, R.NAME, DISPLAY}),
    ("session:set_routing", {"routing_id": None}, {ITEM_ROLE, R.ASSIGNED}),
    ("message:compose:send", {"type": "start", "excerpt": "I am typ"}, {ITEM_ROLE, R.TYPING}),
    ("session:set_block", {"is_blocked": True}, {ITEM_ROLE}),
])
def test_data_changed_carries_the_roles_of_the_changed_fields(
        store: Store, qtmodeltester: Any, live_tester: Attach, event: str,
        extra: dict[str, Any], roles: set[int]) -> None:
    model, log = watched(store, qtmodeltester, live_tester)
    # Unresolved and assigned: every event above changes something, and none moves the row.
    sid = next(s for s in store.conversation_ids() if store.conversations[s].state ==
               "unresolved" and store.conversations[s].assigned == ME)
    row = store.row_of(sid)
    store.apply(event, f.session_event(sid, **extra))
    model.flush()
    assert log.of("dataChanged") == [(row, row, sorted(roles))]
    assert log.counts() == {"dataChanged": 1}
    qtmodeltester.check(model)


def test_removed_rows_answer_until_the_removal_is_flushed(
        store: Store, qtmodeltester: Any, live_tester: Attach) -> None:
    model, log = watched(store, qtmodeltester, live_tester)
    sid = store.conversation_ids()[3]
    conv = store.conversations[sid]
    store.apply("session:removed", f.session_event(sid, website_id=conv.website_id))
    assert sid not in store.conversations
    # The view still has the row; data() reads it from the reference taken at REMOVING.
    assert model.rowCount() == store.conversation_count() + 1
    assert model.index(3).data(ITEM_ROLE) is conv
    assert model.index(3).data(DISPLAY) == conv.nickname
    model.flush()
    assert log.of("rowsRemoved") == [(3, 3)]
    assert rows_of(model) == store.conversation_ids()
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_removing_a_website_removes_its_rows(store: Store, qtmodeltester: Any,
                                             live_tester: Attach, coalesce: bool) -> None:
    model, log = watched(store, qtmodeltester, live_tester, coalesce=coalesce)
    changes = store_changes(store)
    before = {s: store.conversations[s].website_id for s in store.conversation_ids()}
    store.remove_website(SITES[1])
    model.flush()
    assert rows_of(model) == store.conversation_ids() == [
        s for s, site in before.items() if site == SITES[0]]
    removed = sum(last - first + 1 for first, last in log.of("rowsRemoved"))
    assert removed == len(before) - len(store.conversation_ids())
    assert log.of("rowsRemoved") == [(c.first, c.last) for c in changes
                                     if c.kind is ChangeKind.REMOVED]
    qtmodeltester.check(model)


def test_set_ordering_resets_and_drops_what_was_queued(
        store: Store, qtmodeltester: Any, live_tester: Attach) -> None:
    model, log = watched(store, qtmodeltester, live_tester)
    visitor_says(store, store.conversation_ids()[-1], T + 1)  # queued, not flushed
    store.set_ordering(Ordering.CREATED)
    assert log.counts() == {"modelAboutToBeReset": 1, "modelReset": 1}
    assert not model.pending
    assert rows_of(model) == store.conversation_ids()
    # The new ordering's keys drive the next moves.
    sid = store.conversation_ids()[-1]
    store.update_conversation(sid, {"created_at": T + 10**6})
    model.flush()
    assert rows_of(model) == store.conversation_ids() and store.row_of(sid) == 0
    assert log.of("rowsMoved")[-1][2] == 0
    store.clear()
    assert model.rowCount() == 0
    qtmodeltester.check(model)


# ---- coalescing ----------------------------------------------------------------------------------


def test_a_burst_of_1000_events_is_coalesced(qtmodeltester: Any, live_tester: Attach) -> None:
    store = seeded_store(200)
    exact, exact_log = watched(store, qtmodeltester, live_tester, coalesce=False)
    merged, merged_log = watched(store, qtmodeltester, live_tester)
    burst(store, random.Random(7))
    assert merged.pending and len(merged_log) == 0  # nothing reached the view yet
    merged.flush()
    assert rows_of(merged) == rows_of(exact) == store.conversation_ids()
    # Seed 7 gives 2564 signals one-to-one (730 moves, 810 dataChanged, 114 inserts, 33
    # removals, each move/insert/removal a pair) and 484 coalesced.
    one_to_one, coalesced = len(exact_log), len(merged_log)
    assert coalesced * 4 < one_to_one
    counts = merged_log.counts()
    # The ~100 new conversations land on top of the pending and of the unresolved rows: two
    # ranges. At most one move and one dataChanged per conversation.
    assert counts["rowsInserted"] == 2
    assert counts["rowsMoved"] <= store.conversation_count()
    assert counts["dataChanged"] <= store.conversation_count()
    qtmodeltester.check(merged)
    qtmodeltester.check(exact)


QT_NAMES = {ChangeKind.INSERTING: "rowsAboutToBeInserted", ChangeKind.INSERTED: "rowsInserted",
            ChangeKind.MOVING: "rowsAboutToBeMoved", ChangeKind.MOVED: "rowsMoved",
            ChangeKind.REMOVING: "rowsAboutToBeRemoved", ChangeKind.REMOVED: "rowsRemoved"}


def as_qt(c: Change) -> list[tuple[str, tuple[Any, ...]]]:
    """The Qt signals a Change maps to, one-to-one."""
    if c.kind is ChangeKind.CHANGED:
        return [("dataChanged", (c.first, c.last,
                                 sorted(roles_for(c.fields, CONVERSATION_FIELD_ROLES))))]
    if c.kind is ChangeKind.RESET:
        return [("modelAboutToBeReset", ()), ("modelReset", ())]
    if c.kind in (ChangeKind.MOVING, ChangeKind.MOVED):
        return [(QT_NAMES[c.kind], (c.first, c.last, c.dest))]
    return [(QT_NAMES[c.kind], (c.first, c.last))]


def test_without_coalescing_the_signals_are_the_stores_changes(
        qtmodeltester: Any, live_tester: Attach) -> None:
    store = seeded_store(60)
    model, log = watched(store, qtmodeltester, live_tester, coalesce=False)
    changes = store_changes(store)
    burst(store, random.Random(3), 300)
    store.set_ordering(Ordering.WAITING)
    burst(store, random.Random(4), 100)
    assert log.events == [signal for c in changes for signal in as_qt(c)]
    assert {name for name, _ in log.events} >= set(QT_NAMES.values()) | {"dataChanged"}
    assert rows_of(model) == store.conversation_ids()
    qtmodeltester.check(model)


def test_the_timer_flushes_by_itself_within_a_frame(
        store: Store, qtbot: QtBot, live_tester: Attach, qtmodeltester: Any) -> None:
    model = ConversationListModel(store, interval_ms=16)
    live_tester(model)
    sid = store.conversation_ids()[-1]
    with qtbot.waitSignal(model.rowsMoved, timeout=1000):
        for i in range(50):
            visitor_says(store, sid, T + i)
        assert model.pending
    assert not pending(model) and rows_of(model) == store.conversation_ids()
    with pytest.raises(ValueError, match="interval_ms"):
        ConversationListModel(store, interval_ms=17)
    qtmodeltester.check(model)


def test_a_conversation_removed_and_added_again_is_refreshed_whole(
        store: Store, qtmodeltester: Any, live_tester: Attach) -> None:
    model, log = watched(store, qtmodeltester, live_tester)
    sid = store.conversation_ids()[5]
    site = store.conversations[sid].website_id
    store.apply("session:removed", f.session_event(sid, website_id=site))
    store.upsert_conversation(f.conversation(sid, website_id=site, updated_at=T - 5 * 60_000,
                                             state="pending", meta={"nickname": "Back"}))
    model.flush()
    assert rows_of(model) == store.conversation_ids()
    row = store.row_of(sid)
    assert model.index(row).data(DISPLAY) == "Back"
    assert (row, row, []) in log.of("dataChanged")  # [] is "every role"
    assert log.counts()["rowsRemoved"] == log.counts()["rowsInserted"] == 0
    qtmodeltester.check(model)


# ---- the model's own filter ---------------------------------------------------------------


@pytest.mark.parametrize("coalesce", [False, True])
def test_the_models_own_filter_follows_the_store(store: Store, qtmodeltester: Any,
                                                 live_tester: Attach, coalesce: bool) -> None:
    unresolved = ConversationFilter(Filter.UNRESOLVED)
    model, log = watched(store, qtmodeltester, live_tester, coalesce=coalesce,
                         accept=unresolved)

    def expected() -> list[str]:
        return [s for s in store.conversation_ids() if unresolved(store.conversations[s])]

    assert rows_of(model) == expected()
    sid = model.session_id_at(2)
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    model.flush()
    assert sid not in rows_of(model) and rows_of(model) == expected()
    assert log.of("rowsRemoved") == [(2, 2)]
    store.apply("session:set_state", f.session_event(sid, state="pending"))
    model.flush()
    assert rows_of(model) == expected() and model.row_of(sid) == expected().index(sid)
    model.set_accept(ConversationFilter(Filter.ALL, text="VISITOR 1"))
    assert rows_of(model) == [s for s in store.conversation_ids()
                              if store.conversations[s].nickname.startswith("Visitor 1")]
    model.set_accept(None)
    assert rows_of(model) == store.conversation_ids()
    qtmodeltester.check(model)


# ---- re-entrancy -------------------------------------------------------------------------------


def test_slots_may_change_the_store_while_signals_go_out(qtmodeltester: Any,
                                                        live_tester: Attach) -> None:
    """A view's slot that reacts to a row (marks it read, say) changes the store during the
    flush: the same flush applies that too, and a reset from a slot ends the stale pass.
    (Coalesced only: without coalescing the signals go out inside the store's notification,
    where the store forbids changes.)"""
    store = seeded_store(40)
    model, log = watched(store, qtmodeltester, live_tester)
    rng = random.Random(9)
    reset_done: list[bool] = []

    def mark_read(_parent: Any, first: int, _last: int) -> None:
        # Touches a new row and an old one (whose stale key this flush still holds).
        for sid in (model.session_id_at(first), rng.choice(store.conversation_ids())):
            if store.conversations.get(sid) and store.conversations[sid].unread_operator:
                store.update_conversation(sid, {"unread_operator": 0,
                                                "updated_at": T + 10**7 + rng.randint(0, 99)})
        model.flush()  # nested: returns at once

    def reorder_once(*_args: Any) -> None:
        if not reset_done:
            reset_done.append(True)
            store.set_ordering(Ordering.WAITING)

    model.rowsInserted.connect(mark_read)
    model.rowsMoved.connect(reorder_once)
    burst(store, rng, 300)
    model.flush()
    assert reset_done and log.counts()["modelReset"] == 1
    assert rows_of(model) == store.conversation_ids()
    assert not model.pending
    qtmodeltester.check(model)

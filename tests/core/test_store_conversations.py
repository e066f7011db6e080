"""The conversation list: bulk loads as ranges, the three orderings, moves with Qt's
destination rule, removal, website removal, set_ordering."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import ApplyResult, Change, ChangeKind, Ordering, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES, WEBSITES
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME
INS = (ChangeKind.INSERTING, ChangeKind.INSERTED)


def load(store: Store, *payloads: dict[str, Any]) -> list[str]:
    assert store.upsert_conversations(list(payloads)) is ApplyResult.APPLIED
    return [p["session_id"] for p in payloads]


def convs_by_activity(n: int, **kw: Any) -> list[dict[str, Any]]:
    """n unresolved conversations; the first is the most recent."""
    return [f.conversation(updated_at=T - i * 1000, **kw) for i in range(n)]


def spans(changes: list[Change]) -> list[tuple[ChangeKind, int, int, int]]:
    return [(c.kind, c.first, c.last, c.dest) for c in changes]


def test_initial_load_is_one_range_in_activity_order(store: Store, mirror: QtMirror) -> None:
    payloads = convs_by_activity(5)
    pending = f.conversation(state="pending", updated_at=T - 10**6)
    ids = load(store, *reversed(payloads), pending)
    assert spans(mirror.take()) == [(ChangeKind.INSERTING, 0, 5, -1),
                                    (ChangeKind.INSERTED, 0, 5, -1)]
    # Pending first whatever its age, then the latest activity first.
    assert store.conversation_ids() == [pending["session_id"], *reversed(ids[:5])]
    assert store.conversation_count() == 6
    assert store.conversation_at(0).state == "pending"


def test_load_into_gaps_gives_one_range_per_gap(store: Store, mirror: QtMirror) -> None:
    a, b, c = convs_by_activity(3)  # rows 0, 1, 2
    load(store, a, c)
    mirror.take()
    before_a = f.conversation(updated_at=T + 5)
    between = [f.conversation(updated_at=T - 1500 + i) for i in range(2)]
    load(store, *between, before_a, b)
    assert spans(mirror.take()) == [
        (ChangeKind.INSERTING, 0, 0, -1), (ChangeKind.INSERTED, 0, 0, -1),
        (ChangeKind.INSERTING, 2, 4, -1), (ChangeKind.INSERTED, 2, 4, -1)]
    assert store.conversation_ids()[0] == before_a["session_id"]


def test_upsert_of_known_conversation_updates_in_place(store: Store, mirror: QtMirror) -> None:
    payloads = convs_by_activity(3)
    load(store, *payloads)
    mirror.take()
    changed = dict(payloads[1], last_message="new text", unread={"operator": 3, "visitor": 0})
    assert store.upsert_conversation(changed) is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert (change.kind, change.first, change.fields) == (
        ChangeKind.CHANGED, 1, frozenset({"last_message", "unread_operator"}))
    assert store.upsert_conversation(changed) is ApplyResult.IGNORED
    assert mirror.take() == []


@pytest.mark.parametrize(("src", "new_updated_at", "dest", "row_after"), [
    (5, T + 1, 0, 0),  # to the top: dest 0
    (0, T - 3500, 4, 3),  # row 0 to after row 3: dest 4
    (2, T - 10**9, 10, 9),  # to the bottom: dest == len
    (3, T - 2500, None, 3),  # between the same neighbours: no move
    (3, T - 3000, None, 3),  # unchanged key
])
def test_move_uses_qt_destination(store: Store, mirror: QtMirror, src: int,
                                  new_updated_at: int, dest: int | None, row_after: int) -> None:
    ids = load(store, *convs_by_activity(10))
    mirror.take()
    sid = ids[src]
    store.update_conversation(sid, {"updated_at": new_updated_at})
    changes = mirror.take()
    moves = [c for c in changes if c.kind in (ChangeKind.MOVING, ChangeKind.MOVED)]
    if dest is None:
        assert moves == []
    else:
        assert spans(moves) == [(ChangeKind.MOVING, src, src, dest),
                                (ChangeKind.MOVED, src, src, dest)]
    assert store.row_of(sid) == row_after
    if new_updated_at != T - src * 1000:
        assert changes[-1].kind is ChangeKind.CHANGED and changes[-1].first == row_after
        assert changes[-1].fields == {"updated_at"}


def test_field_outside_the_key_never_moves(store: Store, mirror: QtMirror) -> None:
    ids = load(store, *convs_by_activity(4))
    mirror.take()
    assert store.update_conversation(ids[2], {"nickname": "Z", "is_blocked": True}) == {
        "nickname", "is_blocked"}
    assert spans(mirror.take()) == [(ChangeKind.CHANGED, 2, 2, -1)]
    assert store.update_conversation("missing", {"nickname": "Z"}) == frozenset()


def test_state_change_moves_out_of_the_pending_block(store: Store, mirror: QtMirror) -> None:
    pending = [f.conversation(state="pending", updated_at=T - i) for i in range(3)]
    others = convs_by_activity(3)
    ids = load(store, *pending, *others)
    mirror.take()
    store.update_conversation(ids[0], {"state": "unresolved"})  # newest: lands at row 2
    assert spans(mirror.take()[:2]) == [(ChangeKind.MOVING, 0, 0, 3),
                                        (ChangeKind.MOVED, 0, 0, 3)]
    assert store.row_of(ids[0]) == 2


def test_waiting_ordering(store: Store, mirror: QtMirror) -> None:
    store.set_ordering(Ordering.WAITING)
    a = f.conversation(waiting_since=T - 50)
    b = f.conversation(waiting_since=T - 10)
    c = f.conversation(waiting_since=0, drop=("waiting_since",), updated_at=T)
    d = f.conversation(waiting_since=0, updated_at=T - 1)
    load(store, d, c, b, a)
    assert store.conversation_ids() == [x["session_id"] for x in (a, b, c, d)]
    mirror.take()
    store.update_conversation(a["session_id"], {"waiting_since": 0})  # answered
    assert spans(mirror.take()[:2]) == [(ChangeKind.MOVING, 0, 0, 2),
                                        (ChangeKind.MOVED, 0, 0, 2)]


def test_created_ordering_ignores_activity(store: Store, mirror: QtMirror) -> None:
    store.set_ordering(Ordering.CREATED)
    old = f.conversation(created_at=T - 100, updated_at=T + 100)
    new = f.conversation(created_at=T, updated_at=T - 100)
    load(store, old, new)
    assert store.conversation_ids() == [new["session_id"], old["session_id"]]
    mirror.take()
    store.update_conversation(old["session_id"], {"updated_at": T + 10**6, "state": "pending"})
    assert [c.kind for c in mirror.take()] == [ChangeKind.CHANGED]


def test_set_ordering_resorts_and_resets(store: Store, mirror: QtMirror) -> None:
    early = f.conversation(created_at=T - 500, updated_at=T)
    late = f.conversation(created_at=T - 100, updated_at=T - 300)
    load(store, early, late)
    assert store.conversation_ids() == [early["session_id"], late["session_id"]]
    mirror.take()
    store.set_ordering(Ordering.CREATED)
    assert [(c.kind, c.collection) for c in mirror.take()] == [
        (ChangeKind.RESET, CONVERSATIONS)]
    assert store.conversation_ids() == [late["session_id"], early["session_id"]]
    store.set_ordering(Ordering.CREATED)
    assert mirror.take() == []  # same ordering: nothing to do


def test_remove_conversation(store: Store, mirror: QtMirror) -> None:
    ids = load(store, *convs_by_activity(3))
    store.apply("message:send", f.message_event(ids[1], timestamp=T - 1500))
    mirror.take()
    assert store.remove_conversation(ids[1]) is ApplyResult.APPLIED
    changes = mirror.take()
    assert spans(changes[:2]) == [(ChangeKind.REMOVING, 1, 1, -1),
                                  (ChangeKind.REMOVED, 1, 1, -1)]
    # Its loaded timeline is dropped too, announced as a reset of that timeline.
    assert (changes[2].kind, changes[2].collection, changes[2].key) == (
        ChangeKind.RESET, MESSAGES, ids[1])
    assert ids[1] not in store.conversations and store.messages(ids[1]) == []
    assert store.row_of(ids[1]) == -1
    assert store.remove_conversation(ids[1]) is ApplyResult.IGNORED


def test_remove_website_removes_its_conversations_in_runs(store: Store,
                                                          mirror: QtMirror) -> None:
    store.set_websites([f.website(), f.website(f.OTHER_WEBSITE)])
    mixed = [f.conversation(updated_at=T - i * 10,
                            website_id=f.OTHER_WEBSITE if i in (1, 2, 4) else f.WEBSITE)
             for i in range(6)]
    load(store, *mixed)
    mirror.take()
    assert store.remove_website(f.OTHER_WEBSITE) is ApplyResult.APPLIED
    assert spans(mirror.take()) == [
        (ChangeKind.REMOVING, 4, 4, -1), (ChangeKind.REMOVED, 4, 4, -1),
        (ChangeKind.REMOVING, 1, 2, -1), (ChangeKind.REMOVED, 1, 2, -1),
        (ChangeKind.REMOVING, 1, 1, -1), (ChangeKind.REMOVED, 1, 1, -1)]
    assert [store.conversation_at(r).website_id for r in range(3)] == [f.WEBSITE] * 3
    assert store.website_ids() == [f.WEBSITE]
    assert store.remove_website(f.OTHER_WEBSITE) is ApplyResult.IGNORED


def test_removal_notifications_see_the_row_before_it_goes(store: Store) -> None:
    ids = load(store, *convs_by_activity(3))
    seen: list[tuple[ChangeKind, bool]] = []

    def observer(c: Change) -> None:
        if c.collection == CONVERSATIONS:
            seen.append((c.kind, ids[1] in store.conversations))

    store.subscribe(observer)
    store.remove_conversation(ids[1])
    assert seen == [(ChangeKind.REMOVING, True), (ChangeKind.REMOVED, False)]


def test_bulk_load_rejects_non_lists_and_skips_bad_items(store: Store, mirror: QtMirror) -> None:
    assert store.upsert_conversations({"session_id": "x"}) is ApplyResult.MALFORMED
    assert store.upsert_conversations([None, {"website_id": 1}]) is ApplyResult.MALFORMED
    good = f.conversation()
    assert store.upsert_conversations([None, good]) is ApplyResult.APPLIED
    assert store.conversation_ids() == [good["session_id"]]
    assert store.upsert_conversations([]) is ApplyResult.IGNORED


def test_duplicates_in_one_load_keep_the_last(store: Store, mirror: QtMirror) -> None:
    first = f.conversation(last_message="one")
    second = dict(first, last_message="two")
    load(store, first, second)
    assert store.conversation_count() == 1
    assert store.conversations[first["session_id"]].last_message == "two"


def test_count_and_clear(store: Store, mirror: QtMirror) -> None:
    load(store, *convs_by_activity(3), f.conversation(state="pending"))
    store.set_websites([f.website()])
    assert store.count(lambda c: c.state == "pending") == 1
    mirror.take()
    store.clear()
    resets = [(c.kind, c.collection, c.key) for c in mirror.take()]
    assert (ChangeKind.RESET, CONVERSATIONS, None) in resets
    assert (ChangeKind.RESET, WEBSITES, None) in resets
    assert (ChangeKind.RESET, MESSAGES, None) in resets  # every timeline
    assert store.conversation_ids() == [] and store.websites == {} and store.website_ids() == []

"""Store.restore: a saved snapshot comes back with one RESET per collection, sorted rows and
each timeline's bookkeeping, and the store then behaves as if it had loaded it from REST."""

from __future__ import annotations

from crisp_console.core import (
    Change,
    ChangeKind,
    Conversation,
    Message,
    MessageStatus,
    Operator,
    Person,
    SavedTimeline,
    Snapshot,
    Store,
    Website,
)
from crisp_console.core.changes import COLLECTIONS, MESSAGES
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.core.mirror import QtMirror


def _snapshot(count: int = 30) -> tuple[Snapshot, list[str]]:
    sids = [f.session_id() for _ in range(count)]
    convs = [Conversation.from_payload(f.conversation(
        sid, updated_at=f.BASE_TIME + (i * 7919) % count * 1000,
        state=("pending", "unresolved", "resolved")[i % 3])) for i, sid in enumerate(sids)]
    timelines = []
    for sid in sids[:3]:
        # Out of order on purpose, one twin and one of another conversation: restore sorts,
        # keeps the first of a fingerprint and drops the stranger.
        msgs = [Message.from_payload(f.message(sid, timestamp=f.BASE_TIME - k * 1000))
                for k in range(5)]
        twin = Message.from_payload(f.message(sid, fingerprint=msgs[0].fingerprint,
                                              content="twin"))
        stranger = Message.from_payload(f.message(sids[-1]))
        timelines.append(SavedTimeline(sid, [*msgs, twin, stranger], loaded=True,
                                       cursor=f.BASE_TIME - 4000, at_start=sid == sids[0]))
    timelines.append(SavedTimeline(f.session_id(), []))  # no such conversation: dropped
    snap = Snapshot(
        websites=[Website.from_payload(f.website()),
                  Website.from_payload(f.website(f.OTHER_WEBSITE))],
        operators=[Operator.from_payload(f.operator())],
        people=[Person.from_payload(f.profile(), f.WEBSITE)],
        conversations=[*convs, Conversation.from_payload(f.conversation(sids[0],
                                                                        last_message="dup"))],
        timelines=timelines)
    return snap, sids


def test_restore_announces_one_reset_per_collection() -> None:
    store = Store(block_size=4)
    seen: list[Change] = []
    store.subscribe(seen.append)
    snap, _ = _snapshot()
    store.restore(snap)
    assert [(c.kind, c.collection, c.key) for c in seen] == [
        (ChangeKind.RESET, collection, None) for collection in COLLECTIONS]


def test_restore_keeps_the_parts_invariants() -> None:
    store = Store(block_size=4)
    mirror = QtMirror(store)
    snap, sids = _snapshot()
    store.restore(snap)
    mirror.check()
    assert_consistent(store)
    assert store.conversation_count() == len(sids)
    assert store.conversations[sids[0]].last_message != "dup"  # the first wins
    assert store.website_ids() == [f.WEBSITE, f.OTHER_WEBSITE]
    assert store.operator_ids() == [f.OPERATOR]
    assert len(store.people_ids()) == 1
    for sid in sids[:3]:
        msgs = store.messages(sid)
        assert len(msgs) == 5 and "twin" not in [m.content for m in msgs]
        assert [m.timestamp for m in msgs] == sorted(m.timestamp for m in msgs)
        assert store.timeline_loaded(sid)
        assert store.history_cursor(sid) == f.BASE_TIME - 4000
        assert store.at_history_start(sid) is (sid == sids[0])
    assert not store.timeline_loaded(sids[-1]) and store.message_count(sids[-1]) == 0


def test_a_restored_store_takes_live_events_and_pages_as_usual() -> None:
    store = Store(block_size=4)
    mirror = QtMirror(store)
    snap, sids = _snapshot()
    store.restore(snap)
    sid = sids[1]
    mirror.lists[(MESSAGES, sid)] = mirror.truth(MESSAGES, sid)  # a view bound to it reads it
    store.apply("message:send", f.message_event(sid, timestamp=f.BASE_TIME + 10**6,
                                                content="live after restore"))
    assert store.conversations[sid].last_message == "live after restore"
    page = [f.message(sid, timestamp=f.BASE_TIME - 10_000 - k) for k in range(3)]
    store.add_history_page(sid, page, older=True)
    assert store.history_cursor(sid) == f.BASE_TIME - 10_002
    assert store.message_count(sid) == 5 + 1 + 3
    store.remove_conversation(sid)
    assert not store.timeline_loaded(sid)
    mirror.check()
    assert_consistent(store)


def test_restore_replaces_what_the_store_held() -> None:
    store = Store()
    store.upsert_conversations([f.conversation()])
    snap, sids = _snapshot(5)
    store.restore(snap)
    assert set(store.conversations) == set(sids)
    store.restore(Snapshot())
    assert not store.conversations and not store.websites and not store.people


def test_restored_messages_keep_their_status_and_meta_is_shared() -> None:
    store = Store()
    a, b = f.session_id(), f.session_id()
    convs = [Conversation.from_payload(f.conversation(sid)) for sid in (a, b)]
    msg = Message.from_payload(f.message(a))
    msg.status = MessageStatus.SENT
    store.restore(Snapshot(conversations=convs, timelines=[SavedTimeline(a, [msg])]))
    assert store.message(a, msg.fingerprint) is msg
    # Equal device values of two restored rows become one object, as after a REST load,
    # once shared (after the first frame, a slice at a time).
    device_a = store.conversations[a].meta["device"]
    assert store.share_restored(limit=1)  # one slice: the other row is still to do
    assert not store.share_restored(limit=1)
    assert store.conversations[a].meta["device"] is store.conversations[b].meta["device"]
    assert store.conversations[a].meta["device"] == device_a


def test_forget_timeline_drops_it_with_its_bookkeeping() -> None:
    store = Store()
    snap, sids = _snapshot(5)
    store.restore(snap)
    seen: list[Change] = []
    store.subscribe(seen.append)
    assert store.forget_timeline(sids[0])
    assert seen == [Change(ChangeKind.RESET, MESSAGES, key=sids[0])]
    assert store.message_count(sids[0]) == 0 and not store.timeline_loaded(sids[0])
    assert store.history_cursor(sids[0]) is None
    assert sids[0] in store.conversations
    assert not store.forget_timeline(sids[0])
    assert not store.forget_timeline(123)  # type: ignore[arg-type]

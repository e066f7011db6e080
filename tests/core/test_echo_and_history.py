"""Local echo (pending -> sent / failed / discarded) and REST history pages."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import ApplyResult, ChangeKind, Message, MessageStatus, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME


@pytest.fixture
def sid(store: Store, mirror: QtMirror) -> str:
    """Row 2 of three conversations, nobody waiting, no unread."""
    payloads = [f.conversation(updated_at=T - i * 100, unread={"operator": 0, "visitor": 0})
                for i in range(3)]
    store.upsert_conversations(payloads)
    mirror.take()
    return str(payloads[2]["session_id"])


def pend(store: Store, sid: str, fp: int, ts: int, content: str = "On it") -> Message:
    return store.add_pending(sid, fingerprint=fp, type="text", content=content,
                             user_id=f.OPERATOR, nickname="Ada Lovelace", timestamp=ts)


def status(store: Store, sid: str, fp: int) -> tuple[MessageStatus, str | None]:
    msg = store.message(sid, fp)
    assert msg is not None
    return msg.status, msg.error


def echo_of(sid: str, fp: int, ts: int, **kw: Any) -> dict[str, Any]:
    return f.message_event(sid, from_="operator", fingerprint=fp, timestamp=ts, **kw)


def test_add_pending_appends_and_bumps(store: Store, mirror: QtMirror, sid: str) -> None:
    store.upsert_messages(sid, [f.message(sid, timestamp=T - 1000)])
    mirror.take()
    msg = pend(store, sid, 11, T + 1)
    assert msg.status is MessageStatus.PENDING and msg.from_ == "operator"
    assert store.messages(sid)[-1] is msg
    changes = mirror.take()
    assert [(c.collection, c.kind, c.first, c.dest) for c in changes] == [
        (MESSAGES, ChangeKind.INSERTING, 1, -1), (MESSAGES, ChangeKind.INSERTED, 1, -1),
        (CONVERSATIONS, ChangeKind.MOVING, 2, 0), (CONVERSATIONS, ChangeKind.MOVED, 2, 0),
        (CONVERSATIONS, ChangeKind.CHANGED, 0, -1)]
    conv = store.conversations[sid]
    assert (conv.last_message, conv.last_from, conv.last_fingerprint) == ("On it", "operator", 11)
    assert conv.unread_visitor == 0  # counted when the server confirms
    assert pend(store, sid, 11, T + 2) is msg  # a double submit shows one message
    with pytest.raises(KeyError):
        pend(store, "nobody", 12, T)


def test_echo_merges_the_pending_message(store: Store, mirror: QtMirror, sid: str) -> None:
    pend(store, sid, 11, T + 1)
    mirror.take()
    echo = echo_of(sid, 11, T + 3, content="On it!")
    assert store.apply("message:received", echo) is ApplyResult.APPLIED
    changes = mirror.take()
    assert changes[0].collection == MESSAGES and changes[0].kind is ChangeKind.CHANGED
    assert {"status", "timestamp", "content", "avatar"} <= changes[0].fields
    (msg,) = store.messages(sid)
    assert msg.status is MessageStatus.SENT and msg.timestamp == T + 3
    assert msg.content == "On it!"
    conv = store.conversations[sid]
    assert conv.unread_visitor == 1 and conv.waiting_since == 0 and conv.updated_at == T + 3
    assert store.apply("message:received", dict(echo)) is ApplyResult.IGNORED  # a replay


def test_echo_moves_a_later_pending_above_an_earlier_one(store: Store, mirror: QtMirror,
                                                         sid: str) -> None:
    pend(store, sid, 11, T + 1, "first")
    pend(store, sid, 12, T + 2, "second")
    mirror.take()
    store.apply("message:received", echo_of(sid, 12, T + 5, content="second"))
    changes = [c for c in mirror.take() if c.collection == MESSAGES]
    assert [(c.kind, c.first, c.dest) for c in changes] == [
        (ChangeKind.MOVING, 1, 0), (ChangeKind.MOVED, 1, 0), (ChangeKind.CHANGED, 0, -1)]
    assert [m.content for m in store.messages(sid)] == ["second", "first"]
    assert [m.status for m in store.messages(sid)] == [MessageStatus.SENT, MessageStatus.PENDING]


def test_message_arriving_while_pending_lands_above_it(store: Store, mirror: QtMirror,
                                                       sid: str) -> None:
    pend(store, sid, 11, T + 1)
    store.apply("message:send", f.message_event(sid, content="visitor", timestamp=T + 2))
    assert [m.content for m in store.messages(sid)] == ["visitor", "On it"]
    conv = store.conversations[sid]
    assert conv.last_message == "visitor" and conv.unread_operator == 1


def test_fail_retry_discard(store: Store, mirror: QtMirror, sid: str) -> None:
    store.upsert_messages(sid, [f.message(sid, timestamp=T - 10, content="before")])
    pend(store, sid, 11, T + 1)
    mirror.take()
    assert store.fail_pending(sid, 11, "timeout") is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert (change.kind, change.first, change.fields) == (
        ChangeKind.CHANGED, 1, frozenset({"status", "error"}))
    assert status(store, sid, 11) == (MessageStatus.FAILED, "timeout")
    assert store.fail_pending(sid, 11, "timeout") is ApplyResult.IGNORED
    assert store.retry_pending(sid, 11) is ApplyResult.APPLIED
    assert status(store, sid, 11) == (MessageStatus.PENDING, None)
    assert store.retry_pending(sid, 11) is ApplyResult.IGNORED
    mirror.take()
    assert store.discard_pending(sid, 11) is ApplyResult.APPLIED
    changes = mirror.take()
    assert [(c.collection, c.kind, c.first) for c in changes] == [
        (MESSAGES, ChangeKind.REMOVING, 1), (MESSAGES, ChangeKind.REMOVED, 1),
        (CONVERSATIONS, ChangeKind.CHANGED, 0)]
    assert store.conversations[sid].last_message == "before"
    for call in (store.discard_pending, store.retry_pending):
        assert call(sid, 11) is ApplyResult.UNKNOWN_TARGET
    assert store.fail_pending("nobody", 11, "x") is ApplyResult.UNKNOWN_TARGET


def test_queued_waits_then_goes_and_merges(store: Store, mirror: QtMirror, sid: str) -> None:
    pend(store, sid, 11, T + 1)
    mirror.take()
    assert store.queue_pending(sid, 11, "No connection to Crisp") is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert change.kind is ChangeKind.CHANGED and change.fields == frozenset({"status", "error"})
    assert status(store, sid, 11) == (MessageStatus.QUEUED, "No connection to Crisp")
    msg = store.message(sid, 11)
    assert msg is not None and msg.is_pending  # still an unsent echo: stays at the bottom
    assert store.queue_pending(sid, 11, "No connection to Crisp") is ApplyResult.IGNORED
    assert store.retry_pending(sid, 11) is ApplyResult.APPLIED  # the connection is back
    assert status(store, sid, 11) == (MessageStatus.PENDING, None)
    store.queue_pending(sid, 11)
    assert status(store, sid, 11) == (MessageStatus.QUEUED, None)
    store.apply("message:received", echo_of(sid, 11, T + 2))
    assert status(store, sid, 11) == (MessageStatus.SENT, None)
    assert store.queue_pending(sid, 11) is ApplyResult.IGNORED  # sent: nothing to queue


def test_failed_message_still_merges_on_a_late_echo(store: Store, mirror: QtMirror,
                                                    sid: str) -> None:
    pend(store, sid, 11, T + 1)
    store.fail_pending(sid, 11, "timeout")
    store.apply("message:received", echo_of(sid, 11, T + 2))
    msg = store.message(sid, 11)
    assert msg is not None and msg.status is MessageStatus.SENT and msg.error is None
    assert store.fail_pending(sid, 11, "late") is ApplyResult.IGNORED  # sent wins
    assert store.discard_pending(sid, 11) is ApplyResult.IGNORED


def test_history_page_is_one_range(store: Store, mirror: QtMirror, sid: str) -> None:
    live = f.message_event(sid, timestamp=T + 10, content="live")
    store.apply("message:send", live)
    mirror.take()
    older = [f.message(sid, timestamp=T - 100 + i) for i in range(40)]
    page = [*older, dict(live, read="chat")]  # the newest page overlaps the live message
    assert store.upsert_messages(sid, page) is ApplyResult.APPLIED
    changes = mirror.take()
    assert [(c.kind, c.first, c.last) for c in changes if c.collection == MESSAGES] == [
        (ChangeKind.CHANGED, 0, 0),  # the known message updated from REST
        (ChangeKind.INSERTING, 0, 39), (ChangeKind.INSERTED, 0, 39)]
    assert not [c for c in changes if c.collection == CONVERSATIONS]  # preview unchanged
    assert store.message_count(sid) == 41 and store.messages(sid)[-1].read == "chat"
    assert store.upsert_messages(sid, page) is ApplyResult.IGNORED


def test_history_page_merges_a_pending_echo(store: Store, mirror: QtMirror, sid: str) -> None:
    pend(store, sid, 11, T + 1)
    page = [f.message(sid, timestamp=T - 5), f.message(sid, from_="operator",
                                                       fingerprint=11, timestamp=T + 2)]
    assert store.upsert_messages(sid, page) is ApplyResult.APPLIED
    msgs = store.messages(sid)
    assert [m.fingerprint for m in msgs][1] == 11 and not msgs[1].is_pending
    assert store.conversations[sid].unread_visitor == 1


def test_first_history_page_sets_the_preview(store: Store, mirror: QtMirror, sid: str) -> None:
    page = [f.message(sid, timestamp=T + 50, content="newest")]
    store.upsert_messages(sid, page)
    conv = store.conversations[sid]
    assert conv.last_message == "newest" and conv.updated_at == T + 50
    assert conv.unread_operator == 0  # REST history moves no counter
    assert store.row_of(sid) == 0


def test_older_page_keeps_the_rest_preview(store: Store, mirror: QtMirror, sid: str) -> None:
    conv = store.conversations[sid]
    preview = (conv.last_message, conv.last_fingerprint, conv.updated_at)
    store.upsert_messages(sid, [f.message(sid, timestamp=T - 10**6, content="ancient")])
    assert (conv.last_message, conv.last_fingerprint, conv.updated_at) == preview
    # Once the preview's own message is loaded, a later one replaces it even if it is not
    # newer than updated_at (which a state change may have moved past every message).
    shown = f.message(sid, fingerprint=conv.last_fingerprint, timestamp=T - 500)
    later = f.message(sid, timestamp=T - 400, content="later")
    store.upsert_messages(sid, [shown])
    store.upsert_messages(sid, [later])
    assert conv.last_message == "later" and conv.updated_at == preview[2]


def test_upsert_messages_bad_input(store: Store, mirror: QtMirror, sid: str) -> None:
    assert store.upsert_messages("nobody", []) is ApplyResult.UNKNOWN_TARGET
    assert store.upsert_messages(sid, {"x": 1}) is ApplyResult.MALFORMED
    assert store.upsert_messages(sid, [None, {"fingerprint": 1}]) is ApplyResult.MALFORMED
    ok = f.message(sid, timestamp=T - 1000)
    assert store.upsert_messages(sid, [None, ok]) is ApplyResult.APPLIED
    assert store.message_count(sid) == 1


def test_history_pages_keep_the_timelines_bookkeeping(store: Store, mirror: QtMirror,
                                                       sid: str) -> None:
    assert not store.timeline_loaded(sid) and store.history_cursor(sid) is None
    live = f.message_event(sid, timestamp=T - 1)  # live messages are no page: no cursor
    store.apply("message:send", live)
    assert not store.timeline_loaded(sid) and store.history_cursor(sid) is None
    newest = [f.message(sid, timestamp=T - 20 + i) for i in range(3)]
    assert store.add_history_page(sid, newest, older=False) is ApplyResult.APPLIED
    assert store.timeline_loaded(sid) and store.history_cursor(sid) == T - 20
    assert not store.at_history_start(sid)
    older = [f.message(sid, timestamp=T - 50), {"fingerprint": "junk", "timestamp": T - 60}]
    store.add_history_page(sid, older, older=True)
    assert store.history_cursor(sid) == T - 60  # every timestamp the page gave
    assert store.message_count(sid) == 5 and not store.at_history_start(sid)
    assert store.add_history_page(sid, [], older=True) is ApplyResult.IGNORED
    assert store.at_history_start(sid) and store.history_cursor(sid) == T - 60
    assert store.add_history_page(sid, {"x": 1}, older=True) is ApplyResult.MALFORMED
    assert store.add_history_page("nobody", [], older=False) is ApplyResult.UNKNOWN_TARGET
    assert not store.timeline_loaded("nobody")


def test_an_empty_newest_page_still_loads_the_timeline(store: Store, mirror: QtMirror,
                                                       sid: str) -> None:
    assert store.add_history_page(sid, [], older=False) is ApplyResult.IGNORED
    assert store.timeline_loaded(sid) and store.history_cursor(sid) is None
    assert not store.at_history_start(sid) and store.messages(sid) == []


@pytest.mark.parametrize("how", ["session:removed", "unbound"])
def test_a_conversation_removed_and_back_starts_its_timeline_afresh(
        store: Store, mirror: QtMirror, sid: str, how: str) -> None:
    """Regression (issue 12): the bookkeeping went with neither the timeline nor the
    conversation, so one that came back was taken for loaded, and paged back from a stale
    cursor: its thread stayed empty."""
    conv = store.conversations[sid]
    payload = f.conversation(sid, website_id=conv.website_id)
    store.set_websites([f.website(conv.website_id)])
    store.add_history_page(sid, [f.message(sid, timestamp=T - 5)], older=False)
    store.add_history_page(sid, [], older=True)
    assert store.timeline_loaded(sid) and store.at_history_start(sid)
    mirror.take()
    if how == "unbound":
        store.apply("plugin:subscription:updated", {"website_id": conv.website_id,
                                                    "plugin_id": "x", "bound": False})
    else:
        store.apply("session:removed", f.session_event(sid, website_id=conv.website_id))
    changes = mirror.take()
    resets = [c for c in changes if c.collection == MESSAGES]
    assert [(c.kind, c.key) for c in resets] == [(ChangeKind.RESET, sid)]
    assert changes.index(resets[0]) > max(i for i, c in enumerate(changes)
                                          if c.kind is ChangeKind.REMOVED)
    store.upsert_conversations([payload])  # it comes back
    assert sid in store.conversations and store.messages(sid) == []
    assert not store.timeline_loaded(sid) and store.history_cursor(sid) is None
    assert not store.at_history_start(sid)
    store.add_history_page(sid, [f.message(sid, timestamp=T + 9, content="back")],
                           older=False)
    assert [m.content for m in store.messages(sid)] == ["back"]
    assert store.history_cursor(sid) == T + 9


def test_rest_correction_of_a_timestamp_moves_the_message_down(store: Store, mirror: QtMirror,
                                                               sid: str) -> None:
    page = [f.message(sid, timestamp=T - 30 + i) for i in range(3)]
    store.upsert_messages(sid, page)
    mirror.take()
    store.upsert_messages(sid, [dict(page[0], timestamp=T - 1)])
    changes = mirror.take()
    assert [(c.kind, c.first, c.dest) for c in changes] == [
        (ChangeKind.MOVING, 0, 3), (ChangeKind.MOVED, 0, 3), (ChangeKind.CHANGED, 2, -1)]
    assert changes[-1].fields == {"timestamp"}
    assert [m.fingerprint for m in store.messages(sid)] == [
        page[1]["fingerprint"], page[2]["fingerprint"], page[0]["fingerprint"]]


def test_confirm_pending_then_a_late_echo_changes_nothing(store: Store, mirror: QtMirror,
                                                          sid: str) -> None:
    pend(store, sid, 11, T + 1)
    mirror.take()
    assert store.confirm_pending(sid, 11) is ApplyResult.APPLIED
    changes = mirror.take()
    assert (changes[0].collection, changes[0].kind, changes[0].fields) == (
        MESSAGES, ChangeKind.CHANGED, frozenset({"status"}))
    assert status(store, sid, 11) == (MessageStatus.SENT, None)
    assert store.conversations[sid].unread_visitor == 1
    assert store.confirm_pending(sid, 11) is ApplyResult.IGNORED
    edit = f.session_event(sid, fingerprint=11, content="On it, edited")
    store.apply("message:updated", edit)
    mirror.take()
    # The echo of the original send arrives after the edit: it must not undo it.
    late = echo_of(sid, 11, T + 4, content="On it")
    assert store.apply("message:received", late) is ApplyResult.IGNORED
    assert mirror.take() == []
    msg = store.message(sid, 11)
    assert msg is not None and msg.content == "On it, edited" and msg.timestamp == T + 1
    assert store.conversations[sid].unread_visitor == 1  # counted once
    assert store.confirm_pending("nobody", 11) is ApplyResult.UNKNOWN_TARGET


def test_equal_timestamps_keep_the_server_order(store: Store, mirror: QtMirror,
                                                sid: str) -> None:
    """A fingerprint says nothing about order: ties keep the page's (and arrival) order."""
    fps = [500, 100, 400, 200]  # the server's order, all at one timestamp
    store.upsert_messages(sid, [f.message(sid, fingerprint=fp, timestamp=T) for fp in fps])
    store.apply("message:send", f.message_event(sid, fingerprint=300, timestamp=T))  # live
    assert [m.fingerprint for m in store.messages(sid)] == [*fps, 300]
    # A page overlapping what is loaded: new ones go after their known predecessor...
    page = [f.message(sid, fingerprint=fp, timestamp=T) for fp in (200, 300, 50, 60)]
    mirror.take()
    store.upsert_messages(sid, page)
    assert [m.fingerprint for m in store.messages(sid)] == [*fps, 300, 50, 60]
    assert [(c.kind, c.first, c.last) for c in mirror.take() if c.collection == MESSAGES] == [
        (ChangeKind.INSERTING, 5, 6), (ChangeKind.INSERTED, 5, 6)]
    # ...and before the timeline's equals when nothing known precedes them (older history).
    store.upsert_messages(sid, [f.message(sid, fingerprint=fp, timestamp=T)
                                for fp in (7, 8, 500)])
    assert [m.fingerprint for m in store.messages(sid)][:3] == [7, 8, 500]


def test_page_with_a_duplicate_keeps_the_first_copy(store: Store, mirror: QtMirror,
                                                    sid: str) -> None:
    first = f.message(sid, fingerprint=9, timestamp=T - 5, content="first")
    assert store.upsert_messages(sid, [first, dict(first, content="second")]) is (
        ApplyResult.APPLIED)
    (msg,) = store.messages(sid)
    assert msg.content == "first"

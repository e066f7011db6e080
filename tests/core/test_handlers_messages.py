"""Message events: the timeline and the conversation row change as the sandbox's state does."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import ApplyResult, Change, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME


def described(changes: list[Change]) -> list[tuple[str, str, int, int]]:
    return [(c.collection, c.kind.name, c.first, c.dest) for c in changes]


@pytest.fixture
def three(store: Store, mirror: QtMirror) -> list[str]:
    """Three unresolved conversations, rows 0..2 by activity; no one waiting on row 2."""
    payloads = [f.conversation(updated_at=T - i * 1000, unread={"operator": 0, "visitor": 0},
                               waiting_since=T - 5000 if i < 2 else 0) for i in range(3)]
    payloads[2].pop("waiting_since")
    assert store.upsert_conversations(payloads) is ApplyResult.APPLIED
    mirror.take()
    return [p["session_id"] for p in payloads]


def test_visitor_message_inserts_moves_and_counts(store: Store, mirror: QtMirror,
                                                  three: list[str]) -> None:
    sid = three[2]
    payload = f.message_event(sid, content="Any news?", timestamp=T + 10)
    assert store.apply("message:send", payload) is ApplyResult.APPLIED
    changes = mirror.take()
    assert described(changes) == [
        (MESSAGES, "INSERTING", 0, -1), (MESSAGES, "INSERTED", 0, -1),
        (CONVERSATIONS, "MOVING", 2, 0), (CONVERSATIONS, "MOVED", 2, 0),
        (CONVERSATIONS, "CHANGED", 0, -1)]
    assert changes[0].key == sid
    assert changes[-1].fields == {"last_message", "last_fingerprint", "updated_at",
                                  "unread_operator", "waiting_since"}
    conv = store.conversations[sid]
    assert (conv.last_message, conv.last_from, conv.last_type) == ("Any news?", "user", "text")
    assert conv.last_fingerprint == payload["fingerprint"]
    assert conv.updated_at == T + 10 and conv.unread_operator == 1
    assert conv.waiting_since == T + 10
    (msg,) = store.messages(sid)
    assert msg.fingerprint == payload["fingerprint"] and msg.session_id is conv.session_id
    assert store.message(sid, payload["fingerprint"]) is msg


def test_second_visitor_message_keeps_waiting_since(store: Store, mirror: QtMirror,
                                                    three: list[str]) -> None:
    sid = three[0]
    store.apply("message:send", f.message_event(sid, timestamp=T + 10))
    mirror.take()
    store.apply("message:send", f.message_event(sid, timestamp=T + 20))
    changes = mirror.take()
    # Already on top: no move, and waiting_since stays the first unanswered message's.
    assert [c.kind for c in changes if c.collection == CONVERSATIONS] == [ChangeKind.CHANGED]
    assert store.conversations[sid].waiting_since == T - 5000
    assert store.conversations[sid].unread_operator == 2


def test_operator_message_counts_for_the_visitor(store: Store, mirror: QtMirror,
                                                 three: list[str]) -> None:
    sid = three[1]
    store.apply("message:received", f.message_event(sid, from_="operator", timestamp=T + 1))
    conv = store.conversations[sid]
    assert conv.unread_visitor == 1 and conv.unread_operator == 0
    assert conv.waiting_since == 0 and conv.last_from == "operator"
    assert store.row_of(sid) == 0


@pytest.mark.parametrize("kind", ["note", "event"])
def test_notes_and_events_move_no_counter(store: Store, mirror: QtMirror, three: list[str],
                                          kind: str) -> None:
    sid = three[1]
    content: Any = "internal" if kind == "note" else {"namespace": "state:resolved"}
    store.apply("message:received", f.message_event(sid, from_="operator", type=kind,
                                                    content=content, timestamp=T + 1,
                                                    mentions=[f.OPERATOR]))
    conv = store.conversations[sid]
    assert (conv.unread_visitor, conv.unread_operator) == (0, 0)
    assert conv.waiting_since == T - 5000
    assert conv.last_type == kind and conv.updated_at == T + 1
    assert conv.mentions == (f.OPERATOR,)


def test_duplicate_message_is_ignored(store: Store, mirror: QtMirror, three: list[str]) -> None:
    payload = f.message_event(three[0], timestamp=T + 1)
    store.apply("message:send", payload)
    mirror.take()
    assert store.apply("message:send", dict(payload)) is ApplyResult.IGNORED
    assert mirror.take() == []
    assert store.conversations[three[0]].unread_operator == 1


def test_older_message_inserts_in_order_without_touching_the_preview(
        store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[0]
    newer = f.message_event(sid, timestamp=T + 100, content="newer")
    store.apply("message:send", newer)
    mirror.take()
    store.apply("message:send", f.message_event(sid, timestamp=T + 50, content="late"))
    changes = mirror.take()
    assert described(changes[:2]) == [(MESSAGES, "INSERTING", 0, -1),
                                      (MESSAGES, "INSERTED", 0, -1)]
    conv = store.conversations[sid]
    assert conv.last_message == "newer" and conv.updated_at == T + 100
    assert [m.content for m in store.messages(sid)] == ["late", "newer"]


def test_message_for_unknown_conversation(store: Store, mirror: QtMirror) -> None:
    assert store.apply("message:send", f.message_event("nobody")) is ApplyResult.UNKNOWN_TARGET
    assert store.messages("nobody") == [] and mirror.take() == []


def test_message_updated(store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[0]
    payload = f.message_event(sid, timestamp=T + 1)
    store.apply("message:send", payload)
    mirror.take()
    event = f.session_event(sid, fingerprint=payload["fingerprint"], content="edited text")
    assert store.apply("message:updated", event) is ApplyResult.APPLIED
    changes = mirror.take()
    assert [(c.collection, c.kind, c.fields) for c in changes] == [
        (MESSAGES, ChangeKind.CHANGED, frozenset({"content", "edited"})),
        (CONVERSATIONS, ChangeKind.CHANGED, frozenset({"last_message"}))]
    msg = store.message(sid, payload["fingerprint"])
    assert msg is not None and msg.edited and msg.content == "edited text"
    assert store.apply("message:updated", event) is ApplyResult.IGNORED


def test_message_updated_for_an_unloaded_preview(store: Store, mirror: QtMirror,
                                                 three: list[str]) -> None:
    conv = store.conversations[three[0]]
    event = f.session_event(conv.session_id, fingerprint=conv.last_fingerprint, content="fixed")
    assert store.apply("message:updated", event) is ApplyResult.APPLIED
    assert conv.last_message == "fixed"
    other = f.session_event(conv.session_id, fingerprint=1, content="x")
    assert store.apply("message:updated", other) is ApplyResult.IGNORED


def test_message_removed_restores_the_previous_preview(store: Store, mirror: QtMirror,
                                                       three: list[str]) -> None:
    sid = three[0]
    first = f.message_event(sid, timestamp=T + 1, content="first")
    second = f.message_event(sid, timestamp=T + 2, content="second")
    store.apply("message:send", first)
    store.apply("message:send", second)
    mirror.take()
    event = f.session_event(sid, fingerprint=second["fingerprint"])
    assert store.apply("message:removed", event) is ApplyResult.APPLIED
    changes = mirror.take()
    assert described(changes) == [(MESSAGES, "REMOVING", 1, -1), (MESSAGES, "REMOVED", 1, -1),
                                  (CONVERSATIONS, "CHANGED", 0, -1)]
    conv = store.conversations[sid]
    assert conv.last_message == "first" and conv.last_fingerprint == first["fingerprint"]
    assert store.apply("message:removed", event) is ApplyResult.IGNORED
    gone = f.session_event("nobody", fingerprint=1)
    assert store.apply("message:removed", gone) is ApplyResult.IGNORED


def test_compose_events(store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[1]
    assert store.apply("message:compose:send", f.compose_event(sid, excerpt="Hel")) is (
        ApplyResult.APPLIED)
    assert store.conversations[sid].compose_visitor == "Hel"
    store.apply("message:compose:send", f.compose_event(sid, excerpt=None))
    assert store.conversations[sid].compose_visitor == ""  # typing, no MagicType excerpt
    store.apply("message:compose:receive", f.compose_event(sid, excerpt="On it", operator=True))
    assert store.conversations[sid].compose_operator == "On it"
    store.apply("message:compose:send", f.compose_event(sid, "stop", excerpt=None))
    assert store.conversations[sid].compose_visitor is None
    changes = mirror.take()
    assert {c.kind for c in changes} == {ChangeKind.CHANGED}  # typing never moves a row
    assert [c.fields for c in changes] == [{"compose_visitor"}] * 2 + [
        {"compose_operator"}, {"compose_visitor"}]
    stop = f.compose_event(sid, "stop", excerpt=None)
    assert store.apply("message:compose:send", stop) is ApplyResult.IGNORED
    assert store.apply("message:compose:send", f.compose_event("nobody")) is (
        ApplyResult.UNKNOWN_TARGET)


def _conversation_with(store: Store, sid: str, senders: str) -> list[int]:
    fps = []
    for i, sender in enumerate(senders):
        payload = f.message_event(sid, from_="user" if sender == "u" else "operator",
                                  timestamp=T + i)
        store.apply("message:send" if sender == "u" else "message:received", payload)
        fps.append(payload["fingerprint"])
    return fps


def test_read_by_operator(store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[0]
    fps = _conversation_with(store, sid, "uuou")
    mirror.take()
    visitor_fps = [fps[0], fps[1], fps[3]]
    result = store.apply("message:acknowledge:read:received", f.ack_event(sid, visitor_fps))
    assert result is ApplyResult.APPLIED
    changes = mirror.take()
    # One CHANGED per run of consecutive rows, then the counter.
    assert [(c.collection, c.first, c.last) for c in changes] == [
        (MESSAGES, 0, 1), (MESSAGES, 3, 3), (CONVERSATIONS, 0, 0)]
    assert changes[0].fields == {"read", "delivered"}
    assert changes[-1].fields == {"unread_operator"}
    msgs = store.messages(sid)
    assert [m.read for m in msgs] == ["chat", "chat", "", "chat"]
    assert store.conversations[sid].unread_operator == 0
    again = store.apply("message:acknowledge:read:received", f.ack_event(sid, visitor_fps))
    assert again is ApplyResult.IGNORED


def test_read_by_visitor_and_delivered(store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[0]
    fps = _conversation_with(store, sid, "uo")
    store.apply("message:acknowledge:delivered", f.ack_event(sid, [fps[1]], origin="email"))
    assert store.messages(sid)[1].delivered == "email"
    assert store.messages(sid)[1].read == ""
    store.apply("message:acknowledge:read:send", f.ack_event(sid, [fps[1]]))
    msg = store.messages(sid)[1]
    assert (msg.read, msg.delivered) == ("chat", "email")  # delivered is kept once set
    assert store.conversations[sid].unread_visitor == 0
    # Unknown fingerprints are skipped; the counter still resets.
    store.update_conversation(sid, {"unread_visitor": 4})
    assert store.apply("message:acknowledge:read:send", f.ack_event(sid, [12345])) is (
        ApplyResult.APPLIED)
    assert store.conversations[sid].unread_visitor == 0


def test_mark_unread(store: Store, mirror: QtMirror, three: list[str]) -> None:
    sid = three[0]
    event = f.ack_event(sid, [])
    assert store.apply("message:acknowledge:unread:send", event) is ApplyResult.APPLIED
    assert store.conversations[sid].unread_operator == 1
    assert store.apply("message:acknowledge:unread:send", event) is ApplyResult.IGNORED
    assert store.apply("message:acknowledge:unread:send", f.ack_event("x", [])) is (
        ApplyResult.UNKNOWN_TARGET)


def test_a_message_the_rest_row_already_counts_is_not_counted_again(store: Store) -> None:
    """The console fetched the conversation (REST) after the visitor wrote, and the event
    arrives after that: the row's preview is this message, its unread already includes it."""
    fp = f.fingerprint()
    row = f.conversation(updated_at=T, unread={"operator": 1, "visitor": 0},
                         preview_message={"type": "text", "from": "user", "excerpt": "late",
                                          "fingerprint": fp})
    store.upsert_conversations([row])
    sid = row["session_id"]
    store.apply("message:send", f.message_event(sid, fingerprint=fp, timestamp=T,
                                                content="late"))
    assert store.conversations[sid].unread_operator == 1
    store.apply("message:send", f.message_event(sid, timestamp=T + 5, content="next"))
    assert store.conversations[sid].unread_operator == 2

"""The console's own changes, typed: optimistic changes with their expected echoes (on an
injected clock), undo, and the changes made once Crisp confirmed them."""

from __future__ import annotations

import pytest

from crisp_console.core import ApplyResult, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME
HOLD = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> Store:
    return Store(block_size=8, clock=clock)


@pytest.fixture
def sid(store: Store, mirror: QtMirror) -> str:
    payloads = [f.conversation(updated_at=T - i, state="unresolved") for i in range(3)]
    store.upsert_conversations(payloads)
    mirror.take()
    return str(payloads[1]["session_id"])


def state_event(sid: str, state: str) -> dict[str, object]:
    return f.session_event(sid, state=state)


def test_an_older_echo_does_not_undo_a_change_until_the_hold_ends(
        store: Store, mirror: QtMirror, clock: Clock, sid: str) -> None:
    change = store.change_state(sid, "resolved", hold=HOLD)
    assert (change.session_id, change.value, change.old) == (sid, "resolved", "unresolved")
    conv = store.conversations[sid]
    assert conv.state == "resolved" and conv.waiting_since == 0
    assert any(c.kind is ChangeKind.CHANGED and c.ids == (sid,) for c in mirror.take())
    # An event sent before the change, still in flight: stale.
    assert store.apply("session:set_state", state_event(sid, "pending")) is ApplyResult.IGNORED
    assert conv.state == "resolved" and mirror.take() == []
    clock.now += HOLD + 0.1  # the hold is over: events count again
    assert store.apply("session:set_state", state_event(sid, "pending")) is ApplyResult.APPLIED
    assert conv.state == "pending"


def test_the_echo_of_the_change_ends_the_expectation(store: Store, mirror: QtMirror,
                                                      sid: str) -> None:
    store.change_assignee(sid, f.OPERATOR, hold=HOLD)
    assert store.conversations[sid].assigned == f.OPERATOR
    echo = f.session_event(sid, assigned={"user_id": f.OPERATOR})  # no routing_id: the value
    assert store.apply("session:set_routing", echo) is ApplyResult.IGNORED  # same value
    assert len(store.optimistic) == 0
    # Another operator's later change is no stale echo: it shows.
    later = f.session_event(sid, routing_id="someone-else")
    assert store.apply("session:set_routing", later) is ApplyResult.APPLIED
    assert store.conversations[sid].assigned == "someone-else"


def test_undo_shows_the_old_value_and_echoes_count_again(store: Store, mirror: QtMirror,
                                                         sid: str) -> None:
    change = store.change_blocked(sid, True, hold=HOLD)
    assert store.conversations[sid].is_blocked
    store.undo(change)
    assert not store.conversations[sid].is_blocked and len(store.optimistic) == 0
    blocked = f.session_event(sid, is_blocked=True)  # someone else blocks: not stale
    assert store.apply("session:set_block", blocked) is ApplyResult.APPLIED
    assert store.conversations[sid].is_blocked


def test_an_optimistic_edit_of_a_message(store: Store, mirror: QtMirror, sid: str) -> None:
    conv = store.conversations[sid]
    msg = f.message(sid, fingerprint=conv.last_fingerprint, timestamp=T - 1, content="Helo")
    store.upsert_messages(sid, [msg])
    change = store.change_content(sid, conv.last_fingerprint, "Hello", hold=HOLD)
    shown = store.message(sid, conv.last_fingerprint)
    assert shown is not None and (shown.content, shown.edited) == ("Hello", True)
    assert conv.last_message == "Hello"
    stale = f.session_event(sid, fingerprint=conv.last_fingerprint, content="Helo!")
    assert store.apply("message:updated", stale) is ApplyResult.IGNORED
    store.undo(change)
    assert shown.content == "Helo" and conv.last_message == "Helo"
    with pytest.raises(LookupError):
        store.change_content(sid, 12345, "x", hold=HOLD)


def test_a_rest_page_read_before_an_edit_does_not_undo_it(store: Store, clock: Clock,
                                                          sid: str) -> None:
    """The catch-up (or a refresh) read the timeline before the edit reached Crisp and
    answers after it was shown: the page's other fields count, its old words do not."""
    conv = store.conversations[sid]
    fp = conv.last_fingerprint
    store.upsert_messages(sid, [f.message(sid, fingerprint=fp, timestamp=T - 1, content="Helo")])
    store.change_content(sid, fp, "Hello", hold=HOLD)
    page = [f.message(sid, fingerprint=fp, timestamp=T - 1, content="Helo", read="chat")]
    store.upsert_messages(sid, page)
    shown = store.message(sid, fp)
    assert shown is not None and (shown.content, shown.edited) == ("Hello", True)
    assert shown.read == "chat"
    assert len(store.optimistic) == 1  # a REST answer is no echo: still expected
    confirmed = [f.message(sid, fingerprint=fp, timestamp=T - 1, content="Hello", edited=True)]
    store.upsert_messages(sid, confirmed)
    assert (shown.content, shown.edited) == ("Hello", True)
    clock.now += HOLD + 0.1  # the hold is over: REST is the authority again
    store.upsert_messages(sid, page)
    assert shown.content == "Helo"


def test_a_rest_row_read_before_a_resolve_does_not_undo_it(store: Store, clock: Clock,
                                                           sid: str) -> None:
    """A conversations page (the catch-up, a refresh) read before the resolve, assignment or
    block reached Crisp answers after they were shown: its other fields count, its old state,
    assignee and block do not, until an echo or the hold's end."""
    store.change_state(sid, "resolved", hold=HOLD)
    store.change_assignee(sid, f.OPERATOR, hold=HOLD)
    store.change_blocked(sid, True, hold=HOLD)
    old = f.conversation(sid, updated_at=T + 5, state="unresolved",
                         unread={"operator": 2, "visitor": 0})
    store.upsert_conversations([old])
    conv = store.conversations[sid]
    assert (conv.state, conv.assigned, conv.is_blocked) == ("resolved", f.OPERATOR, True)
    assert conv.unread_operator == 2  # the rest of the row is news
    assert len(store.optimistic) == 3  # a REST answer is no echo: still expected
    clock.now += HOLD + 0.1  # the hold is over: REST is the authority again
    store.upsert_conversations([old])
    assert (conv.state, conv.assigned, conv.is_blocked) == ("unresolved", None, False)


def test_optimistic_changes_check_the_consoles_own_values(store: Store, sid: str) -> None:
    with pytest.raises(KeyError):
        store.change_state("nobody", "resolved", hold=HOLD)
    with pytest.raises(ValueError, match="no such state"):
        store.change_state(sid, "archived", hold=HOLD)
    change = store.change_state(sid, "resolved", hold=HOLD)
    store.remove_conversation(sid)
    store.undo(change)  # gone meanwhile: nothing to show, nothing raised
    assert len(store.optimistic) == 0


def test_confirmed_changes(store: Store, mirror: QtMirror, sid: str) -> None:
    conv = store.conversations[sid]
    store.update_conversation(sid, {"unread_operator": 3})
    mirror.take()
    assert store.mark_read(sid) is ApplyResult.APPLIED
    assert conv.unread_operator == 0
    assert store.mark_unread(sid) is ApplyResult.APPLIED and conv.unread_operator == 1
    assert store.mark_unread(sid) is ApplyResult.IGNORED  # at least 1: it is
    assert store.update_meta(sid, {"nickname": "Grace", "segments": ["vip"],
                                   "phone": "+33 1", "ip": "192.0.2.1"}) is ApplyResult.APPLIED
    assert (conv.nickname, conv.segments, conv.meta.get("phone")) == (
        "Grace", ("vip",), "+33 1")
    assert conv.meta["ip"] != "192.0.2.1"  # no event announces it: the next REST refresh
    assert store.update_meta(sid, {"segments": "vip"}) is ApplyResult.IGNORED
    assert store.reporter.counts().get("edit:segments") == 1
    fields = set().union(*(c.fields for c in mirror.take()
                           if c.kind is ChangeKind.CHANGED and c.collection == CONVERSATIONS))
    assert {"unread_operator", "nickname", "segments", "meta"} <= fields
    store.upsert_messages(sid, [f.message(sid, fingerprint=77, timestamp=T - 3)])
    assert store.remove_message(sid, 77) is ApplyResult.APPLIED
    assert store.message(sid, 77) is None
    assert store.remove_message(sid, 77) is ApplyResult.IGNORED

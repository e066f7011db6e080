"""Observer plumbing: order, unsubscription, and a failing observer that breaks nothing."""

from __future__ import annotations

import logging

import pytest

from crisp_console.core import Change, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS
from tests.core import factories as f


def test_observers_run_in_order_and_unsubscribe(store: Store) -> None:
    calls: list[str] = []
    off_a = store.subscribe(lambda c: calls.append("a"))
    store.subscribe(lambda c: calls.append("b"))
    store.upsert_conversation(f.conversation())
    assert calls == ["a", "b", "a", "b"]  # INSERTING, INSERTED
    off_a()
    off_a()  # idempotent
    calls.clear()
    store.remove_conversation(store.conversation_ids()[0])
    assert calls == ["b", "b"]


def test_same_callback_twice_is_two_subscriptions(store: Store) -> None:
    calls: list[ChangeKind] = []

    def cb(c: Change) -> None:
        calls.append(c.kind)

    off1 = store.subscribe(cb)
    store.subscribe(cb)
    off1()
    store.set_websites([])
    assert calls == [ChangeKind.RESET]


def test_unsubscribing_during_a_notification_is_safe(store: Store) -> None:
    calls: list[str] = []
    off: list[object] = []

    def once(c: Change) -> None:
        calls.append("once")
        off[0]()  # type: ignore[operator]

    off.append(store.subscribe(once))
    store.subscribe(lambda c: calls.append("other"))
    store.upsert_conversation(f.conversation())
    assert calls == ["once", "other", "other"]


def test_failing_observer_is_logged_and_others_still_run(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Change] = []

    def broken(c: Change) -> None:
        raise ValueError("view bug")

    store.subscribe(broken)
    store.subscribe(seen.append)
    payload = f.conversation()
    store.upsert_conversation(payload)
    assert [c.kind for c in seen] == [ChangeKind.INSERTING, ChangeKind.INSERTED]
    assert store.conversation_ids() == [payload["session_id"]]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and errors[0].exc_info


def test_frame_observers_run_in_order_the_last_ones_after_the_rest(store: Store) -> None:
    """``end_frame`` tells the models (they flush), then the paint (``last``), whatever
    order they subscribed in: a model made after the list pane still flushes first."""
    seen: list[str] = []
    listening = store.observers
    off_paint = store.subscribe_frames(lambda: seen.append("paint"), last=True)
    off_list = store.subscribe_frames(lambda: seen.append("list"))
    off_timeline = store.subscribe_frames(lambda: seen.append("timeline"))
    assert store.observers == listening + 3
    store.end_frame()
    assert seen == ["list", "timeline", "paint"]
    for off in (off_paint, off_list, off_timeline):
        off()
    store.end_frame()
    assert seen == ["list", "timeline", "paint"] and store.observers == listening


def test_change_is_frozen_and_slotted() -> None:
    change = Change(ChangeKind.CHANGED, CONVERSATIONS, first=1, last=1, fields=frozenset({"x"}))
    with pytest.raises(AttributeError):
        change.first = 2  # type: ignore[misc]
    assert not hasattr(change, "__dict__")
    assert (change.key, change.dest) == (None, -1)

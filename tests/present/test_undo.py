"""Undo's pure part: what each action's undo restores and says, and the one-undo slot that
lasts UNDO_SECONDS (time passed in, so nothing here waits)."""

from __future__ import annotations

from crisp_console.core import Conversation
from crisp_console.present.undo import (
    UNDO_SECONDS,
    Undo,
    UndoSlot,
    assign_undo,
    state_undo,
    unread_undo,
)


def conv(session_id: str, **fields: object) -> Conversation:
    return Conversation(session_id, "w", **fields)  # type: ignore[arg-type]


def test_state_undo_restores_the_state_before() -> None:
    pending = conv("s1", state="pending", nickname="Ann Lee")
    undo = state_undo(pending, "resolved")
    assert undo == Undo("state", "s1", "pending", "Resolved “Ann Lee”")
    resolved = conv("s2", state="resolved", nickname="")
    assert state_undo(resolved, "unresolved") == Undo("state", "s2", "resolved",
                                                      "Reopened “the visitor”")
    assert state_undo(resolved, "resolved") is None  # nothing changes, nothing to undo


def test_assign_undo_restores_the_assignee_or_nobody() -> None:
    names = {"u1": "Bob Smith", "u2": "Me Myself"}
    nobody = conv("s1", nickname="Ann", assigned=None)
    assert assign_undo(nobody, "u1", names, me="u2") == Undo(
        "assign", "s1", None, "Assigned “Ann” to Bob Smith")
    mine = assign_undo(nobody, "u2", names, me="u2")
    assert mine is not None and mine.label == "Assigned “Ann” to you"
    bobs = conv("s1", nickname="Ann", assigned="u1")
    assert assign_undo(bobs, None, names) == Undo("assign", "s1", "u1", "Unassigned “Ann”")
    assert assign_undo(bobs, "u1", names) is None
    unknown = assign_undo(bobs, "u9", names)
    assert unknown is not None and unknown.label == "Assigned “Ann” to an operator"


def test_unread_undo_reads_it_again() -> None:
    undo = unread_undo(conv("s1", nickname="A\u202eB\nC"))
    assert undo.kind == "unread" and undo.session_id == "s1"
    assert "\u202e" not in undo.label and "\n" not in undo.label  # one line, no bidi tricks


def test_the_slot_holds_one_undo_for_its_seconds() -> None:
    slot = UndoSlot()
    first = Undo("state", "s1", "pending", "Resolved “A”")
    second = Undo("unread", "s2", None, "Marked “B” unread")
    assert slot.current(0.0) is None and slot.take(0.0) is None
    slot.offer(first, 10.0)
    assert slot.current(10.0 + UNDO_SECONDS - 0.01) is first
    assert slot.remaining(12.0) == UNDO_SECONDS - 2.0
    assert slot.current(10.0 + UNDO_SECONDS) is None  # its time is up
    assert slot.remaining(20.0) == 0.0
    slot.offer(first, 20.0)
    slot.offer(second, 21.0)  # a second action replaces the first's undo
    assert slot.take(22.0) is second
    assert slot.current(22.0) is None  # taken: gone
    slot.offer(first, 30.0)
    assert not slot.withdraw(second)  # not the one on offer: nothing happens
    assert slot.current(30.0) is first
    assert slot.withdraw(first) and slot.current(30.0) is None

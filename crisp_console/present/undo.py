"""Undo of the last conversation action (resolve, reopen, assign, mark unread): what it
restores, in words, and its window of a few seconds.

Pure: time is passed in (monotonic seconds) by the caller, so the tests drive it. The UI
(ui/undo.py) offers an ``Undo`` when an action starts, shows the bar while ``UndoSlot``
holds it, and runs the restoring command through the client when the operator undoes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from crisp_console.core import Conversation
from crisp_console.present.plain import one_line

UNDO_SECONDS = 5.0
UndoKind = Literal["state", "assign", "unread"]


@dataclass(frozen=True, slots=True)
class Undo:
    """One action that can be taken back.

    Attributes:
        kind: what to restore: the state, the assignee, or the read mark.
        session_id: the conversation acted on.
        before: what to restore: the state ("pending", "unresolved", "resolved"), the
            assignee's user id (None: nobody), or for "unread" nothing (it was read).
        label: the bar's words ("Resolved “Ann”").
    """

    kind: UndoKind
    session_id: str
    before: str | None
    label: str


def _name(conv: Conversation) -> str:
    return one_line(conv.nickname, 40) or one_line(conv.email, 40) or "the visitor"


def state_undo(conv: Conversation, state: str) -> Undo | None:
    """Setting ``state`` (resolve, reopen); None when it changes nothing."""
    if conv.state == state:
        return None
    verb = {"resolved": "Resolved", "unresolved": "Reopened"}.get(state, f"Set to {state}")
    return Undo("state", conv.session_id, conv.state, f"{verb} “{_name(conv)}”")


def assign_undo(conv: Conversation, user_id: str | None, names: Mapping[str, str],
                me: str | None = None) -> Undo | None:
    """Assigning ``user_id`` (None: unassigning); ``names``: operators by user id."""
    if conv.assigned == user_id:
        return None
    if user_id is None:
        label = f"Unassigned “{_name(conv)}”"
    else:
        who = "you" if user_id == me else one_line(names.get(user_id, ""), 40) or "an operator"
        label = f"Assigned “{_name(conv)}” to {who}"
    return Undo("assign", conv.session_id, conv.assigned, label)


def unread_undo(conv: Conversation) -> Undo:
    """Marking it unread: undone, it is read (it is the open one, read by being open, even
    while that read mark is still on its way)."""
    return Undo("unread", conv.session_id, None, f"Marked “{_name(conv)}” unread")


class UndoSlot:
    """The one undo on offer: a new action replaces the last one's, and it lasts
    ``seconds`` from its offer."""

    def __init__(self, seconds: float = UNDO_SECONDS) -> None:
        self.seconds = seconds
        self._undo: Undo | None = None
        self._deadline = 0.0

    def offer(self, undo: Undo, now: float) -> None:
        self._undo, self._deadline = undo, now + self.seconds

    def current(self, now: float) -> Undo | None:
        """What Ctrl+Z would undo now (None once its time is up)."""
        if self._undo is not None and now >= self._deadline:
            self._undo = None
        return self._undo

    def remaining(self, now: float) -> float:
        """Seconds left to undo (0 when there is nothing)."""
        return max(0.0, self._deadline - now) if self.current(now) is not None else 0.0

    def take(self, now: float) -> Undo | None:
        """Undo it: the undo on offer, which is then gone."""
        undo = self.current(now)
        self._undo = None
        return undo

    def withdraw(self, undo: Undo) -> bool:
        """The action did not happen (refused): its undo goes, unless another replaced it."""
        if self._undo is undo:
            self._undo = None
            return True
        return False

    def clear(self) -> None:
        self._undo = None

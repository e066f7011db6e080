"""The Store's door for the console's own changes: an operator's message shown before the
server has it (the local echo: echo.py), and edits shown at once, before Crisp confirms them
(optimistic: edits.py).

A mixin of thin methods, apart from store.py so that store.py keeps the parts and the rules
that span them. Each method hands the Store itself, as the ``StorePort`` of port.py (what
echo.py and edits.py may use of it), to the function that does the work; callers still call
them on the Store (``store.add_pending(...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisp_console.core import echo, edits
from crisp_console.core.models import Message
from crisp_console.core.optimistic import Optimistic
from crisp_console.core.port import StorePort
from crisp_console.core.results import ApplyResult


class OwnChanges:
    """The Store's methods for the console's own changes (``Store`` mixes them in)."""

    def add_pending(self: StorePort, session_id: str, *, fingerprint: int, type: str,
                    content: Any, user_id: str, nickname: str, timestamp: int,
                    extra: dict[str, Any] | None = None) -> Message:
        """Show an operator's message before the server has it (status PENDING); ``extra``
        carries keys such as ``mentions`` (which the conversation row picks up at once)."""
        return echo.add_pending(self, session_id, fingerprint=fingerprint, type=type,
                                content=content, user_id=user_id, nickname=nickname,
                                timestamp=timestamp, extra=extra)

    def confirm_pending(self: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
        """The server accepted the send (REST 202): SENT now, without waiting for the echo."""
        return echo.confirm_pending(self, session_id, fingerprint)

    def fail_pending(self: StorePort, session_id: str, fingerprint: int,
                     error: str) -> ApplyResult:
        """The send failed: status FAILED with ``error`` (CHANGED)."""
        return echo.fail_pending(self, session_id, fingerprint, error)

    def queue_pending(self: StorePort, session_id: str, fingerprint: int,
                      why: str = "") -> ApplyResult:
        """Offline: status QUEUED (waits for the connection), ``why`` in ``error`` (CHANGED)."""
        return echo.queue_pending(self, session_id, fingerprint, why)

    def retry_pending(self: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
        """A FAILED (or QUEUED) message is being sent again: back to PENDING (CHANGED)."""
        return echo.retry_pending(self, session_id, fingerprint)

    def discard_pending(self: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
        """Drop an unsent local echo (REMOVING/REMOVED)."""
        return echo.discard_pending(self, session_id, fingerprint)

    def change_state(self: StorePort, session_id: str, state: str, *, hold: float) -> Optimistic:
        """Show ``state`` now; echoes of another state are stale for ``hold`` seconds."""
        return edits.change_state(self, session_id, state, hold)

    def change_assignee(self: StorePort, session_id: str, user_id: str | None, *,
                        hold: float) -> Optimistic:
        return edits.change_assignee(self, session_id, user_id, hold)

    def change_blocked(self: StorePort, session_id: str, blocked: bool, *,
                       hold: float) -> Optimistic:
        return edits.change_blocked(self, session_id, blocked, hold)

    def change_content(self: StorePort, session_id: str, fingerprint: int, content: Any, *,
                       hold: float) -> Optimistic:
        return edits.change_content(self, session_id, fingerprint, content, hold)

    def undo(self: StorePort, change: Optimistic) -> None:
        """Crisp refused an optimistic change: the old value again."""
        edits.undo(self, change)

    def mark_read(self: StorePort, session_id: str) -> ApplyResult:
        return edits.mark_read(self, session_id)

    def mark_unread(self: StorePort, session_id: str) -> ApplyResult:
        return edits.mark_unread(self, session_id)

    def remove_message(self: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
        return edits.remove_message(self, session_id, fingerprint)

    def update_meta(self: StorePort, session_id: str, patch: Mapping[str, Any]) -> ApplyResult:
        return edits.update_meta(self, session_id, patch)

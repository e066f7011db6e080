"""Where "oldest unread" goes: the first of the visitor messages at the end of the thread that
no operator has read."""

from __future__ import annotations

from typing import Any

from crisp_console.core import Message
from crisp_console.present.thread_logic import oldest_unread_row
from tests.core import factories as f


def msg(from_: str = "user", *, read: str = "", type: str = "text") -> Message:
    extra: dict[str, Any] = {"read": read, "type": type}
    return Message.from_payload(f.message("session_thread", from_=from_, **extra))


def test_the_run_of_unread_visitor_messages_at_the_end() -> None:
    thread = [msg(), msg("operator"), msg(), msg(), msg()]
    assert oldest_unread_row(thread) == 2


def test_notes_and_events_are_skipped_a_reply_or_a_read_message_stops() -> None:
    thread = [msg(), msg(), msg("operator", type="note"), msg(type="event"), msg()]
    assert oldest_unread_row(thread) == 0  # notes and events seen nothing
    assert oldest_unread_row([msg(), msg(read="chat"), msg(), msg()]) == 2
    assert oldest_unread_row([msg(), msg("operator")]) == -1
    assert oldest_unread_row([msg(read="chat")]) == -1
    assert oldest_unread_row([]) == -1

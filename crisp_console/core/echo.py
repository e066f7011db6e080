"""Local echo (Quaternion's pending events): an operator's message shows at once as PENDING,
and becomes SENT when the server's copy with the same fingerprint arrives (RTM
``message:received`` or a REST page), FAILED when the send fails.

The client chooses the fingerprint and sends it with the message; the sandbox (and Crisp)
echo it back, which is what makes the merge exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crisp_console.core.models import Conversation, Message, MessageStatus
from crisp_console.core.results import IGNORED, UNKNOWN_TARGET, ApplyResult, result

if TYPE_CHECKING:
    from crisp_console.core.store import Store



def add_pending(store: Store, session_id: str, *, fingerprint: int, type: str, content: Any,
                user_id: str, nickname: str, timestamp: int,
                extra: dict[str, Any] | None = None) -> Message:
    """Insert a PENDING operator message at the end of the timeline and bump the row
    (preview, activity, mentions from ``extra``; the unread counters move when the server
    confirms). ``extra`` holds the rarely set keys the send carries (``mentions``).

    Raises KeyError when the conversation is not in the store (a programming error: the
    composer only exists for a loaded conversation). A fingerprint already in the timeline
    returns that message unchanged, so a double submit shows one message.
    """
    conv = store.conversations[session_id]
    tl = store._timeline(session_id)
    known = tl.by_fp.get(fingerprint)
    if known is not None:
        return known
    msg = Message(fingerprint=fingerprint, session_id=conv.session_id,
                  website_id=conv.website_id, type=type, from_="operator", content=content,
                  timestamp=timestamp, user_id=user_id, nickname=nickname,
                  status=MessageStatus.PENDING, extra=dict(extra) if extra else None)
    tl.insert(msg, store._emit)
    store._bump(conv, msg, count=False)
    return msg


def merge(store: Store, conv: Conversation, pending: Message, server: Message) -> bool:
    """The server's copy of a local echo arrived: SENT with the server's values (it may move
    among the sent messages), and the row counts it now that it really exists."""
    partial = server.field_values()  # the server's copy wins
    partial["status"] = MessageStatus.SENT
    partial["error"] = None
    store._timeline(conv.session_id).update(pending, partial, store._emit)
    store._bump(conv, pending, count=True)
    return True


def _unsent(store: Store, session_id: str, fingerprint: int) -> Message | ApplyResult:
    msg = store.message(session_id, fingerprint)
    if msg is None:
        return UNKNOWN_TARGET
    if not msg.is_pending:
        return IGNORED  # the server has it already: nothing left to fail or discard
    return msg


def confirm_pending(store: Store, session_id: str, fingerprint: int) -> ApplyResult:
    """The send was accepted (REST 202) before any echo: SENT with the local values, and the
    row counts it. The RTM echo that may follow is a duplicate (IGNORED): it may be older
    than an edit made since, so it must not overwrite anything."""
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    conv = store.conversations.get(session_id)
    partial = {"status": MessageStatus.SENT, "error": None}
    store._timeline(session_id).update(msg, partial, store._emit)
    if conv is not None:
        store._bump(conv, msg, count=True)
    return result(True)


def fail_pending(store: Store, session_id: str, fingerprint: int, error: str) -> ApplyResult:
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    partial = {"status": MessageStatus.FAILED, "error": error}
    return result(bool(store._timeline(session_id).update(msg, partial, store._emit)))


def retry_pending(store: Store, session_id: str, fingerprint: int) -> ApplyResult:
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    partial = {"status": MessageStatus.PENDING, "error": None}
    return result(bool(store._timeline(session_id).update(msg, partial, store._emit)))


def discard_pending(store: Store, session_id: str, fingerprint: int) -> ApplyResult:
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    store._timeline(session_id).remove(msg, store._emit)
    conv = store.conversations.get(session_id)
    if conv is not None and conv.last_fingerprint == fingerprint:
        store._refresh_preview(conv)
    return result(True)

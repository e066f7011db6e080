"""Local echo (Quaternion's pending events): an operator's message shows at once as PENDING,
and becomes SENT when the server's copy with the same fingerprint arrives (RTM
``message:received`` or a REST page), FAILED when the send fails, QUEUED while it waits for
the connection (then PENDING again when it goes: ``retry_pending``).

The client chooses the fingerprint and sends it with the message; the sandbox (and Crisp)
echo it back, which is what makes the merge exact. Functions over the Store's public parts
(port.py); the Store's methods of the same names call them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisp_console.core import parse as p
from crisp_console.core.counting import Arrival
from crisp_console.core.models import Conversation, Message, MessageStatus, content_of
from crisp_console.core.port import StorePort
from crisp_console.core.results import IGNORED, UNKNOWN_TARGET, ApplyResult, result


def adopt(conv: Conversation, msg: Message) -> None:
    """Share the conversation's id strings instead of one copy per message."""
    msg.session_id = conv.session_id
    msg.website_id = conv.website_id


def add_pending(store: StorePort, session_id: str, *, fingerprint: int, type: str,
                content: Any, user_id: str, nickname: str, timestamp: int,
                extra: dict[str, Any] | None = None) -> Message:
    """Insert a PENDING operator message at the end of the timeline and bump the row
    (preview, activity, mentions from ``extra``; the unread counters move when the server
    confirms). ``extra`` holds the rarely set keys the send carries (``mentions``).

    These are the console's own values, not wire data, and two of them are checked rather
    than mended: KeyError when the conversation is not in the store (the composer only
    exists for a loaded conversation; it may have been removed meanwhile), ValueError when
    ``fingerprint`` is outside 0..2**53-1 or ``type`` is not a short non-empty string. The
    others are kept within the store's limits (parse.py): content and ``extra`` as free-form
    JSON, names cut, a timestamp outside 1970..9999 clamped. A fingerprint already in the
    timeline returns that message unchanged, so a double submit shows one message.
    """
    conv = store.rows.get(session_id)
    if conv is None:
        raise KeyError(session_id)
    if not p.is_int(fingerprint) or not 0 <= fingerprint <= p.MAX_FINGERPRINT:
        raise ValueError(f"fingerprint outside 0..2**53-1: {fingerprint!r:.40}")
    if not isinstance(type, str) or not 0 < len(type) <= p.MAX_NAME:
        raise ValueError("a message type is a short non-empty string")
    tl = store.threads.open(conv.session_id)
    known = tl.by_fp.get(fingerprint)
    if known is not None:
        return known
    stamp = min(max(timestamp, 0), p.MAX_TIMESTAMP) if p.is_int(timestamp) else 0
    msg = Message(fingerprint=int(fingerprint), session_id=conv.session_id,
                  website_id=conv.website_id, type=p.interned(p.text(type, p.MAX_NAME)),
                  from_="operator", content=content_of(content), timestamp=stamp,
                  user_id=p.opt_id(user_id),
                  nickname=p.text(nickname, p.MAX_NAME) if isinstance(nickname, str) else "",
                  status=MessageStatus.PENDING,
                  extra=(p.json_object(extra) or None) if isinstance(extra, Mapping) else None)
    tl.insert(msg)
    store.bump(conv, msg, Arrival.LOCAL)
    return msg


def merge(store: StorePort, conv: Conversation, pending: Message, server: Message) -> bool:
    """The server's copy of a local echo arrived: SENT with the server's values (it may move
    among the sent messages), and the row counts it now that it really exists."""
    partial = server.field_values()  # the server's copy wins
    partial["status"] = MessageStatus.SENT
    partial["error"] = None
    store.threads.open(conv.session_id).update(pending, partial)
    store.bump(conv, pending, Arrival.CONFIRMED)
    return True


def _unsent(store: StorePort, session_id: str, fingerprint: int) -> Message | ApplyResult:
    msg = store.threads.message(session_id, fingerprint)  # None for ids of the wrong type
    if msg is None:
        return UNKNOWN_TARGET
    if not msg.is_pending:
        return IGNORED  # the server has it already: nothing left to fail or discard
    return msg


def confirm_pending(store: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
    """The send was accepted (REST 202) before any echo: SENT with the local values, and the
    row counts it. The RTM echo that may follow is a duplicate (IGNORED): it may be older
    than an edit made since, so it must not overwrite anything."""
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    store.threads.open(session_id).update(msg, {"status": MessageStatus.SENT, "error": None})
    conv = store.rows.get(session_id)
    if conv is not None:
        store.bump(conv, msg, Arrival.CONFIRMED)
    return result(True)


def fail_pending(store: StorePort, session_id: str, fingerprint: int, error: str) -> ApplyResult:
    why = p.text(error, p.MAX_ERROR) if isinstance(error, str) else "not sent"
    return _restatus(store, session_id, fingerprint, MessageStatus.FAILED, why)


def queue_pending(store: StorePort, session_id: str, fingerprint: int,
                  why: str = "") -> ApplyResult:
    """Offline: the message waits for the connection (QUEUED), ``why`` in words."""
    reason = p.text(why, p.MAX_ERROR) if isinstance(why, str) and why else None
    return _restatus(store, session_id, fingerprint, MessageStatus.QUEUED, reason)


def retry_pending(store: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
    return _restatus(store, session_id, fingerprint, MessageStatus.PENDING, None)


def _restatus(store: StorePort, session_id: str, fingerprint: int, status: MessageStatus,
              error: str | None) -> ApplyResult:
    """An unsent message's new status and error; APPLIED only when either changed."""
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    partial = {"status": status, "error": error}
    return result(bool(store.threads.open(session_id).update(msg, partial)))


def discard_pending(store: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
    msg = _unsent(store, session_id, fingerprint)
    if isinstance(msg, ApplyResult):
        return msg
    store.threads.open(session_id).remove(msg)
    conv = store.rows.get(session_id)
    if conv is not None and conv.last_fingerprint == fingerprint:
        store.refresh_preview(conv)
    return result(True)

"""The console's own changes: what an operator's command shows in the store, typed.

The client calls these (through the Store's methods of the same names) around its REST calls
instead of building RTM payloads: they apply the same rules as the handlers of the events
that would announce them (handlers_*.py share them), without being live events.

- Optimistic changes (state, assignee, block, a message's content) are shown before the REST
  call, remembered as expected (optimistic.py) and returned; ``undo`` reverts one.
- Changes Crisp confirmed (read, unread, a removed message, meta) are shown after it.

Values are the console's own: an unknown conversation is KeyError and a state outside
STATES is ValueError for the optimistic changes (made before any await, they cannot race
a removal); afterwards an unknown conversation is UNKNOWN_TARGET (it may have gone while
the request was out). A meta value of the wrong type is counted on the reporter, like wire
data, and not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisp_console.core import counting
from crisp_console.core import parse as p
from crisp_console.core.handlers_messages import remove_message as remove_from_thread
from crisp_console.core.handlers_messages import set_content
from crisp_console.core.handlers_sessions import META_PARTIALS
from crisp_console.core.models import STATES, Conversation, content_of
from crisp_console.core.optimistic import ASSIGNED, BLOCKED, CONTENT, STATE, Optimistic
from crisp_console.core.port import StorePort
from crisp_console.core.results import UNKNOWN_TARGET, ApplyResult, result


def _known(store: StorePort, session_id: str) -> Conversation:
    conv = store.rows.get(session_id)
    if conv is None:
        raise KeyError(session_id)
    return conv


# ---- optimistic ------------------------------------------------------------------------------


def _set(store: StorePort, change: Optimistic, value: Any) -> None:
    """Show ``value`` for the change's field (whatever is left of its target)."""
    conv = store.rows.get(change.session_id)
    if conv is None:
        return
    if change.field == CONTENT:
        assert change.fingerprint is not None
        set_content(store, conv, change.fingerprint, value)
    elif change.field == STATE:
        store.rows.update(conv.session_id, counting.state_set(value))
    else:
        store.rows.update(conv.session_id, {change.field: value})


def _optimistic(store: StorePort, change: Optimistic, hold: float) -> Optimistic:
    _set(store, change, change.value)
    store.optimistic.expect(change, hold)
    return change


def change_state(store: StorePort, session_id: str, state: str, hold: float) -> Optimistic:
    conv = _known(store, session_id)
    if not isinstance(state, str) or state not in STATES:
        raise ValueError(f"no such state: {state!r:.40}")
    return _optimistic(store, Optimistic(STATE, conv.session_id, None, state, conv.state), hold)


def change_assignee(store: StorePort, session_id: str, user_id: str | None,
                    hold: float) -> Optimistic:
    conv = _known(store, session_id)
    change = Optimistic(ASSIGNED, conv.session_id, None, p.opt_str_or_none(user_id),
                        conv.assigned)
    return _optimistic(store, change, hold)


def change_blocked(store: StorePort, session_id: str, blocked: bool,
                   hold: float) -> Optimistic:
    conv = _known(store, session_id)
    change = Optimistic(BLOCKED, conv.session_id, None, bool(blocked), conv.is_blocked)
    return _optimistic(store, change, hold)


def change_content(store: StorePort, session_id: str, fingerprint: int, content: Any,
                   hold: float) -> Optimistic:
    """A message's new content; LookupError when the timeline does not hold it."""
    conv = _known(store, session_id)
    msg = store.threads.message(conv.session_id, fingerprint)
    if msg is None:
        raise LookupError(f"no message {fingerprint} in {session_id}")
    change = Optimistic(CONTENT, conv.session_id, msg.fingerprint, content_of(content),
                        msg.content)
    return _optimistic(store, change, hold)


def undo(store: StorePort, change: Optimistic) -> None:
    """Crisp refused the change: show the old value again (echoes are no longer stale)."""
    store.optimistic.forget(change)
    _set(store, change, change.old)


# ---- confirmed -------------------------------------------------------------------------------


def mark_read(store: StorePort, session_id: str) -> ApplyResult:
    """The operator read the conversation (Mark Messages As Read)."""
    conv = store.rows.get(session_id)
    if conv is None:
        return UNKNOWN_TARGET
    return result(bool(store.rows.update(conv.session_id, counting.read_by(counting.OPERATOR))))


def mark_unread(store: StorePort, session_id: str) -> ApplyResult:
    conv = store.rows.get(session_id)
    if conv is None:
        return UNKNOWN_TARGET
    return result(bool(store.rows.update(conv.session_id, counting.marked_unread(conv))))


def remove_message(store: StorePort, session_id: str, fingerprint: int) -> ApplyResult:
    conv = store.rows.get(session_id)
    if conv is None:
        return UNKNOWN_TARGET
    return result(remove_from_thread(store, conv, fingerprint))


def update_meta(store: StorePort, session_id: str, patch: Mapping[str, Any]) -> ApplyResult:
    """Segments, data, email, nickname…: the keys a ``session:set_<key>`` event announces
    (others, such as device or ip, arrive with the next REST refresh)."""
    conv = store.rows.get(session_id)
    if conv is None:
        return UNKNOWN_TARGET
    changed = False
    for key, value in patch.items():
        partial = META_PARTIALS.get(key)
        if partial is None:
            continue
        try:
            fields = partial(conv, value)
        except p.PayloadError as exc:
            store.intake.reporter.report(f"edit:{key}", str(exc))
            continue
        changed |= bool(store.rows.update(conv.session_id, fields))
    return result(changed)

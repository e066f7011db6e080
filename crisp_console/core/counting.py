"""The conversation row after something happened in its timeline: its preview, its activity,
and the unread counters. The one place the counting rules live (as the sandbox counts).

Which arrival of a message counts (``counts``):
- ``LIVE``, the server's copy over RTM: it counts, unless the REST row already counts it
  (its preview is this very message: the row was fetched after the message was written);
- ``LOCAL``, a local echo shown before the server has it: never;
- ``CONFIRMED``, a local echo the server confirmed (its echo merged, or REST answered 202):
  once, now that it really exists;
- ``HISTORY``, a REST page: never (the REST row's counters are the truth for what it holds).
Notes and events count for neither side (``Message.counts_as_unread``).

What counting does: a visitor message adds one to ``unread_operator`` and starts
``waiting_since`` if nobody waited yet; an operator message adds one to ``unread_visitor`` and
ends the wait. A read acknowledgement zeroes the reader's counter; marking a conversation
unread makes ``unread_operator`` at least 1; resolving it ends the wait. Counters stop at
MAX_COUNT (a REST row may start there).
"""

from __future__ import annotations

import enum
from typing import Any

from crisp_console.core.models import Conversation, Message
from crisp_console.core.parse import MAX_COUNT, MAX_LIST, id_list

# Who read: the counter an acknowledgement zeroes.
OPERATOR, VISITOR = "operator", "visitor"
_COUNTER = {OPERATOR: "unread_operator", VISITOR: "unread_visitor"}


class Arrival(enum.Enum):
    LIVE = "live"
    LOCAL = "local"
    CONFIRMED = "confirmed"
    HISTORY = "history"


def counts(arrival: Arrival, conv: Conversation, msg: Message) -> bool:
    """Whether this arrival of ``msg`` moves the counters (before the type's own rule)."""
    if arrival is Arrival.LIVE:
        return msg.fingerprint == 0 or conv.last_fingerprint != msg.fingerprint
    return arrival is Arrival.CONFIRMED


def preview(msg: Message | None) -> dict[str, Any]:
    """The row's preview fields showing ``msg`` (None: an empty timeline)."""
    if msg is None:
        return {"last_message": "", "last_from": "", "last_type": "", "last_fingerprint": 0}
    return {"last_message": msg.excerpt(), "last_from": msg.from_, "last_type": msg.type,
            "last_fingerprint": msg.fingerprint}


def after_message(conv: Conversation, msg: Message, *, latest: bool,
                  count: bool) -> dict[str, Any]:
    """The row's fields once ``msg`` is in its timeline: the preview if it is the ``latest``
    (or an unsent echo), activity, mentions from ``extra``, and (``count``) the counters and
    the wait."""
    partial = preview(msg) if latest or msg.is_pending else {}
    if msg.timestamp > conv.updated_at:
        partial["updated_at"] = msg.timestamp
    mentions = msg.extra.get("mentions") if msg.extra else None
    if isinstance(mentions, list):
        partial["mentions"] = tuple(sorted(set(conv.mentions).union(
            id_list(mentions)))[:MAX_LIST])
    if count and msg.counts_as_unread:
        if msg.from_ == "user":
            partial["unread_operator"] = min(conv.unread_operator + 1, MAX_COUNT)
            partial["waiting_since"] = conv.waiting_since or msg.timestamp
        else:
            partial["unread_visitor"] = min(conv.unread_visitor + 1, MAX_COUNT)
            partial["waiting_since"] = 0
    return partial


def read_by(reader: str) -> dict[str, Any]:
    """A read acknowledgement by ``reader`` (OPERATOR or VISITOR): their counter is zero."""
    return {_COUNTER[reader]: 0}


def marked_unread(conv: Conversation) -> dict[str, Any]:
    """Marked unread (``message:acknowledge:unread:send`` does not say whose side; an
    operator console only marks its own): ``unread_operator`` becomes at least 1."""
    return {"unread_operator": max(conv.unread_operator, 1)}


def state_set(state: str) -> dict[str, Any]:
    """A new state; nobody waits on a resolved conversation."""
    return {"state": state, "waiting_since": 0} if state == "resolved" else {"state": state}

"""What each kind of outbox command does: its body, its REST call, the optimistic change
shown before it (undone if Crisp refuses it), and what the store learns once Crisp took it.

Every one is a PATCH: sending it twice changes nothing, so a command whose answer was lost
(or that was in flight at a crash) is simply sent again.
"""

from __future__ import annotations

import logging
from typing import Any

from crisp_console.api import CrispApi
from crisp_console.core import Optimistic, Store
from crisp_console.storage.outbox import OutboxItem

log = logging.getLogger("crisp_console.client")

# kind -> the action in words, for allowed() (a 403 names it) and the log.
ACTIONS = {
    "edit": "edit messages",
    "state": "resolve or reopen conversations",
    "assign": "assign conversations",
    "segments": "change conversation details",
    "read": "mark conversations read",
    "unread": "mark conversations unread",
    "block": "block visitors",
}


def item(kind: str, website_id: str, session_id: str, body: dict[str, Any],
         fingerprint: int | None = None) -> OutboxItem:
    if kind not in ACTIONS:
        raise ValueError(f"no outbox command {kind!r}")
    return OutboxItem(kind, website_id, session_id, body, fingerprint=fingerprint)


async def perform(api: CrispApi, store: Store, action: OutboxItem) -> None:
    """The REST call of ``action``, then what the store shows once Crisp took it."""
    w, s, body = action.website_id, action.session_id, action.body
    kind = action.kind
    if kind == "state":
        await api.set_state(w, s, body["state"])
    elif kind == "assign":
        await api.assign(w, s, body.get("user_id"))
    elif kind == "block":
        await api.set_block(w, s, bool(body["blocked"]))
    elif kind == "edit":
        assert action.fingerprint is not None
        await api.update_message(w, s, action.fingerprint, body["content"])
    elif kind == "segments":
        await api.update_meta(w, s, body["patch"])
    elif kind == "read":
        await api.mark_read(w, s)
    elif kind == "unread":
        await api.mark_unread(w, s)
    else:
        raise ValueError(f"no outbox command {kind!r}")
    settle(store, action)


def settle(store: Store, action: OutboxItem) -> None:
    """What the store shows of a confirmed change (read, unread, meta). Also shown while
    the command waits: it is the operator's intent, and it will be sent."""
    if action.kind == "read":
        store.mark_read(action.session_id)
    elif action.kind == "unread":
        store.mark_unread(action.session_id)
    elif action.kind == "segments":
        store.update_meta(action.session_id, action.body["patch"])


def show(store: Store, action: OutboxItem, hold: float) -> Optimistic | None:
    """Show an optimistic change again (a command resumed after a restart); None when it
    has none, or its conversation or message is not in the store (it is sent all the
    same: the request needs only the ids)."""
    s, body = action.session_id, action.body
    try:
        if action.kind == "state":
            return store.change_state(s, body["state"], hold=hold)
        if action.kind == "assign":
            return store.change_assignee(s, body.get("user_id"), hold=hold)
        if action.kind == "block":
            return store.change_blocked(s, bool(body["blocked"]), hold=hold)
        if action.kind == "edit" and action.fingerprint is not None:
            return store.change_content(s, action.fingerprint, body["content"], hold=hold)
    except (LookupError, ValueError) as exc:  # KeyError: not loaded (yet); a bad value
        log.debug("outbox %s of %s: not shown (%r)", action.kind, s, exc)
        return None
    settle(store, action)
    return None

"""Handlers of the ``message:*`` RTM events, and the message edits they share with the
console's own commands (edits.py).

A handler validates the whole payload before it changes anything (PayloadError -> MALFORMED
in ``Store.apply``), so a bad payload never leaves the store half-updated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crisp_console.core import counting, echo
from crisp_console.core import parse as p
from crisp_console.core.counting import Arrival
from crisp_console.core.models import Conversation, Message, content_of, excerpt_of
from crisp_console.core.optimistic import CONTENT
from crisp_console.core.port import StorePort
from crisp_console.core.results import APPLIED, IGNORED, UNKNOWN_TARGET, ApplyResult, result

Handler = Callable[[StorePort, Any], ApplyResult]
COMPOSE_KINDS = frozenset(("start", "stop"))  # built once, not per typing event


def session_of(store: StorePort, payload: Any) -> tuple[Mapping[str, Any], Conversation | None]:
    """The payload as an object, and the conversation its (required) session_id names."""
    data = p.obj(payload)
    return data, store.rows.get(p.req_id(data, "session_id"))


def set_fields(store: StorePort, conv: Conversation | None,
               partial: Mapping[str, Any]) -> ApplyResult:
    if conv is None:
        return UNKNOWN_TARGET
    return result(bool(store.rows.update(conv.session_id, partial)))


# ---- edits shared with the console's commands ----------------------------------------------


def set_content(store: StorePort, conv: Conversation, fingerprint: int, content: Any) -> bool:
    """A message's new content (edited), and the row's preview if it shows that message."""
    changed = False
    msg = store.threads.message(conv.session_id, fingerprint)
    if msg is not None:
        tl = store.threads.open(conv.session_id)
        changed = bool(tl.update(msg, {"content": content, "edited": True}))
    if conv.last_fingerprint == fingerprint:
        kind = msg.type if msg is not None else conv.last_type
        changed |= bool(store.rows.update(conv.session_id,
                                          {"last_message": excerpt_of(kind, content)}))
    return changed


def remove_message(store: StorePort, conv: Conversation, fingerprint: int) -> bool:
    """Remove a message; the row shows the latest one left if it showed this one."""
    msg = store.threads.message(conv.session_id, fingerprint)
    if msg is not None:
        store.threads.open(conv.session_id).remove(msg)
    changed = msg is not None
    if conv.last_fingerprint == fingerprint and store.threads.count(conv.session_id):
        changed |= bool(store.refresh_preview(conv))
    return changed


# ---- handlers --------------------------------------------------------------------------------


def provisional(store: StorePort, data: Mapping[str, Any], msg: Message) -> Conversation | None:
    """A row for a message of a conversation the store does not know, on a website it does,
    from the message alone; Crisp's own copy (the owed fetch) replaces its values.

    Why not wait for that copy: it costs a REST round trip before a new visitor shows at
    all, and while REST is down or the daily quota is spent, the visitor would not show
    for as long. What the message does not say is a guess the answer corrects: the state
    (a visitor's first message leaves a conversation pending; an operator's, unresolved) and
    every meta field but a visitor's nickname."""
    if msg.website_id not in store.directory.websites:
        return None  # not one of ours (yet): the fetch, or the websites refresh, decides
    visitor = msg.from_ == "user"
    conv = Conversation(session_id=msg.session_id, website_id=msg.website_id,
                        inbox_id=p.opt_str_or_none(data.get("inbox_id")),
                        state="pending" if visitor else "unresolved",
                        nickname=msg.nickname if visitor else "",
                        created_at=msg.timestamp, updated_at=msg.timestamp)
    store.rows.add_provisional(conv)
    return conv


def on_message(store: StorePort, payload: Any) -> ApplyResult:
    """``message:send`` (visitor) / ``message:received`` (operator): insert, or merge the
    local echo with that fingerprint; then the row (preview, activity, counters). A message
    of an unknown conversation on a known website adds it, provisional (``provisional``)."""
    data = p.obj(payload)
    msg = Message.from_payload(data)
    if not msg.session_id:
        raise p.PayloadError("session_id must be a non-empty string")
    store.note_live(message=msg)  # told even when the conversation is unknown here
    conv = store.rows.get(msg.session_id) or provisional(store, data, msg)
    if conv is None:
        return UNKNOWN_TARGET
    tl = store.threads.open(conv.session_id)
    known = tl.by_fp.get(msg.fingerprint)
    if known is not None:
        if known.is_pending:
            return result(echo.merge(store, conv, known, msg))
        # A replay, or the late echo of a send REST confirmed first: counted already, and
        # the copy may be older than what we have since (an edit made in between).
        return IGNORED
    echo.adopt(conv, msg)
    tl.insert(msg)
    store.bump(conv, msg, Arrival.LIVE)
    if msg.from_ == "operator" and msg.user_id and not msg.automated and msg.type != "event":
        store.presence.message(conv.session_id, msg.user_id, msg.nickname,
                               note=msg.type == "note")  # a colleague just wrote (presence.py)
    return APPLIED


def on_message_updated(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    fingerprint = p.req_fingerprint(data)
    if "content" not in data:
        raise p.PayloadError("content is missing")
    if conv is None:
        return UNKNOWN_TARGET
    content = content_of(data["content"])
    if store.optimistic.outdated(CONTENT, conv.session_id, fingerprint, content):
        return IGNORED
    return result(set_content(store, conv, fingerprint, content))


def on_message_removed(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    fingerprint = p.req_fingerprint(data)
    if conv is None:
        return IGNORED  # nothing of it here to remove
    return result(remove_message(store, conv, fingerprint))


def compose(field: str, *, colleague: bool = False) -> Handler:
    """Typing: the conversation's ``field``; for an operator (``colleague``) also who, in
    ``store.presence``, unless the event is automated or names no user."""
    def handler(store: StorePort, payload: Any) -> ApplyResult:
        data, conv = session_of(store, payload)
        kind = p.req_choice(data, "type", COMPOSE_KINDS)
        excerpt = None if kind == "stop" else p.opt_str(data, "excerpt", limit=p.MAX_EXCERPT)
        outcome = set_fields(store, conv, {field: excerpt})
        if colleague and conv is not None and typist(store, conv, data, kind == "start"):
            return APPLIED
        return outcome

    return handler


def typist(store: StorePort, conv: Conversation, data: Mapping[str, Any], typing: bool) -> bool:
    """An operator's compose event into ``store.presence`` (not an automated one, nor one
    naming no user); True if it changed who is typing."""
    user = data.get("user")
    if not isinstance(user, Mapping) or p.opt_bool(data, "automated"):
        return False
    user_id = p.opt_id(user.get("user_id"))
    if not user_id:
        return False
    return store.presence.compose(conv.session_id, user_id, p.opt_str(user, "nickname"), typing)


def acknowledge(reader: str | None) -> Handler:
    """Read (``reader``: who read, whose counter goes to zero) or delivered (None)
    acknowledgements: mark the listed messages, then the counter."""
    read = reader is not None

    def handler(store: StorePort, payload: Any) -> ApplyResult:
        data, conv = session_of(store, payload)
        fingerprints = p.fingerprint_list(data.get("fingerprints", []))
        if fingerprints is None:
            raise p.PayloadError("fingerprints must be a list of fingerprints")
        origin = p.interned(p.opt_str(data, "origin", "chat"))
        if conv is None:
            return UNKNOWN_TARGET
        changed = False
        tl = store.threads.get(conv.session_id)
        if tl is not None and fingerprints:
            targets = [m for m in map(tl.by_fp.get, fingerprints) if m is not None]
            if read:
                updates = [(m, {"read": origin, "delivered": m.delivered or origin})
                           for m in targets]
            else:
                updates = [(m, {"delivered": origin}) for m in targets]
            changed = tl.update_many(updates)
        if reader is not None:
            changed |= bool(store.rows.update(conv.session_id, counting.read_by(reader)))
        return result(changed)

    return handler


def on_unread(store: StorePort, payload: Any) -> ApplyResult:
    """``message:acknowledge:unread:send``: counting.marked_unread."""
    data, conv = session_of(store, payload)
    if p.fingerprint_list(data.get("fingerprints", [])) is None:
        raise p.PayloadError("fingerprints must be a list of fingerprints")
    if conv is None:
        return UNKNOWN_TARGET
    return set_fields(store, conv, counting.marked_unread(conv))


MESSAGE_HANDLERS: dict[str, Handler] = {
    "message:send": on_message,
    "message:received": on_message,
    "message:updated": on_message_updated,
    "message:removed": on_message_removed,
    "message:compose:send": compose("compose_visitor"),
    "message:compose:receive": compose("compose_operator", colleague=True),
    "message:acknowledge:read:send": acknowledge(counting.VISITOR),
    "message:acknowledge:read:received": acknowledge(counting.OPERATOR),
    "message:acknowledge:delivered": acknowledge(None),
    "message:acknowledge:unread:send": on_unread,
}

"""The RTM event handler table: one explicit entry per event the sandbox (and Crisp) emits.

A handler validates the whole payload before it changes anything (PayloadError -> MALFORMED
in ``Store.apply``), so a bad payload never leaves the store half-updated. Payload shapes:
shared/docs/crisp-api.md section 4 and sandbox/state.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from crisp_console.core import echo
from crisp_console.core import parse as p
from crisp_console.core.models import (
    STATES,
    Conversation,
    Message,
    Person,
    content_of,
    excerpt_of,
)
from crisp_console.core.results import (
    APPLIED,
    IGNORED,
    UNKNOWN_TARGET,
    ApplyResult,
    result,
)

if TYPE_CHECKING:
    from crisp_console.core.store import Store

Handler = Callable[["Store", Any], ApplyResult]


def _session(store: Store, payload: Any) -> tuple[Mapping[str, Any], Conversation | None]:
    data = p.obj(payload)
    return data, store.conversations.get(p.req_id(data, "session_id"))


def _set(store: Store, conv: Conversation | None, partial: Mapping[str, Any]) -> ApplyResult:
    if conv is None:
        return UNKNOWN_TARGET
    return result(bool(store.update_conversation(conv.session_id, partial)))


# ---- messages --------------------------------------------------------------------------------


def on_message(store: Store, payload: Any) -> ApplyResult:
    """``message:send`` (visitor) / ``message:received`` (operator): insert, or merge the
    local echo with that fingerprint; then the row (preview, activity, counters)."""
    msg = Message.from_payload(payload)
    if not msg.session_id:
        raise p.PayloadError("session_id must be a non-empty string")
    conv = store.conversations.get(msg.session_id)
    if conv is None:
        return UNKNOWN_TARGET
    tl = store._timeline(conv.session_id)
    known = tl.by_fp.get(msg.fingerprint)
    if known is not None:
        if known.is_pending:
            return result(echo.merge(store, conv, known, msg))
        # A replay, or the late echo of a send REST confirmed first: counted already, and
        # the copy may be older than what we have since (an edit made in between).
        return IGNORED
    # A REST row fetched after this message was written already counts it (its preview is
    # this very message): the event arriving later must not count it a second time.
    counted = msg.fingerprint != 0 and conv.last_fingerprint == msg.fingerprint
    store._adopt(conv, msg)
    tl.insert(msg, store._emit)
    store._bump(conv, msg, count=not counted)
    return APPLIED


def on_message_updated(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    fingerprint = p.req_fingerprint(data)
    if "content" not in data:
        raise p.PayloadError("content is missing")
    if conv is None:
        return UNKNOWN_TARGET
    content = content_of(data["content"])
    changed = False
    msg = store.message(conv.session_id, fingerprint)
    if msg is not None:
        tl = store._timeline(conv.session_id)
        changed = bool(tl.update(msg, {"content": content, "edited": True}, store._emit))
    if conv.last_fingerprint == fingerprint:
        kind = msg.type if msg is not None else conv.last_type
        changed |= bool(store.update_conversation(
            conv.session_id, {"last_message": excerpt_of(kind, content)}))
    return result(changed)


def on_message_removed(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    fingerprint = p.req_fingerprint(data)
    if conv is None:
        return IGNORED  # nothing of it here to remove
    msg = store.message(conv.session_id, fingerprint)
    if msg is not None:
        store._timeline(conv.session_id).remove(msg, store._emit)
    changed = msg is not None
    if conv.last_fingerprint == fingerprint and store.message_count(conv.session_id):
        changed |= bool(store._refresh_preview(conv))
    return result(changed)


def _compose(field: str) -> Handler:
    def handler(store: Store, payload: Any) -> ApplyResult:
        data, conv = _session(store, payload)
        kind = p.req_choice(data, "type", frozenset(("start", "stop")))
        excerpt = None if kind == "stop" else p.opt_str(data, "excerpt", limit=p.MAX_EXCERPT)
        return _set(store, conv, {field: excerpt})

    return handler


def _acknowledge(*, read: bool, reset: str | None) -> Handler:
    """Read/delivered acknowledgements: mark the listed messages, and (for reads) zero the
    reader's unread counter as the sandbox does."""

    def handler(store: Store, payload: Any) -> ApplyResult:
        data, conv = _session(store, payload)
        fingerprints = p.fingerprint_list(data.get("fingerprints", []))
        if fingerprints is None:
            raise p.PayloadError("fingerprints must be a list of fingerprints")
        origin = p.interned(p.opt_str(data, "origin", "chat"))
        if conv is None:
            return UNKNOWN_TARGET
        tl = store._timeline(conv.session_id)
        targets = [m for m in map(tl.by_fp.get, fingerprints) if m is not None]
        if read:
            updates = [(m, {"read": origin, "delivered": m.delivered or origin})
                       for m in targets]
        else:
            updates = [(m, {"delivered": origin}) for m in targets]
        changed = tl.update_many(updates, store._emit)
        if reset is not None:
            changed |= bool(store.update_conversation(conv.session_id, {reset: 0}))
        return result(changed)

    return handler


def on_unread(store: Store, payload: Any) -> ApplyResult:
    """``message:acknowledge:unread:send``: the event does not say whose side was marked
    unread; an operator console only marks its own, so unread_operator becomes at least 1."""
    data, conv = _session(store, payload)
    if p.fingerprint_list(data.get("fingerprints", [])) is None:
        raise p.PayloadError("fingerprints must be a list of fingerprints")
    if conv is None:
        return UNKNOWN_TARGET
    return _set(store, conv, {"unread_operator": max(conv.unread_operator, 1)})


# ---- sessions --------------------------------------------------------------------------------


def on_state(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    state = p.req_choice(data, "state", STATES)
    partial: dict[str, Any] = {"state": state}
    if state == "resolved":
        partial["waiting_since"] = 0  # as the sandbox: nobody waits on a resolved conversation
    return _set(store, conv, partial)


def on_routing(store: Store, payload: Any) -> ApplyResult:
    """``routing_id`` is the assigned operator (null: unassigned); the sandbox also sends
    ``assigned: {user_id}``, used when ``routing_id`` is absent."""
    data, conv = _session(store, payload)
    if "routing_id" in data:
        value = data["routing_id"]
    elif "assigned" in data:
        assigned = data["assigned"]
        value = assigned.get("user_id") if isinstance(assigned, Mapping) else assigned
    else:
        raise p.PayloadError("routing_id is missing")
    if value is not None and (not isinstance(value, str) or len(value) > p.MAX_ID):
        raise p.PayloadError("routing_id must be an id or null")
    return _set(store, conv, {"assigned": p.opt_str_or_none(value)})


def on_block(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    return _set(store, conv, {"is_blocked": p.req_bool(data, "is_blocked")})


def on_inbox(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    if "inbox_id" not in data:
        raise p.PayloadError("inbox_id is missing")
    value = data["inbox_id"]
    if value is not None and (not isinstance(value, str) or len(value) > p.MAX_ID):
        raise p.PayloadError("inbox_id must be an id or null")
    return _set(store, conv, {"inbox_id": p.opt_str_or_none(value)})


def _meta_value(data: Mapping[str, Any], key: str, limit: int) -> str | None:
    if key not in data:
        raise p.PayloadError(f"{key} is missing")
    value = data[key]
    if value is not None and not isinstance(value, str):
        raise p.PayloadError(f"{key} must be a string or null")
    return None if value is None else p.text(value, limit)


def _set_field(key: str) -> Handler:
    """``session:set_<key>`` for the meta keys the Conversation has a field for (a URL that
    is too long is dropped, not cut)."""
    url = key == "avatar"

    def handler(store: Store, payload: Any) -> ApplyResult:
        data, conv = _session(store, payload)
        value = _meta_value(data, key, p.MAX_URL + 1 if url else p.MAX_NAME) or ""
        return _set(store, conv, {key: "" if len(value) > p.MAX_URL else value})

    return handler


def _set_meta(key: str) -> Handler:
    """``session:set_<key>`` for the meta keys kept in ``Conversation.meta`` (null removes)."""

    def handler(store: Store, payload: Any) -> ApplyResult:
        data, conv = _session(store, payload)
        value = _meta_value(data, key, p.MAX_STRING)
        if conv is None:
            return UNKNOWN_TARGET
        meta = {k: v for k, v in conv.meta.items() if k != key}
        if value is not None:
            meta[key] = value
        return _set(store, conv, {"meta": meta})

    return handler


def on_segments(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    if not isinstance(data.get("segments"), list):
        raise p.PayloadError("segments must be a list")
    return _set(store, conv, {"segments": tuple(p.str_list(data["segments"]))})


def on_data(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    return _set(store, conv, {"data": p.json_object(p.obj(data.get("data"), "data"))})


def on_geolocation(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    geolocation = p.obj(data.get("geolocation"), "geolocation")
    if conv is None:
        return UNKNOWN_TARGET
    device = conv.meta.get("device")
    device = dict(device) if isinstance(device, Mapping) else {}
    device["geolocation"] = geolocation
    # Cleaned where it lands: two levels down in meta, whose depth and size are limited.
    return _set(store, conv, {"meta": p.json_object({**conv.meta, "device": device})})


def on_availability(store: Store, payload: Any) -> ApplyResult:
    data, conv = _session(store, payload)
    availability = p.req_choice(data, "availability", frozenset(("online", "offline", "away")))
    return _set(store, conv, {"availability": availability})


def on_pages(store: Store, payload: Any) -> ApplyResult:
    """Visited pages are not kept (the side panel fetches them): validated, then IGNORED."""
    data, _conv = _session(store, payload)
    if not isinstance(data.get("pages"), list):
        raise p.PayloadError("pages must be a list")
    return IGNORED


def on_session_removed(store: Store, payload: Any) -> ApplyResult:
    _data, conv = _session(store, payload)
    return store.remove_conversation(conv.session_id) if conv is not None else IGNORED


# ---- people, websites, operators, plugin -----------------------------------------------------


def on_person_created(store: Store, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    p.req_id(data, "people_id")
    return store.upsert_person(data, p.opt_id(data.get("website_id")))


def on_person_updated(store: Store, payload: Any) -> ApplyResult:
    """``update`` is a partial profile: node sends ``{updated_at, person}``, the sandbox also
    ``{updated_at, data}``, go a full profile card."""
    data = p.obj(payload)
    people_id = p.req_id(data, "people_id")
    update = data.get("update", {})
    partial = Person.fields_from_payload(p.obj(update, "update"))
    if isinstance(data.get("email"), str):
        partial["email"] = p.opt_str(data, "email")
    return store.update_person(people_id, partial)


def on_person_removed(store: Store, payload: Any) -> ApplyResult:
    return store.remove_person(p.req_id(p.obj(payload), "people_id"))


def on_visitors_count(store: Store, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    count = min(max(p.req_int(data, "visitors_count"), 0), p.MAX_COUNT)
    return store.update_website(website_id, {"visitors_count": count})


def on_operator_availability(store: Store, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    user_id = p.req_id(data, "user_id")
    availability = p.req_str(p.obj(data.get("availability"), "availability"), "type")
    return store.update_operator(user_id, {"availability": p.interned(availability)})


def on_settings_saved(store: Store, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    settings = p.json_object(p.obj(data.get("settings"), "settings"))
    return store.update_website(website_id, {"settings": settings})


def on_subscription(store: Store, payload: Any) -> ApplyResult:
    """Unbound: the website stays (``subscribed=False``) but its conversations go, the plugin
    can no longer read them. Bound but unknown: UNKNOWN_TARGET, the client fetches it."""
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    bound = p.req_bool(data, "bound")
    if website_id not in store.websites:
        return UNKNOWN_TARGET if bound else IGNORED
    changed = store.update_website(website_id, {"subscribed": bound}) is APPLIED
    if not bound:
        changed |= store.remove_website_conversations(website_id)
    return result(changed)


def ignore(store: Store, payload: Any) -> ApplyResult:
    return IGNORED


HANDLERS: dict[str, Handler] = {
    "message:send": on_message,
    "message:received": on_message,
    "message:updated": on_message_updated,
    "message:removed": on_message_removed,
    "message:compose:send": _compose("compose_visitor"),
    "message:compose:receive": _compose("compose_operator"),
    "message:acknowledge:read:send": _acknowledge(read=True, reset="unread_visitor"),
    "message:acknowledge:read:received": _acknowledge(read=True, reset="unread_operator"),
    "message:acknowledge:delivered": _acknowledge(read=False, reset=None),
    "message:acknowledge:unread:send": on_unread,
    "session:set_state": on_state,
    "session:set_routing": on_routing,
    "session:set_block": on_block,
    "session:set_inbox": on_inbox,
    "session:set_email": _set_field("email"),
    "session:set_nickname": _set_field("nickname"),
    "session:set_avatar": _set_field("avatar"),
    "session:set_phone": _set_meta("phone"),
    "session:set_address": _set_meta("address"),
    "session:set_subject": _set_meta("subject"),
    "session:set_origin": _set_meta("origin"),
    "session:set_segments": on_segments,
    "session:set_data": on_data,
    "session:removed": on_session_removed,
    "session:update_availability": on_availability,
    "session:sync:pages": on_pages,
    "session:sync:geolocation": on_geolocation,
    "people:profile:created": on_person_created,
    "people:profile:updated": on_person_updated,
    "people:profile:removed": on_person_removed,
    "website:update_visitors_count": on_visitors_count,
    "website:update_operators_availability": on_operator_availability,
    "plugin:settings:saved": on_settings_saved,
    "plugin:subscription:updated": on_subscription,
    # Answers to Generate Bucket URL: the client awaits them; nothing to keep.
    **{f"bucket:url:{ns}:generated": ignore for ns in (
        "upload", "avatar", "website", "campaign", "helpdesk", "status", "processing")},
}

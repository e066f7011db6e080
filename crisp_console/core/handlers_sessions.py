"""Handlers of the ``session:*`` RTM events, and the conversation edits they share with the
console's own commands (edits.py): ``META_PARTIALS`` turn a ``session:set_<key>`` value into
the fields the Conversation keeps, raising PayloadError for a value of the wrong type.

``state``, ``assigned`` and ``is_blocked`` may have been changed optimistically by this
console (optimistic.py): an echo of an older value is then dropped as stale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crisp_console.core import counting
from crisp_console.core import parse as p
from crisp_console.core.handlers_messages import Handler, session_of, set_fields
from crisp_console.core.live import pages_of
from crisp_console.core.models import STATES, Conversation
from crisp_console.core.optimistic import ASSIGNED, BLOCKED, STATE
from crisp_console.core.port import StorePort
from crisp_console.core.results import IGNORED, UNKNOWN_TARGET, ApplyResult, result

# ``session:set_<key>`` keys with a Conversation field of their own, and those kept in meta.
FIELD_KEYS = ("email", "nickname", "avatar")
META_KEYS = ("phone", "address", "subject", "origin")
# Live device facts: ``session:sync:<kind>`` merged into meta.device (network: meta's top).
SYNC_KINDS = ("system", "timezone", "locales", "network")
# (conversation, value) -> the fields to set; None for a conversation the store lacks (the
# value is validated all the same).
Partial = Callable[[Conversation | None, Any], dict[str, Any]]


# ---- values to fields (shared with edits.py) -------------------------------------------------


def optional_id(value: Any, key: str) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > p.MAX_ID):
        raise p.PayloadError(f"{key} must be an id or null")
    return p.opt_str_or_none(value)


def _string_or_null(value: Any, key: str, limit: int) -> str | None:
    if value is not None and not isinstance(value, str):
        raise p.PayloadError(f"{key} must be a string or null")
    return None if value is None else p.text(value, limit)


def field_value(key: str) -> Partial:
    """A key the Conversation has a field for (a URL that is too long is dropped, not cut)."""
    url = key == "avatar"

    def partial(_conv: Conversation | None, value: Any) -> dict[str, Any]:
        text = _string_or_null(value, key, p.MAX_URL + 1 if url else p.MAX_NAME) or ""
        return {key: "" if len(text) > p.MAX_URL else text}

    return partial


def meta_value(key: str) -> Partial:
    """A key kept in ``Conversation.meta`` (null removes it)."""

    def partial(conv: Conversation | None, value: Any) -> dict[str, Any]:
        text = _string_or_null(value, key, p.MAX_STRING)
        meta = {k: v for k, v in conv.meta.items() if k != key} if conv is not None else {}
        if text is not None:
            meta[key] = text
        return {"meta": meta}

    return partial


def segments_value(_conv: Conversation | None, value: Any) -> dict[str, Any]:
    if not isinstance(value, list):
        raise p.PayloadError("segments must be a list")
    return {"segments": tuple(p.str_list(value))}


def data_value(_conv: Conversation | None, value: Any) -> dict[str, Any]:
    return {"data": p.json_object(p.obj(value, "data"))}


# What ``session:set_<key>`` and ``Store.update_meta`` set, by key.
META_PARTIALS: dict[str, Partial] = {
    **{key: field_value(key) for key in FIELD_KEYS},
    **{key: meta_value(key) for key in META_KEYS},
    "segments": segments_value, "data": data_value,
}


def device_fact(conv: Conversation, kind: str, value: Any) -> dict[str, Any]:
    """``meta`` with a live device fact: the geolocation, system, timezone or locales in
    ``device``; the network's ip and connection at meta's top level. Cleaned where it lands
    (free-form JSON, depth and size limited)."""
    if kind == "network":
        facts = {k: value[k] for k in ("ip", "connection") if k in value}
        return {"meta": p.json_object({**conv.meta, **facts})}
    device = conv.meta.get("device")
    device = dict(device) if isinstance(device, Mapping) else {}
    device[kind] = value
    return {"meta": p.json_object({**conv.meta, "device": device})}


# ---- handlers --------------------------------------------------------------------------------


def on_state(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    state = p.req_choice(data, "state", STATES)
    if conv is not None and store.optimistic.outdated(STATE, conv.session_id, None, state):
        return IGNORED
    return set_fields(store, conv, counting.state_set(state))


def on_routing(store: StorePort, payload: Any) -> ApplyResult:
    """``routing_id`` is the assigned operator (null: unassigned); the sandbox also sends
    ``assigned: {user_id}``, used when ``routing_id`` is absent."""
    data, conv = session_of(store, payload)
    if "routing_id" in data:
        value = data["routing_id"]
    elif "assigned" in data:
        assigned = data["assigned"]
        value = assigned.get("user_id") if isinstance(assigned, Mapping) else assigned
    else:
        raise p.PayloadError("routing_id is missing")
    user_id = optional_id(value, "routing_id")
    if conv is not None and store.optimistic.outdated(ASSIGNED, conv.session_id, None, user_id):
        return IGNORED
    return set_fields(store, conv, {"assigned": user_id})


def on_block(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    blocked = p.req_bool(data, "is_blocked")
    if conv is not None and store.optimistic.outdated(BLOCKED, conv.session_id, None, blocked):
        return IGNORED
    return set_fields(store, conv, {"is_blocked": blocked})


def on_inbox(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    if "inbox_id" not in data:
        raise p.PayloadError("inbox_id is missing")
    return set_fields(store, conv, {"inbox_id": optional_id(data["inbox_id"], "inbox_id")})


def set_meta(key: str) -> Handler:
    """``session:set_<key>`` (META_PARTIALS)."""
    partial = META_PARTIALS[key]

    def handler(store: StorePort, payload: Any) -> ApplyResult:
        data, conv = session_of(store, payload)
        if key not in data and key not in ("segments", "data"):
            raise p.PayloadError(f"{key} is missing")
        return set_fields(store, conv, partial(conv, data.get(key)))

    return handler


def on_availability(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    availability = p.req_choice(data, "availability", frozenset(("online", "offline", "away")))
    return set_fields(store, conv, {"availability": availability})


def on_geolocation(store: StorePort, payload: Any) -> ApplyResult:
    data, conv = session_of(store, payload)
    geolocation = p.obj(data.get("geolocation"), "geolocation")
    if conv is None:
        return UNKNOWN_TARGET
    return set_fields(store, conv, device_fact(conv, "geolocation", geolocation))


def sync(kind: str) -> Handler:
    """``session:sync:system|timezone|locales|network``: ``{system: {...}}``, ``{timezone:
    {offset}}`` or a bare offset, ``{locales: {locales: [...]}}`` or a bare list,
    ``{network: {ip, connection}}``."""

    def handler(store: StorePort, payload: Any) -> ApplyResult:
        data, conv = session_of(store, payload)
        value = data.get(kind)
        if kind == "timezone":
            value = value.get("offset") if isinstance(value, Mapping) else value
            if not p.is_int(value) or abs(value) > p.MAX_SAFE_INT:
                raise p.PayloadError("timezone must be an offset in minutes")
        elif kind == "locales":
            value = value.get("locales") if isinstance(value, Mapping) else value
            if not isinstance(value, list):
                raise p.PayloadError("locales must be a list")
            value = p.str_list(value)
        else:
            value = p.obj(value, kind)
        if conv is None:
            return UNKNOWN_TARGET
        return set_fields(store, conv, device_fact(conv, kind, value))

    return handler


def on_pages(store: StorePort, payload: Any) -> ApplyResult:
    """Visited pages are not kept (the people panel fetches them when a conversation opens):
    validated, told as a live event (live.py), then IGNORED."""
    data, conv = session_of(store, payload)
    if not isinstance(data.get("pages"), list):
        raise p.PayloadError("pages must be a list")
    if conv is not None:
        store.note_live(pages=pages_of(data["pages"]))
    return IGNORED


def on_request(store: StorePort, payload: Any) -> ApplyResult:
    """``session:request:initiated``: a visitor asks for an operator. Nothing to keep for a
    known conversation; an unknown one is UNKNOWN_TARGET (the client fetches it). Observers
    hear it as a live event (the desktop notification of a new conversation)."""
    _data, conv = session_of(store, payload)
    return UNKNOWN_TARGET if conv is None else IGNORED


def on_session_removed(store: StorePort, payload: Any) -> ApplyResult:
    _data, conv = session_of(store, payload)
    if conv is None:
        return IGNORED
    return result(store.remove_conversations([conv.session_id]))


SESSION_HANDLERS: dict[str, Handler] = {
    "session:set_state": on_state,
    "session:set_routing": on_routing,
    "session:set_block": on_block,
    "session:set_inbox": on_inbox,
    **{f"session:set_{key}": set_meta(key) for key in META_PARTIALS},
    "session:removed": on_session_removed,
    "session:update_availability": on_availability,
    "session:request:initiated": on_request,
    "session:sync:pages": on_pages,
    "session:sync:geolocation": on_geolocation,
    **{f"session:sync:{kind}": sync(kind) for kind in SYNC_KINDS},
}

"""The RTM event handler table: one explicit entry per event the console understands.

Every name the gateway subscribes to (realtime/events.py DEFAULT_EVENTS) has an entry, and so
has every event a view reacts to (through ``Store.subscribe_live``, live.py): no view reads a
wire dict. Messages: handlers_messages.py; sessions: handlers_sessions.py; the people,
websites, operators and plugin events are here. A handler validates the whole payload before
it changes anything (PayloadError -> MALFORMED in ``Store.apply``), so a bad payload never
leaves the store half-updated. Payload shapes: shared/docs/crisp-api.md section 4 and
sandbox/state.py. Handlers use only the Store's public parts (port.py).
"""

from __future__ import annotations

from typing import Any

from crisp_console.core import parse as p
from crisp_console.core.handlers_messages import MESSAGE_HANDLERS, Handler
from crisp_console.core.handlers_sessions import SESSION_HANDLERS
from crisp_console.core.models import Person
from crisp_console.core.port import StorePort
from crisp_console.core.results import APPLIED, IGNORED, UNKNOWN_TARGET, ApplyResult, result

__all__ = ["HANDLERS", "Handler"]


# ---- people, websites, operators, plugin -----------------------------------------------------


def on_person_created(store: StorePort, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    p.req_id(data, "people_id")
    return store.directory.upsert_person(data, p.opt_id(data.get("website_id")))


def on_person_updated(store: StorePort, payload: Any) -> ApplyResult:
    """``update`` is a partial profile: node sends ``{updated_at, person}``, the sandbox also
    ``{updated_at, data}``, go a full profile card."""
    data = p.obj(payload)
    people_id = p.req_id(data, "people_id")
    update = data.get("update", {})
    partial = Person.fields_from_payload(p.obj(update, "update"))
    if isinstance(data.get("email"), str):
        partial["email"] = p.opt_str(data, "email")
    return store.directory.update_person(people_id, partial)


def on_person_removed(store: StorePort, payload: Any) -> ApplyResult:
    return store.directory.remove_person(p.req_id(p.obj(payload), "people_id"))


def on_visitors_count(store: StorePort, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    count = min(max(p.req_int(data, "visitors_count"), 0), p.MAX_COUNT)
    return store.directory.update_website(website_id, {"visitors_count": count})


def on_operator_availability(store: StorePort, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    user_id = p.req_id(data, "user_id")
    availability = p.req_str(p.obj(data.get("availability"), "availability"), "type")
    return store.directory.update_operator(user_id, {"availability": p.interned(availability)})


def on_settings_saved(store: StorePort, payload: Any) -> ApplyResult:
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    settings = p.json_object(p.obj(data.get("settings"), "settings"))
    return store.directory.update_website(website_id, {"settings": settings})


def on_subscription(store: StorePort, payload: Any) -> ApplyResult:
    """Unbound: the website stays (``subscribed=False``) but its conversations go, the plugin
    can no longer read them. Bound but unknown: UNKNOWN_TARGET, the client fetches it."""
    data = p.obj(payload)
    website_id = p.req_id(data, "website_id")
    bound = p.req_bool(data, "bound")
    if website_id not in store.directory.websites:
        return UNKNOWN_TARGET if bound else IGNORED
    changed = store.directory.update_website(website_id, {"subscribed": bound}) is APPLIED
    if not bound:
        changed |= store.remove_website_conversations(website_id)
    return result(changed)


def ignore(store: StorePort, payload: Any) -> ApplyResult:
    return IGNORED


HANDLERS: dict[str, Handler] = {
    **MESSAGE_HANDLERS,
    **SESSION_HANDLERS,
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

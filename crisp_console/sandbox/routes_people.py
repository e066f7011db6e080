"""People routes (crisp-api.md §2.3): profiles, custom data, events and a contact's conversations.

Every change goes through ``SandboxState`` (add_person, update_person, remove_person,
set_person_data, add_person_event), which emits the ``people:profile:*`` events.

UNCONFIRMED choices (see sandbox/README.md):
- A profile may be named by its people_id or by its email (case-insensitive), as Crisp allows.
- Adding or renaming a profile to an email another profile of the website has answers
  409 ``people_exists``.
- Save/Update People Data accept the data object itself (node, python) or ``{data: {...}}``
  (Crisp's reference); the two cannot be confused since data values are never objects.
- Add A People Event answers 201 ``added`` ``{}``; events list newest first.
- People Conversations are ordered by last activity, newest first.
- Pages hold 20 items; a page past the end is ``[]``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from crisp_console.sandbox.model import Person
from crisp_console.sandbox.people_query import parse_people_query
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.schemas_people import (
    ADD_EVENT,
    ADD_PROFILE,
    PEOPLE_DATA,
    UPDATE_PROFILE,
)
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.web import (
    PAGE_SIZE,
    STATE,
    SandboxError,
    envelope,
    flag,
    json_body,
    not_found,
    page_items,
    page_of,
    validate,
    website_of,
)

_W = "/website/{website_id}/people"
_P = "{people_id}"


# ---- helpers -----------------------------------------------------------------------------


def person_of(request: web.Request) -> Person:
    """The URL's profile, by people_id or by email, on the URL's (subscribed) website."""
    website = website_of(request)
    state = request.app[STATE]
    ref = request.match_info["people_id"]
    person = state.people.get(ref)
    if person is None and "@" in ref:
        people_id = state.people_by_email.get((website.website_id, ref.lower()))
        person = state.people.get(people_id) if people_id else None
    if person is None or person.website_id != website.website_id:
        raise not_found("people profile")
    return person


def _check_email_free(state: SandboxState, website_id: str, email: str,
                      owner: str | None = None) -> None:
    taken = state.people_by_email.get((website_id, email.lower()))
    if taken is not None and taken != owner:
        raise SandboxError(409, "people_exists",
                           "a people profile with this email already exists")


# ---- profiles ----------------------------------------------------------------------------


async def get_stats(request: web.Request) -> web.Response:
    website_id = website_of(request).website_id
    total = sum(1 for p in request.app[STATE].people.values() if p.website_id == website_id)
    return envelope({"total": total})


async def list_segments(request: web.Request) -> web.Response:
    website_id = website_of(request).website_id
    page = page_of(request)
    counts = Counter(s for p in request.app[STATE].people.values()
                     if p.website_id == website_id for s in p.segments)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return envelope([{"segment": s, "count": n} for s, n in page_items(ordered, page)])


async def list_profiles(request: web.Request) -> web.Response:
    website_id = website_of(request).website_id
    page = page_of(request)
    query = parse_people_query(request)
    people = (p for p in request.app[STATE].people.values() if p.website_id == website_id)
    selected = query.select(people, page, PAGE_SIZE)
    return envelope([p.to_payload() for p in selected])


async def add_profile(request: web.Request) -> web.Response:
    website = website_of(request)
    state = request.app[STATE]
    body = await json_body(request, ADD_PROFILE)
    _check_email_free(state, website.website_id, body["email"])
    now = state.clock()
    person = Person(
        people_id=state.uuid(),
        website_id=website.website_id,
        email=body["email"],
        person=body["person"],
        company=body.get("company", {}),
        segments=body.get("segments", []),
        notepad=body.get("notepad", ""),
        score=0,
        created_at=now,
        updated_at=now,
        active_last=body.get("active", 0),
    )
    state.add_person(person)
    return envelope({"people_id": person.people_id}, "added", 201)


async def get_profile(request: web.Request) -> web.Response:
    return envelope(person_of(request).to_payload())


async def update_profile(request: web.Request) -> web.Response:
    """PATCH merges into the profile; PUT replaces it (absent optional parts are cleared)."""
    person = person_of(request)
    state = request.app[STATE]
    fields: dict[str, Any] = await json_body(request, UPDATE_PROFILE)
    replace = request.method == "PUT"
    if "email" in fields:
        _check_email_free(state, person.website_id, fields["email"], owner=person.people_id)
    if "active" in fields:
        fields["active"] = {"last": fields["active"]}
    if "company" in fields and not replace:
        fields["company"] = {**person.company, **fields["company"]}
    state.update_person(person, fields, replace=replace)
    return envelope({}, "updated")


async def remove_profile(request: web.Request) -> web.Response:
    person = person_of(request)
    request.app[STATE].remove_person(person)
    return envelope({}, "deleted")


# ---- data --------------------------------------------------------------------------------


async def get_data(request: web.Request) -> web.Response:
    return envelope({"data": dict(person_of(request).data)})


async def update_data(request: web.Request) -> web.Response:
    """PATCH merges keys into the data; PUT replaces the whole data object."""
    person = person_of(request)
    body = await json_body(request, {"type": "object"})
    if set(body) == {"data"} and isinstance(body["data"], dict):
        body = body["data"]
    validate(body, PEOPLE_DATA)
    request.app[STATE].set_person_data(person, body, replace=request.method == "PUT")
    return envelope({}, "updated")


# ---- conversations and events ------------------------------------------------------------


async def list_conversations(request: web.Request) -> web.Response:
    person = person_of(request)
    page = page_of(request)
    unread = flag(request, "filter_unread")
    resolved = flag(request, "filter_resolved")
    not_resolved = flag(request, "filter_not_resolved")
    state = request.app[STATE]
    linked = set(person.sessions)
    convs = [c for c in state.website_conversations(person.website_id)
             if c.people_id == person.people_id or c.session_id in linked]
    if unread:
        convs = [c for c in convs if c.unread_operator > 0]
    if resolved:
        convs = [c for c in convs if c.state == "resolved"]
    if not_resolved:
        convs = [c for c in convs if c.state != "resolved"]
    convs.sort(key=lambda c: (c.updated_at, c.session_id), reverse=True)
    return envelope([c.session_id for c in page_items(convs, page)])


async def list_events(request: web.Request) -> web.Response:
    person = person_of(request)
    page = page_of(request)
    # Index as tie-break: two events stamped in the same millisecond keep their order.
    order = sorted(range(len(person.events)),
                   key=lambda i: (person.events[i].get("timestamp", 0), i), reverse=True)
    return envelope([person.events[i] for i in page_items(order, page)])


async def add_event(request: web.Request) -> web.Response:
    person = person_of(request)
    body = await json_body(request, ADD_EVENT)
    event = {"text": body["text"], "data": body.get("data", {}),
             "color": body.get("color", "blue")}
    request.app[STATE].add_person_event(person, event)
    return envelope({}, "added", 201)


_STATISTICS = "website:people:statistics"
_PROFILES = "website:people:profiles"
_EVENTS = "website:people:events"

RESOURCES = (
    resource(f"{_W}/stats", _STATISTICS, GET=get_stats),
    resource(f"{_W}/segments/{{page}}", _STATISTICS, GET=list_segments),
    resource(f"{_W}/profiles/{{page}}", _PROFILES, GET=list_profiles),
    resource(f"{_W}/profile", _PROFILES, POST=add_profile),
    resource(f"{_W}/profile/{_P}", _PROFILES, GET=get_profile, PATCH=update_profile,
             PUT=update_profile, DELETE=remove_profile),
    resource(f"{_W}/data/{_P}", "website:people:data", GET=get_data, PATCH=update_data,
             PUT=update_data),
    resource(f"{_W}/conversations/{_P}/list/{{page}}", "website:people:conversations",
             GET=list_conversations),
    resource(f"{_W}/events/{_P}/list/{{page}}", _EVENTS, GET=list_events),
    resource(f"{_W}/events/{_P}", _EVENTS, POST=add_event),
)

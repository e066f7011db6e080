"""Conversation routes of crisp-api.md §2.1 (everything but the message routes).

Every mutation goes through a ``SandboxState`` method, which emits the RTM event, so the REST
view and the event stream never disagree.

UNCONFIRMED choices (see sandbox/README.md):
- GET routing answers ``{assigned: {user_id}}``, or ``{assigned: {}}`` when unassigned, like
  ``Conversation.to_payload``. ``silent`` is accepted and ignored (the event is still emitted).
- Assigning a user_id that is not one of the sandbox's operators is ``invalid_data``.
- pages/events/files list 20 items a page, newest first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from aiohttp import web

from crisp_console.sandbox import schemas_conversation as schemas
from crisp_console.sandbox.conversation_query import parse_query
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.web import (
    STATE,
    Handler,
    conversation_of,
    envelope,
    invalid_data,
    json_body,
    page_of,
    website_of,
)

SUB_PAGE_SIZE = 20  # pages, events and files per page (UNCONFIRMED)

_CONV = "/website/{website_id}/conversation/{session_id}"


def updated() -> web.Response:
    return envelope({}, "updated")


# ---- the conversation itself ----------------------------------------------------------------


async def list_conversations(request: web.Request) -> web.Response:
    website = website_of(request)
    page = page_of(request)
    query = parse_query(request)
    state = request.app[STATE]
    convs = query.select(state.website_conversations(website.website_id), page)
    return envelope([c.to_payload() for c in convs])


async def get_conversation(request: web.Request) -> web.Response:
    return envelope(conversation_of(request).to_payload())


async def create_conversation(request: web.Request) -> web.Response:
    website = website_of(request)
    await json_body(request, schemas.CREATE_CONVERSATION)
    conv = request.app[STATE].create_conversation(website.website_id)
    return envelope({"session_id": conv.session_id}, "added", 201)


async def remove_conversation(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    request.app[STATE].remove_conversation(conv)
    return envelope({}, "deleted")


# ---- state, routing, meta, block, inbox -----------------------------------------------------


async def get_state(request: web.Request) -> web.Response:
    return envelope({"state": conversation_of(request).state})


def _setter(schema: dict[str, Any], key: str,
            apply: Callable[[SandboxState, Conversation, Any], None]) -> Handler:
    """A PATCH whose body's ``key`` goes to one SandboxState method (which emits the event)."""

    async def handler(request: web.Request) -> web.Response:
        conv = conversation_of(request)
        body = await json_body(request, schema)
        apply(request.app[STATE], conv, body[key])
        return updated()

    return handler


change_state = _setter(schemas.CHANGE_STATE, "state", SandboxState.set_state)


async def get_routing(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    return envelope({"assigned": {"user_id": conv.assigned} if conv.assigned else {}})


async def assign_routing(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.ASSIGN_ROUTING)
    state = request.app[STATE]
    assigned = body["assigned"]
    user_id = assigned["user_id"] if assigned else None
    if user_id is not None and state.operator(user_id) is None:
        raise invalid_data("data.assigned.user_id should be an operator of the website")
    state.set_routing(conv, user_id)
    return updated()


async def get_meta(request: web.Request) -> web.Response:
    meta: dict[str, Any] = {"segments": [], "data": {}}
    meta.update(conversation_of(request).meta)
    return envelope(meta)


async def update_meta(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.UPDATE_META)
    if body:  # an empty patch changes nothing and tells nobody
        request.app[STATE].update_meta(conv, body)
    return updated()


async def get_block(request: web.Request) -> web.Response:
    return envelope({"blocked": conversation_of(request).is_blocked})


block = _setter(schemas.BLOCK, "blocked", SandboxState.set_block)
update_inbox = _setter(schemas.UPDATE_INBOX, "inbox_id", SandboxState.set_inbox)


# ---- pages, events, files -----------------------------------------------------------------


def newest_page(items: list[dict[str, Any]], page: int) -> list[dict[str, Any]]:
    """One page of SUB_PAGE_SIZE items, newest first (stable for equal timestamps)."""
    upto = page * SUB_PAGE_SIZE
    indexed = heapq.nlargest(upto, enumerate(items),
                             key=lambda pair: (pair[1].get("timestamp", 0), pair[0]))
    return [dict(item) for _, item in indexed[upto - SUB_PAGE_SIZE:]]


async def list_pages(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    return envelope(newest_page(conv.pages, page_of(request)))


async def list_events(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    return envelope(newest_page(conv.events, page_of(request)))


async def list_files(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    return envelope(newest_page(conv.files, page_of(request)))


_SESSIONS = "website:conversation:sessions"
_W = "/website/{website_id}"

RESOURCES = (
    resource(_W + "/conversations", _SESSIONS, GET=list_conversations),
    resource(_W + "/conversations/{page}", _SESSIONS, GET=list_conversations),
    resource(_W + "/conversation", "website:conversation:initiate", POST=create_conversation),
    resource(_CONV, _SESSIONS, GET=get_conversation, DELETE=remove_conversation),
    resource(_CONV + "/state", "website:conversation:states", GET=get_state,
             PATCH=change_state),
    resource(_CONV + "/routing", "website:conversation:routing", GET=get_routing,
             PATCH=assign_routing),
    resource(_CONV + "/meta", _SESSIONS, GET=get_meta, PATCH=update_meta),
    resource(_CONV + "/block", _SESSIONS, GET=get_block, PATCH=block),
    resource(_CONV + "/inbox", _SESSIONS, PATCH=update_inbox),
    resource(_CONV + "/pages/{page}", "website:conversation:pages", GET=list_pages),
    resource(_CONV + "/events/{page}", "website:conversation:events", GET=list_events),
    resource(_CONV + "/files/{page}", "website:conversation:files", GET=list_files),
)

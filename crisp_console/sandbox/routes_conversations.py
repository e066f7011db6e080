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
from typing import Any

from aiohttp import web

from crisp_console.sandbox import schemas_conversation as schemas
from crisp_console.sandbox.conversation_query import parse_query
from crisp_console.sandbox.web import (
    STATE,
    add_route,
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


async def change_state(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.CHANGE_STATE)
    request.app[STATE].set_state(conv, body["state"])
    return updated()


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
    if body:
        request.app[STATE].update_meta(conv, body)
    return updated()


async def get_block(request: web.Request) -> web.Response:
    return envelope({"blocked": conversation_of(request).is_blocked})


async def block(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.BLOCK)
    request.app[STATE].set_block(conv, body["blocked"])
    return updated()


async def update_inbox(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.UPDATE_INBOX)
    request.app[STATE].set_inbox(conv, body["inbox_id"])
    return updated()


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


def register(app: web.Application) -> None:
    add_route(app, "GET", "/website/{website_id}/conversations", list_conversations)
    add_route(app, "GET", "/website/{website_id}/conversations/{page}", list_conversations)
    add_route(app, "POST", "/website/{website_id}/conversation", create_conversation)
    add_route(app, "GET", _CONV, get_conversation)
    add_route(app, "DELETE", _CONV, remove_conversation)
    add_route(app, "GET", _CONV + "/state", get_state)
    add_route(app, "PATCH", _CONV + "/state", change_state)
    add_route(app, "GET", _CONV + "/routing", get_routing)
    add_route(app, "PATCH", _CONV + "/routing", assign_routing)
    add_route(app, "GET", _CONV + "/meta", get_meta)
    add_route(app, "PATCH", _CONV + "/meta", update_meta)
    add_route(app, "GET", _CONV + "/block", get_block)
    add_route(app, "PATCH", _CONV + "/block", block)
    add_route(app, "PATCH", _CONV + "/inbox", update_inbox)
    add_route(app, "GET", _CONV + "/pages/{page}", list_pages)
    add_route(app, "GET", _CONV + "/events/{page}", list_events)
    add_route(app, "GET", _CONV + "/files/{page}", list_files)

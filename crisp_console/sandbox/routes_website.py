"""Website routes (crisp-api.md §2.4): the website, its operators and their availability.

UNCONFIRMED choices (see sandbox/README.md):
- Every operator of the sandbox belongs to every website.
- Website status is ``online`` when any operator is online, else ``away`` when any is away,
  else ``offline``. ``since`` is when that status began: the earliest change among the
  operators holding it when online, the latest change of any operator otherwise.
- An operator availability's ``time.for`` is how long (seconds) it has held so far.
"""

from __future__ import annotations

from aiohttp import web

from crisp_console.sandbox.model import Operator
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.web import STATE, envelope, website_of


async def get_website(request: web.Request) -> web.Response:
    return envelope(website_of(request).to_payload())


async def list_operators(request: web.Request) -> web.Response:
    website_of(request)
    return envelope([op.to_payload() for op in request.app[STATE].operators])


def website_status(operators: list[Operator], fallback: int) -> tuple[str, int]:
    """(status, since) of a website whose operators are ``operators``."""
    for status in ("online", "away"):
        holding = [op for op in operators if op.availability == status]
        if holding:
            if status == "online":
                return status, min(op.availability_since for op in holding) or fallback
            return status, max(op.availability_since for op in operators) or fallback
    since = max((op.availability_since for op in operators), default=0)
    return "offline", since or fallback


async def availability_status(request: web.Request) -> web.Response:
    website = website_of(request)
    status, since = website_status(request.app[STATE].operators, website.created_at)
    return envelope({"status": status, "since": since})


async def operator_availabilities(request: web.Request) -> web.Response:
    website = website_of(request)
    state = request.app[STATE]
    now = state.clock()
    items = []
    for op in state.operators:
        since = op.availability_since or website.created_at
        items.append({"user_id": op.user_id, "type": op.availability,
                      "time": {"for": max(0, (now - since) // 1000), "since": since}})
    return envelope(items)


_W = "/website/{website_id}"

RESOURCES = (
    resource(_W, "website:settings", GET=get_website),
    resource(_W + "/operators/list", "website:operators", GET=list_operators),
    resource(_W + "/availability/status", "website:availability", GET=availability_status),
    resource(_W + "/availability/operators", "website:availability",
             GET=operator_availabilities),
)

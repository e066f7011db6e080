"""Plugin routes (crisp-api.md §2.5): connect (account, session, websites, endpoints),
subscriptions and subscription settings.

Subscribing, unsubscribing and saving settings go through ``SandboxState`` (set_subscribed,
save_settings), which emits ``plugin:subscription:updated`` and ``plugin:settings:saved``.
The subscription routes work on websites the plugin is not bound to (that is their point), so
they look websites up directly instead of through ``web.website_of``.

UNCONFIRMED choices (see sandbox/README.md):
- A plugin_id other than the token's is ``not_found``; so is an unknown website.
- Subscribe answers 201 ``added`` ``{website_id, plugin_id}`` (also when already bound: the
  call is idempotent and then emits nothing); unsubscribing a website that is not bound is
  404 ``not_subscribed``; Get Subscription Details on such a website is ``not_subscribed`` too.
- Connect Websites Since: ``added`` = created or (re)bound after date_since, ``updated`` =
  changed after it (settings saved...), ``removed`` = unbound after it. ``filter_configured``
  (only websites whose settings are not empty) never hides a removal. Dates without an offset
  are UTC. Websites are listed oldest first; pages hold 20.
- settings_form_url and callback_url point at ``plugin.sandbox.invalid`` (a name that never
  resolves): the sandbox plugin has no settings page of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.model import Website
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.web import (
    STATE,
    envelope,
    flag,
    invalid_data,
    json_body,
    not_found,
    not_subscribed,
    page_items,
    page_of,
    validate,
)

PLUGIN_URLS = "https://plugin.sandbox.invalid"

_SUB = "/plugins/subscription/{website_id}"
_SUBSCRIBE = {"type": "object", "properties": {"plugin_id": {"type": "string", "minLength": 1}}}


# ---- helpers -----------------------------------------------------------------------------


def _any_website(request: web.Request) -> Website:
    """The URL's website, bound to the plugin or not."""
    website = request.app[STATE].websites.get(request.match_info["website_id"])
    if website is None:
        raise not_found("website")
    return website


def _check_plugin(state: SandboxState, plugin_id: str) -> None:
    if plugin_id != state.token.plugin_id:
        raise not_found("plugin")


def _ordered(state: SandboxState) -> list[Website]:
    return sorted(state.websites.values(), key=lambda w: (w.created_at, w.website_id))


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def connect_item(website: Website, include_plan: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"website_id": website.website_id, "token": website.token,
                            "settings": website.settings}
    if include_plan:
        item["plan"] = website.plan
    return item


def subscription_payload(state: SandboxState, website: Website) -> dict[str, Any]:
    since = state.bound_websites.get(website.website_id, website.created_at)
    return {
        "id": state.token.plugin_id,
        "urn": "urn:crisp-console:sandbox:0",
        "type": "integration",
        "category": "automation",
        "name": "Crisp Console Sandbox",
        "summary": "The loopback plugin of the crisp-console sandbox.",
        "price": 0,
        "plans": [],
        "icon": "",
        "configurable": True,
        "since": _iso(since),
        "active": website.subscribed,
        "website_id": website.website_id,
    }


_SPACED_OFFSET = re.compile(r"^(.*\d)\s(\d{2}:?\d{2})$")


def parse_date_since(raw: str | None) -> int:
    """ISO 8601 (``Z``, ``+00:00``, or `` 00:00`` where an unescaped ``+`` became a space)
    as epoch ms; dates without an offset are UTC."""
    text = (raw or "").strip()
    spaced = _SPACED_OFFSET.match(text)
    if spaced and ":" in spaced[1]:  # a time precedes: the space stood for "+"
        text = f"{spaced[1]}+{spaced[2]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise invalid_data("date_since should be an ISO-8601 date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


# ---- connect -----------------------------------------------------------------------------


async def connect_account(request: web.Request) -> web.Response:
    return envelope({"plugin_id": request.app[STATE].token.plugin_id})


async def connect_session(request: web.Request) -> web.Response:
    # The middleware has already refused a bad token: reaching here means it is valid.
    return envelope({})


async def connect_websites_all(request: web.Request) -> web.Response:
    state = request.app[STATE]
    page = page_of(request)
    configured = bool(flag(request, "filter_configured"))
    include_plan = bool(flag(request, "include_plan"))
    websites = [w for w in _ordered(state)
                if w.subscribed and (w.settings or not configured)]
    return envelope([connect_item(w, include_plan) for w in page_items(websites, page)])


async def connect_websites_since(request: web.Request) -> web.Response:
    state = request.app[STATE]
    since = parse_date_since(request.query.get("date_since"))
    configured = bool(flag(request, "filter_configured"))
    include_plan = bool(flag(request, "include_plan"))
    items = []
    for website in _ordered(state):
        wid = website.website_id
        if not website.subscribed:
            removed_at = state.removed_websites.get(wid)
            if removed_at is not None and removed_at > since:
                items.append({**connect_item(website, include_plan), "difference": "removed"})
            continue
        if configured and not website.settings:
            continue
        bound_at = max(website.created_at, state.bound_websites.get(wid, 0))
        if bound_at > since:
            difference = "added"
        elif website.updated_at > since:
            difference = "updated"
        else:
            continue
        items.append({**connect_item(website, include_plan), "difference": difference})
    return envelope(items)


async def connect_endpoints(request: web.Request) -> web.Response:
    # rtm_root: "<base>/" and "<base>/rescue/"; lenient: "<base>/rtm/" twice.
    sandbox = request.app[CONTEXT].sandbox
    return envelope({"socket": {"app": sandbox.rtm_url},
                     "rescue": {"socket": {"app": sandbox.rescue_url}}})


# ---- subscriptions -----------------------------------------------------------------------


async def list_all_subscriptions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return envelope([subscription_payload(state, w) for w in _ordered(state) if w.subscribed])


async def list_website_subscriptions(request: web.Request) -> web.Response:
    website = _any_website(request)
    state = request.app[STATE]
    return envelope([subscription_payload(state, website)] if website.subscribed else [])


def _subscribed(request: web.Request) -> Website:
    """The URL's website, subscribed to the URL's plugin: not_found for an unknown website
    or another plugin, not_subscribed when the website is not bound."""
    website = _any_website(request)
    _check_plugin(request.app[STATE], request.match_info["plugin_id"])
    if not website.subscribed:
        raise not_subscribed()
    return website


async def get_subscription(request: web.Request) -> web.Response:
    return envelope(subscription_payload(request.app[STATE], _subscribed(request)))


async def subscribe(request: web.Request) -> web.Response:
    website = _any_website(request)
    state = request.app[STATE]
    body = await json_body(request, _SUBSCRIBE)
    # python crisp-api posts no plugin_id: the token's plugin is meant.
    plugin_id = body.get("plugin_id") or state.token.plugin_id
    _check_plugin(state, plugin_id)
    state.set_subscribed(website, True)
    return envelope({"website_id": website.website_id, "plugin_id": plugin_id}, "added", 201)


async def unsubscribe(request: web.Request) -> web.Response:
    request.app[STATE].set_subscribed(_subscribed(request), False)
    return envelope({}, "deleted")


# ---- settings ----------------------------------------------------------------------------


async def get_settings(request: web.Request) -> web.Response:
    website = _subscribed(request)
    state = request.app[STATE]
    return envelope({
        "plugin_id": state.token.plugin_id,
        "website_id": website.website_id,
        "token": website.token,
        "schema": state.plugin_schema,
        "settings": website.settings,
        "settings_form_url": f"{PLUGIN_URLS}/settings",
        "callback_url": f"{PLUGIN_URLS}/callback",
    })


async def save_settings(request: web.Request) -> web.Response:
    """PUT replaces the settings, PATCH merges into them; the result must fit the schema."""
    website = _subscribed(request)
    state = request.app[STATE]
    body = await json_body(request, {"type": "object"})
    settings = body if request.method == "PUT" else {**website.settings, **body}
    validate(settings, state.plugin_schema)
    state.save_settings(website, settings)
    return envelope({}, "updated")


# The plugin's own routes: no scope (route_scopes.py).
_CONNECT = "/plugin/connect"

RESOURCES = (
    resource(_CONNECT + "/account", None, GET=connect_account),
    resource(_CONNECT + "/session", None, GET=connect_session),  # HEAD included
    resource(_CONNECT + "/websites/all/{page}", None, GET=connect_websites_all),
    resource(_CONNECT + "/websites/since", None, GET=connect_websites_since),
    resource(_CONNECT + "/endpoints", None, GET=connect_endpoints),
    resource("/plugins/subscription", None, GET=list_all_subscriptions),
    resource(_SUB, None, GET=list_website_subscriptions, POST=subscribe),
    resource(_SUB + "/{plugin_id}", None, GET=get_subscription, DELETE=unsubscribe),
    resource(_SUB + "/{plugin_id}/settings", None, GET=get_settings, PUT=save_settings,
             PATCH=save_settings),
)

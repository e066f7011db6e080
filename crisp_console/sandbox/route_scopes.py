"""Who may call which /v1 route: the token's tier (``website_tier_refused``) and its scopes
(``scopes``), both checked here and nowhere else.

``ROUTE_SCOPES`` maps every /v1 route the sandbox serves to the scope and mode it needs, in
scopes.py's vocabulary: reads (GET, and HEAD through it) need ``read``, every change needs
``write``. Plugin connect and subscription routes map to None: they are the plugin's own and
need no scope, but a website-tier token may not call them at all when
``website_tier_refused`` is on (seed 004 lists them as ``[plugin]`` routes).

A route missing from the table is refused (fail closed): a new route must be given its
scope here, and ``tests/sandbox/test_scopes.py`` checks that every route has one.

The middleware runs innermost, after the fault middleware: latency, resets, bursts and the
quota apply to a refused request as to any other (Crisp's edge sees it before its API does).
"""

from __future__ import annotations

from aiohttp import web

from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.scopes import Mode, allows
from crisp_console.sandbox.web import API_PREFIX, STATE, Handler, SandboxError

Need = tuple[str, Mode] | None

_W = "/website/{website_id}"
_C = _W + "/conversation/{session_id}"
_P = _W + "/people"

_CONV = "website:conversation:sessions"
_MSG = "website:conversation:messages"

# (method, path template under /v1 without a trailing slash) -> (scope, mode) or None.
ROUTE_SCOPES: dict[tuple[str, str], Need] = {
    # conversations
    ("GET", _W + "/conversations"): (_CONV, "read"),
    ("GET", _W + "/conversations/{page}"): (_CONV, "read"),
    ("POST", _W + "/conversation"): ("website:conversation:initiate", "write"),
    ("GET", _C): (_CONV, "read"),
    ("DELETE", _C): (_CONV, "write"),
    ("GET", _C + "/state"): ("website:conversation:states", "read"),
    ("PATCH", _C + "/state"): ("website:conversation:states", "write"),
    ("GET", _C + "/routing"): ("website:conversation:routing", "read"),
    ("PATCH", _C + "/routing"): ("website:conversation:routing", "write"),
    ("GET", _C + "/meta"): (_CONV, "read"),
    ("PATCH", _C + "/meta"): (_CONV, "write"),
    ("GET", _C + "/block"): (_CONV, "read"),
    ("PATCH", _C + "/block"): (_CONV, "write"),
    ("PATCH", _C + "/inbox"): (_CONV, "write"),
    ("GET", _C + "/pages/{page}"): ("website:conversation:pages", "read"),
    ("GET", _C + "/events/{page}"): ("website:conversation:events", "read"),
    ("GET", _C + "/files/{page}"): ("website:conversation:files", "read"),
    ("POST", _C + "/reminder"): ("website:conversation:reminders", "write"),
    # messages
    ("GET", _C + "/messages"): (_MSG, "read"),
    ("POST", _C + "/message"): (_MSG, "write"),
    ("GET", _C + "/message/{fingerprint}"): (_MSG, "read"),
    ("PATCH", _C + "/message/{fingerprint}"): (_MSG, "write"),
    ("DELETE", _C + "/message/{fingerprint}"): (_MSG, "write"),
    ("PATCH", _C + "/compose"): (_MSG, "write"),
    ("PATCH", _C + "/read"): (_MSG, "write"),
    ("PATCH", _C + "/delivered"): (_MSG, "write"),
    ("PATCH", _C + "/unread"): (_MSG, "write"),
    # people
    ("GET", _P + "/stats"): ("website:people:statistics", "read"),
    ("GET", _P + "/segments/{page}"): ("website:people:statistics", "read"),
    ("GET", _P + "/profiles/{page}"): ("website:people:profiles", "read"),
    ("POST", _P + "/profile"): ("website:people:profiles", "write"),
    ("GET", _P + "/profile/{people_id}"): ("website:people:profiles", "read"),
    ("PATCH", _P + "/profile/{people_id}"): ("website:people:profiles", "write"),
    ("PUT", _P + "/profile/{people_id}"): ("website:people:profiles", "write"),
    ("DELETE", _P + "/profile/{people_id}"): ("website:people:profiles", "write"),
    ("GET", _P + "/data/{people_id}"): ("website:people:data", "read"),
    ("PATCH", _P + "/data/{people_id}"): ("website:people:data", "write"),
    ("PUT", _P + "/data/{people_id}"): ("website:people:data", "write"),
    ("GET", _P + "/conversations/{people_id}/list/{page}"):
        ("website:people:conversations", "read"),
    ("GET", _P + "/events/{people_id}/list/{page}"): ("website:people:events", "read"),
    ("POST", _P + "/events/{people_id}"): ("website:people:events", "write"),
    # website
    ("GET", _W): ("website:settings", "read"),
    ("GET", _W + "/operators/list"): ("website:operators", "read"),
    ("GET", _W + "/availability/status"): ("website:availability", "read"),
    ("GET", _W + "/availability/operators"): ("website:availability", "read"),
    # bucket
    ("POST", "/bucket/url/generate"): ("bucket:url", "write"),
    # the plugin's own routes: no scope
    ("GET", "/plugin/connect/account"): None,
    ("GET", "/plugin/connect/session"): None,
    ("GET", "/plugin/connect/websites/all/{page}"): None,
    ("GET", "/plugin/connect/websites/since"): None,
    ("GET", "/plugin/connect/endpoints"): None,
    ("GET", "/plugins/subscription"): None,
    ("GET", "/plugins/subscription/{website_id}"): None,
    ("POST", "/plugins/subscription/{website_id}"): None,
    ("GET", "/plugins/subscription/{website_id}/{plugin_id}"): None,
    ("DELETE", "/plugins/subscription/{website_id}/{plugin_id}"): None,
    ("GET", "/plugins/subscription/{website_id}/{plugin_id}/settings"): None,
    ("PUT", "/plugins/subscription/{website_id}/{plugin_id}/settings"): None,
    ("PATCH", "/plugins/subscription/{website_id}/{plugin_id}/settings"): None,
}

PLUGIN_PREFIXES = ("/plugin/", "/plugins/")


class UnmappedRoute(LookupError):
    """A /v1 route with no entry in ROUTE_SCOPES (a sandbox defect)."""


def route_template(request: web.Request) -> str | None:
    """The matched route's template under /v1, without a trailing slash; None when no
    route matched (unknown path or method, answered 404/405 by the router)."""
    resource = request.match_info.route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    canonical = resource.canonical
    if not canonical.startswith(API_PREFIX + "/"):
        return None
    return canonical[len(API_PREFIX):].rstrip("/")


def required_scope(method: str, template: str) -> Need:
    """The (scope, mode) a route needs; HEAD is a GET. Raises UnmappedRoute."""
    key = ("GET" if method == "HEAD" else method, template)
    try:
        return ROUTE_SCOPES[key]
    except KeyError:
        raise UnmappedRoute(f"{key[0]} /v1{template}") from None


def is_plugin_route(template: str) -> bool:
    return template.startswith(PLUGIN_PREFIXES)


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a /v1 route the token's tier or scopes do not reach (403 ``not_allowed``)."""
    template = route_template(request)
    if template is None:
        return await handler(request)
    ctx = request.app[CONTEXT]
    behaviours = ctx.behaviours
    if (behaviours.website_tier_refused and request.app[STATE].token.tier == "website"
            and is_plugin_route(template)):
        raise SandboxError(403, "not_allowed",
                           "plugin routes are not available to a website-tier token; "
                           "use a plugin token", namespace="tier")
    if behaviours.scopes:
        try:
            need = required_scope(request.method, template)
        except UnmappedRoute as exc:
            raise SandboxError(403, "not_allowed", f"no scope is known for {exc}",
                               namespace="scope") from None
        if need is not None and not allows(ctx.grants, *need):
            scope, mode = need
            raise SandboxError(403, "not_allowed",
                               f"the token lacks the scope {scope} ({mode}) that "
                               f"{request.method} /v1{template} needs",
                               namespace="scope")
    return await handler(request)


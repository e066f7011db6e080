"""Who may call which /v1 route: the token's tier (``website_tier_refused``) and its scopes
(``scopes``), both checked here and nowhere else.

Every /v1 route is served as part of a ``Resource`` (``add_resources``), which names the scope
it needs, in scopes.py's vocabulary: reads (GET, and HEAD through it) need ``read``, every
change needs ``write``. Plugin connect and subscription routes need None: they are the
plugin's own and need no scope, but a website-tier token may not call them at all when
``website_tier_refused`` is on (seed 004 lists them as ``[plugin]`` routes).

A route served without its need noted is refused (fail closed), and
``tests/sandbox/test_scopes.py`` checks that every route has one.

The middleware runs innermost, after the fault middleware: latency, resets, bursts and the
quota apply to a refused request as to any other (Crisp's edge sees it before its API does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiohttp import web

from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.scopes import Mode, allows
from crisp_console.sandbox.web import API_PREFIX, STATE, Handler, SandboxError, add_route

Need = tuple[str, Mode] | None
# (method, path template under /v1 without a trailing slash) -> what it needs.
NEEDS: web.AppKey[dict[tuple[str, str], Need]] = web.AppKey("needs", dict)


@dataclass(frozen=True, slots=True)
class Resource:
    """One /v1 path: a handler per method, and the scope its routes need: GET reads it,
    every other method writes it. None: the plugin's own routes, which need no scope."""

    path: str
    scope: str | None
    handlers: Mapping[str, Handler]


def resource(path: str, scope: str | None, **handlers: Handler) -> Resource:
    return Resource(path, scope, handlers)


def add_resources(app: web.Application, resources: Iterable[Resource]) -> None:
    """Serve ``resources`` and note what each of their routes needs (``app[NEEDS]``)."""
    needs = app.setdefault(NEEDS, {})
    for res in resources:
        for method, handler in res.handlers.items():
            add_route(app, method, res.path, handler)
            mode: Mode = "read" if method == "GET" else "write"
            needs[(method, res.path.rstrip("/"))] = None if res.scope is None else (
                res.scope, mode)


PLUGIN_PREFIXES = ("/plugin/", "/plugins/")


class UnmappedRoute(LookupError):
    """A /v1 route served without its need noted (a sandbox defect)."""


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


def required_scope(app: web.Application, method: str, template: str) -> Need:
    """The (scope, mode) a route of ``app`` needs; HEAD is a GET. Raises UnmappedRoute."""
    key = ("GET" if method == "HEAD" else method, template)
    try:
        return app.get(NEEDS, {})[key]
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
            need = required_scope(request.app, request.method, template)
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


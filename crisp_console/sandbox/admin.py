"""Admin routes under ``/_sandbox/``: inspect and steer a running sandbox (tests, demo, CLI).

Every handler sits behind ``admin_guard``: a loopback Host and Origin, the per-run
``X-Sandbox-Token`` and JSON bodies (``info`` shows the token key; ``snapshot`` writes files,
only inside the state directory, statedir.py). Answers use Crisp's envelope: GET -> 200
"resolved", every change -> 200 "updated", with the new value as ``data``; errors are the
same ``{namespace, message}`` envelopes as /v1.
Fault injection, auth and quota never apply here.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crisp_console.sandbox.context import CONTEXT, SandboxContext
from crisp_console.sandbox.faults import BURST_STATUSES
from crisp_console.sandbox.profile import BEHAVIOURS, PROFILES
from crisp_console.sandbox.scopes import all_grants, describe, grant, revoke, set_grants
from crisp_console.sandbox.simulator import ACTIONS, MAX_RATE
from crisp_console.sandbox.web import (
    Handler,
    SandboxError,
    envelope,
    invalid_data,
    json_body,
    not_found,
)

PREFIX = "/_sandbox"

_FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
_COUNT = {"type": "integer", "minimum": 0}

FAULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "latency_ms": {"type": "number", "minimum": 0},
        "error_rate": _FRACTION,
        "reset_rate": _FRACTION,
        "late_fraction": _FRACTION,
        "burst_429": _COUNT,
        "burst_status": {"enum": list(BURST_STATUSES)},
        "retry_after": {"type": ["number", "null"], "minimum": 0},
        "daily_quota": _COUNT,
        "quota_status": {"enum": list(BURST_STATUSES)},
        "rtm_main_down": {"type": "boolean"},
        "seed": {"type": "integer"},  # reseeds the fault RNG; not stored in the config
    },
}

PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "profile": {"enum": list(PROFILES)},  # applied first, then the single switches
        "behaviours": {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": "boolean"} for name in BEHAVIOURS},
        },
    },
}

_GRANT_ITEMS = {"type": "array", "items": {"type": "string", "minLength": 1}}
SCOPES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "reset": {"type": "boolean"},  # applied first: every scope, read and write
        "grant": _GRANT_ITEMS,  # then these ("scope", "scope:read" or "scope:write")
        "revoke": _GRANT_ITEMS,  # then these
    },
}

RESTART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"down_ms": {"type": "integer", "minimum": 0, "maximum": 60_000}},
}

SNAPSHOT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"path": {"type": "string", "minLength": 1}},
}

SIMULATOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rate"],
    "properties": {"rate": {"type": "number", "minimum": 0, "maximum": MAX_RATE}},
}

_ID = {"type": "string", "minLength": 1}
SIMULATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["action"],
    "properties": {
        "action": {"enum": list(ACTIONS)},
        "website_id": _ID,
        "session_id": _ID,
        "user_id": _ID,
        "text": {"type": "string", "minLength": 1, "maxLength": 10_000},
        "typing": {"type": "boolean"},
        "duration": {"type": "number", "minimum": 0, "maximum": 30},
        "availability": {"enum": ["online", "away", "offline"]},
        "count": _COUNT,
    },
}

REMINDERS_FIRE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"session_id": _ID},
}

SUBSCRIPTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["bound"],
    "properties": {"bound": {"type": "boolean"}},
}


def _ctx(request: web.Request) -> SandboxContext:
    return request.app[CONTEXT]


def updated(data: Any) -> web.Response:
    return envelope(data, "updated")


# ---- handlers ----------------------------------------------------------------------------


async def get_info(request: web.Request) -> web.Response:
    return envelope(_ctx(request).sandbox.info())


async def get_faults(request: web.Request) -> web.Response:
    return envelope(_ctx(request).faults.config.to_dict())


async def patch_faults(request: web.Request) -> web.Response:
    body = await json_body(request, FAULTS_SCHEMA)
    faults = _ctx(request).faults
    if "seed" in body:
        faults.reseed(body.pop("seed"))
    # Store the config's own types: JSON 3.0 is a valid integer, 1 a valid fraction.
    for name, kind in (("burst_429", int), ("daily_quota", int), ("latency_ms", float),
                       ("error_rate", float), ("reset_rate", float), ("late_fraction", float),
                       ("retry_after", float)):
        if body.get(name) is not None:
            body[name] = kind(body[name])
    faults.update(body)
    return updated(faults.config.to_dict())


async def reset_faults(request: web.Request) -> web.Response:
    faults = _ctx(request).faults
    faults.reset()
    return updated(faults.config.to_dict())


def _profile(ctx: SandboxContext) -> dict[str, Any]:
    behaviours = ctx.behaviours
    return {"profile": behaviours.profile, "behaviours": behaviours.to_dict()}


async def get_profile(request: web.Request) -> web.Response:
    return envelope(_profile(_ctx(request)))


async def patch_profile(request: web.Request) -> web.Response:
    body = await json_body(request, PROFILE_SCHEMA)
    ctx = _ctx(request)
    if "profile" in body:
        ctx.behaviours.use(body["profile"])
    ctx.behaviours.update(body.get("behaviours", {}))
    return updated(_profile(ctx))


async def get_scopes(request: web.Request) -> web.Response:
    return envelope({"scopes": describe(_ctx(request).grants)})


async def patch_scopes(request: web.Request) -> web.Response:
    body = await json_body(request, SCOPES_SCHEMA)
    ctx = _ctx(request)
    grants = all_grants() if body.get("reset") else dict(ctx.grants)
    try:
        grants = revoke(grant(grants, body.get("grant", [])), body.get("revoke", []))
    except ValueError as exc:  # an unknown scope: nothing is changed
        raise invalid_data(str(exc)) from None
    set_grants(ctx.grants, grants)
    return updated({"scopes": describe(ctx.grants)})


async def get_quota(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    return envelope(ctx.faults.quota(ctx.state.token.identifier))


async def reset_quota(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    ctx.faults.reset_quota()
    return updated(ctx.faults.quota(ctx.state.token.identifier))


async def drop_sockets(request: web.Request) -> web.Response:
    return updated({"dropped": await _ctx(request).rtm.drop_all()})


async def restart(request: web.Request) -> web.Response:
    body = await json_body(request, RESTART_SCHEMA)
    down_ms = int(body.get("down_ms", 500))
    # schedule_restart waits a moment before stopping, so this answer gets out first.
    _ctx(request).sandbox.schedule_restart(down_ms / 1000)
    return updated({"down_ms": down_ms})


async def snapshot(request: web.Request) -> web.Response:
    body = await json_body(request, SNAPSHOT_SCHEMA)
    sandbox = _ctx(request).sandbox
    try:
        # A name, inside the state directory; else --state-file, which the operator chose.
        path = sandbox.state_dir.target(body["path"]) if "path" in body else None
        written = sandbox.save_snapshot(path)
    except ValueError as exc:  # a path that leaves the state directory, or no path at all
        raise invalid_data(f"data.path: {exc}") from None
    except OSError as exc:
        raise invalid_data(f"data.path: cannot write the snapshot: {exc}") from None
    return updated({"path": written})


async def get_simulator(request: web.Request) -> web.Response:
    sim = _ctx(request).simulator
    return envelope({"rate": sim.rate, "max_rate": MAX_RATE, "running": sim.running})


async def patch_simulator(request: web.Request) -> web.Response:
    body = await json_body(request, SIMULATOR_SCHEMA)
    sim = _ctx(request).simulator
    sim.set_rate(float(body["rate"]))
    return updated({"rate": sim.rate, "max_rate": MAX_RATE, "running": sim.running})


async def simulate(request: web.Request) -> web.Response:
    body = await json_body(request, SIMULATE_SCHEMA)
    action = body.pop("action")
    try:
        result = await _ctx(request).simulator.act(action, **body)
    except LookupError as exc:
        raise SandboxError(404, "not_found", str(exc), namespace="resource") from None
    except ValueError as exc:
        raise invalid_data(str(exc)) from None
    return updated(result)


async def set_subscription(request: web.Request) -> web.Response:
    body = await json_body(request, SUBSCRIPTION_SCHEMA)
    state = _ctx(request).state
    website = state.websites.get(request.match_info["website_id"])
    if website is None:
        raise not_found("website")
    state.set_subscribed(website, body["bound"])
    return updated({"website_id": website.website_id, "bound": website.subscribed})


async def get_reminders(request: web.Request) -> web.Response:
    """Every reminder scheduled through /v1 (``?session_id=`` narrows), fired ones too."""
    session_id = request.query.get("session_id") or None
    return envelope(_ctx(request).reminders.listing(session_id))


async def fire_reminders(request: web.Request) -> web.Response:
    """Fire every unfired reminder now, due or not (of one conversation if named)."""
    body = await json_body(request, REMINDERS_FIRE_SCHEMA)
    session_id = body.get("session_id")
    ctx = _ctx(request)
    if session_id is not None and session_id not in ctx.state.conversations:
        raise not_found("conversation")
    return updated({"fired": ctx.reminders.fire_due(session_id=session_id, everything=True)})


# ---- registration ------------------------------------------------------------------------

ROUTES: tuple[tuple[str, dict[str, Handler]], ...] = (  # path -> a handler per method
    ("/info", {"GET": get_info}),
    ("/faults", {"GET": get_faults, "PATCH": patch_faults}),
    ("/faults/reset", {"POST": reset_faults}),
    ("/profile", {"GET": get_profile, "PATCH": patch_profile}),
    ("/scopes", {"GET": get_scopes, "PATCH": patch_scopes}),
    ("/quota", {"GET": get_quota}),
    ("/quota/reset", {"POST": reset_quota}),
    ("/sockets/drop", {"POST": drop_sockets}),
    ("/restart", {"POST": restart}),
    ("/snapshot", {"POST": snapshot}),
    ("/simulator", {"GET": get_simulator, "PATCH": patch_simulator}),
    ("/simulate", {"POST": simulate}),
    ("/websites/{website_id}/subscription", {"POST": set_subscription}),
    ("/reminders", {"GET": get_reminders}),
    ("/reminders/fire", {"POST": fire_reminders}),
)


def _guarded(handler: Handler) -> Handler:
    """``handler`` behind the admin checks: no admin route can be registered without them."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        _ctx(request).sandbox.admin_guard.check(request)
        return await handler(request)

    return guarded


def register(app: web.Application) -> None:
    for path, handlers in ROUTES:
        for method, bare in handlers.items():
            handler = _guarded(bare)
            for variant in (PREFIX + path, PREFIX + path + "/"):
                if method == "GET":
                    app.router.add_get(variant, handler, allow_head=False)
                else:
                    app.router.add_route(method, variant, handler)

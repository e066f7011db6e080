"""Token scopes (behaviour ``scopes``, crisp-api.md §10 row 6) on the REST side: the route
table, the 403 a route outside the grants answers, the admin route and the CLI flag.
Events outside the grants are the RTM side's business (test_rtm.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from aiohttp import web

from crisp_console.sandbox.cli import build_parser, config_from_args
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.route_scopes import (
    NEEDS,
    UnmappedRoute,
    is_plugin_route,
    required_scope,
)
from crisp_console.sandbox.scopes import MODES, SCOPES, all_grants
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import make_config
from tests.sandbox.conv_helpers import busiest, conv_url, data_of, error_of, website_id


def sandbox_app() -> web.Application:
    return Sandbox(make_config())._build_app()  # noqa: SLF001 - the routes it serves


def served_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, template under /v1 without a trailing slash) of every /v1 route served."""
    served = set()
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if canonical.startswith("/v1/") and route.method != "HEAD":
            served.add((route.method, canonical[len("/v1"):].rstrip("/")))
    return served


def test_every_served_route_has_exactly_one_entry() -> None:
    app = sandbox_app()
    served = served_routes(app)
    assert len(served) > 50
    assert served == set(app[NEEDS]), (served ^ set(app[NEEDS]))


def test_reads_need_read_writes_need_write_plugin_routes_need_nothing() -> None:
    for (method, template), need in sandbox_app()[NEEDS].items():
        if is_plugin_route(template):
            assert need is None, template
            continue
        assert need is not None, template
        scope, mode = need
        assert scope in SCOPES
        assert mode == ("read" if method == "GET" else "write"), (method, template)


def test_head_is_a_get_and_an_unknown_route_is_refused() -> None:
    app = sandbox_app()
    assert required_scope(app, "HEAD", "/website/{website_id}") == ("website:settings", "read")
    with pytest.raises(UnmappedRoute, match="/v1/nowhere"):
        required_scope(app, "GET", "/nowhere")


async def scopes_patch(admin: httpx.AsyncClient, **body: Any) -> dict[str, list[str]]:
    resp = await admin.patch("scopes", json=body)
    assert resp.status_code == 200, resp.text
    scopes: dict[str, list[str]] = resp.json()["data"]["scopes"]
    return scopes


@pytest.mark.asyncio
async def test_admin_scopes_route(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    held = sandbox.config.grants  # changed in place: a reference stays current
    everything = {scope: list(MODES) for scope in sorted(SCOPES)}
    assert (await admin.get("scopes")).json()["data"] == {"scopes": everything}
    scopes = await scopes_patch(admin, revoke=["website:people:profiles",
                                               "website:operators:write"])
    assert "website:people:profiles" not in scopes and "website:people:profiles" not in held
    assert scopes["website:operators"] == ["read"]
    scopes = await scopes_patch(admin, grant=["website:people:profiles:read"])
    assert scopes["website:people:profiles"] == ["read"]
    # reset first, then grant, then revoke
    scopes = await scopes_patch(admin, reset=True, revoke=["bucket:url"])
    assert "bucket:url" not in scopes and scopes["website:operators"] == ["read", "write"]
    before = dict(held)
    for bad in ({"revoke": ["website:everything"]}, {"grant": ["bucket:url:delete"]},
                {"revoke": "bucket:url"}, {"forget": True}):
        resp = await admin.patch("scopes", json=bad)
        assert (resp.status_code, resp.json()["reason"]) == (400, "invalid_data"), bad
    assert held == before  # a refused change changes nothing
    assert await scopes_patch(admin, reset=True) == everything
    assert held == all_grants()


def test_cli_revoke_scope() -> None:
    args = build_parser().parse_args(["--revoke-scope", "website:people:profiles",
                                      "--revoke-scope", "website:operators:write"])
    grants = config_from_args(args).grants
    assert "website:people:profiles" not in grants
    assert grants["website:operators"] == frozenset({"read"})
    assert config_from_args(build_parser().parse_args([])).grants == all_grants()
    with pytest.raises(SystemExit, match="--revoke-scope: unknown scope"):
        config_from_args(build_parser().parse_args(["--revoke-scope", "website:all"]))


@pytest.mark.asyncio
async def test_a_route_outside_the_grants_is_refused(sandbox: Sandbox, api: httpx.AsyncClient,
                                                     admin: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    conv = busiest(sandbox, wid)
    await scopes_patch(admin, revoke=["website:people:profiles",
                                      "website:conversation:messages:read"])
    resp = await api.get(f"website/{wid}/people/profiles/1")
    message = error_of(resp, 403, "not_allowed")
    assert "website:people:profiles (read)" in message, message
    assert resp.json()["data"]["namespace"] == "scope"
    body = {"email": "scoped@example.com", "person": {"nickname": "Scoped"}}
    assert "website:people:profiles (write)" in error_of(
        await api.post(f"website/{wid}/people/profile", json=body), 403, "not_allowed")
    assert (await api.head(conv_url(conv, "/messages"))).status_code == 403
    error_of(await api.get(conv_url(conv, "/messages")), 403, "not_allowed")
    # The other mode of the same scope, other scopes and the plugin's routes still work.
    count = len(conv.messages)
    text = {"type": "note", "from": "operator", "origin": "chat", "content": "allowed"}
    data_of(await api.post(conv_url(conv, "/message"), json=text), 202, "dispatched")
    assert len(conv.messages) == count + 1
    data_of(await api.get(f"website/{wid}/conversations/1"))
    data_of(await api.get("plugin/connect/account"))
    # A refusal is checked before the handler: no validation, no lookup, nothing changed.
    error_of(await api.post(f"website/{wid}/people/profile", json={}), 403, "not_allowed")
    error_of(await api.get(f"website/{wid}/people/profile/nobody"), 403, "not_allowed")
    # Unknown routes are still 404 not_found.
    error_of(await api.get("website/x/nowhere"), 404, "not_found")


@pytest.mark.asyncio
async def test_every_scope_revoked_leaves_only_the_plugin_routes(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    await scopes_patch(admin, revoke=list(SCOPES))
    wid = website_id(sandbox)
    for path in ("plugin/connect/account", "plugin/connect/websites/all/1",
                 "plugins/subscription"):
        data_of(await api.get(path))
    for path in (f"website/{wid}", f"website/{wid}/operators/list",
                 f"website/{wid}/availability/status", f"website/{wid}/people/stats"):
        error_of(await api.get(path), 403, "not_allowed")
    resp = await api.post("bucket/url/generate", json={})
    assert "bucket:url (write)" in error_of(resp, 403, "not_allowed")


@pytest.mark.asyncio
@pytest.mark.sandbox_config(behaviours=strict_except("scopes"))
async def test_scopes_off_every_route_answers(sandbox: Sandbox, api: httpx.AsyncClient,
                                              admin: httpx.AsyncClient) -> None:
    await scopes_patch(admin, revoke=list(SCOPES))
    wid = website_id(sandbox)
    data_of(await api.get(f"website/{wid}/people/profiles/1"))
    data_of(await api.get(f"website/{wid}/operators/list"))
    # The switch is read per request.
    resp = await admin.patch("profile", json={"behaviours": {"scopes": True}})
    assert resp.status_code == 200, resp.text
    error_of(await api.get(f"website/{wid}/operators/list"), 403, "not_allowed")

"""The strict profile's REST behaviours that are not about messages (crisp-api.md §10 rows 1,
2, 7 and 10), each with its switch on and off: the website tier, the opaque quota, specific
404 reasons and Crisp's validation wording. Messages are in test_strict_messages.py, scopes in
test_scopes.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.sandbox.cli import build_parser, config_from_args
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import auth_headers
from tests.sandbox.conv_helpers import busiest, conv_url, data_of, error_of, website_id

pytestmark = pytest.mark.asyncio

PLUGIN_PATHS = ("plugin/connect/account", "plugin/connect/endpoints", "plugins/subscription")


async def switch(admin: httpx.AsyncClient, **behaviours: bool) -> None:
    resp = await admin.patch("profile", json={"behaviours": behaviours})
    assert resp.status_code == 200, resp.text


# ---- 1. website_tier_refused -----------------------------------------------------------------


@pytest.mark.sandbox_config(tier="website")
async def test_website_tier_is_refused_plugin_routes(sandbox: Sandbox,
                                                     admin: httpx.AsyncClient) -> None:
    assert sandbox.info()["tier"] == "website"
    async with httpx.AsyncClient(base_url=sandbox.rest_url,
                                 headers=auth_headers(sandbox, "website")) as website:
        wid = website_id(sandbox)
        for path in PLUGIN_PATHS:
            message = error_of(await website.get(path), 403, "not_allowed")
            assert "website-tier" in message
        settings = f"plugins/subscription/{wid}/{sandbox.state.token.plugin_id}/settings"
        error_of(await website.patch(settings, json={}), 403, "not_allowed")
        # The website routes of subscribed websites work for it.
        assert data_of(await website.get(f"website/{wid}"))["website_id"] == wid
        data_of(await website.get(f"website/{wid}/conversations/1"))
        # The switch is read per request.
        await switch(admin, website_tier_refused=False)
        assert data_of(await website.get("plugin/connect/account")) == {
            "plugin_id": sandbox.state.token.plugin_id}
    async with httpx.AsyncClient(base_url=sandbox.rest_url,
                                 headers=auth_headers(sandbox, "plugin")) as wrong_tier:
        error_of(await wrong_tier.get(f"website/{wid}"), 401, "invalid_session")


@pytest.mark.sandbox_config(tier="website",
                            behaviours=strict_except("website_tier_refused"))
async def test_website_tier_off_plugin_routes_answer(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.rest_url,
                                 headers=auth_headers(sandbox, "website")) as website:
        for path in PLUGIN_PATHS:
            data_of(await website.get(path))


async def test_plugin_tier_keeps_plugin_routes(api: httpx.AsyncClient) -> None:
    for path in PLUGIN_PATHS:
        data_of(await api.get(path))


# ---- 2. opaque_quota -------------------------------------------------------------------------


async def spend_quota(admin: httpx.AsyncClient, api: httpx.AsyncClient, **faults: Any) -> None:
    resp = await admin.patch("faults", json={"daily_quota": 2, **faults})
    assert resp.status_code == 200, resp.text
    assert (await admin.post("quota/reset")).status_code == 200
    for _ in range(2):
        data_of(await api.get("plugin/connect/account"))


async def test_opaque_quota_looks_like_a_burst(api: httpx.AsyncClient,
                                               admin: httpx.AsyncClient) -> None:
    resp = await admin.patch("faults", json={"burst_429": 1})
    assert resp.status_code == 200
    burst = await api.get("plugin/connect/account")
    await spend_quota(admin, api)
    spent = await api.get("plugin/connect/account")
    assert (spent.status_code, spent.json()) == (429, burst.json())
    assert spent.json()["reason"] == "rate_limited"
    assert "Retry-After" not in spent.headers
    # 420 on request; the quota stays spent until reset.
    resp = await admin.patch("faults", json={"quota_status": 420})
    assert resp.json()["data"]["quota_status"] == 420
    enhance = await api.get("plugin/connect/account")
    assert (enhance.status_code, enhance.json()["reason"]) == (420, "rate_limited")
    assert "Retry-After" not in enhance.headers
    # The switch is read per request.
    await switch(admin, opaque_quota=False)
    plain = await api.get("plugin/connect/account")
    assert (plain.status_code, plain.json()["reason"]) == (429, "quota_limited")


@pytest.mark.sandbox_config(behaviours=strict_except("opaque_quota"))
async def test_quota_says_quota_limited_when_off(api: httpx.AsyncClient,
                                                 admin: httpx.AsyncClient) -> None:
    await spend_quota(admin, api, quota_status=420)  # only the opaque reading uses it
    resp = await api.get("plugin/connect/account")
    assert (resp.status_code, resp.json()["reason"]) == (429, "quota_limited")
    assert resp.json()["data"]["namespace"] == "quota"
    assert "Retry-After" not in resp.headers


async def test_quota_status_is_validated(admin: httpx.AsyncClient) -> None:
    for bad in (500, "429", None):
        resp = await admin.patch("faults", json={"quota_status": bad})
        assert resp.status_code == 400, bad
    assert (await admin.get("faults")).json()["data"]["quota_status"] == 429
    args = build_parser().parse_args(["--quota-status", "420"])
    assert config_from_args(args).faults.quota_status == 420
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--quota-status", "503"])


# ---- 7. specific_not_found -------------------------------------------------------------------


def missing_paths(sb: Sandbox) -> list[tuple[str, str]]:
    """(path, the specific reason) of one missing resource of every kind."""
    wid = website_id(sb)
    conv = busiest(sb, wid)
    return [
        ("website/no-such-website", "website_not_found"),
        (f"website/{wid}/conversation/session_nope", "session_not_found"),
        (conv_url(conv, "/message/1"), "message_not_found"),
        (f"website/{wid}/people/profile/nobody", "people_not_found"),
        (f"plugins/subscription/{wid}/not-our-plugin", "plugin_not_found"),
    ]


async def test_missing_resources_name_themselves(sandbox: Sandbox, api: httpx.AsyncClient,
                                                 admin: httpx.AsyncClient) -> None:
    for path, reason in missing_paths(sandbox):
        resp = await api.get(path)
        error_of(resp, 404, reason)
        assert resp.json()["data"]["namespace"] == "resource"
    # Unknown routes, and the admin API (ours, not Crisp's), keep not_found.
    error_of(await api.get("website/x/nowhere"), 404, "not_found")
    resp = await admin.post("reminders/fire", json={"session_id": "session_nope"})
    error_of(resp, 404, "not_found")
    await switch(admin, specific_not_found=False)
    error_of(await api.get(missing_paths(sandbox)[1][0]), 404, "not_found")


@pytest.mark.sandbox_config(behaviours=strict_except("specific_not_found"))
async def test_missing_resources_are_not_found_when_off(sandbox: Sandbox,
                                                        api: httpx.AsyncClient) -> None:
    for path, _ in missing_paths(sandbox):
        error_of(await api.get(path), 404, "not_found")


# ---- 10. crisp_wording -----------------------------------------------------------------------


async def refusals(sb: Sandbox, api: httpx.AsyncClient) -> list[str]:
    """data.message of three refused sends: a missing top-level property, a missing nested
    one, and an enum error (worded the same either way)."""
    url = conv_url(busiest(sb, website_id(sb)), "/message")
    ok = {"type": "text", "from": "operator", "origin": "chat", "content": "x"}
    bodies = [{k: v for k, v in ok.items() if k != "origin"},
              {**ok, "type": "file", "content": {"url": "https://x.example/f", "type": "t"}},
              {**ok, "from": "bot"}]
    return [error_of(await api.post(url, json=body), 400, "invalid_data") for body in bodies]


async def test_crisp_wording(sandbox: Sandbox, api: httpx.AsyncClient,
                             admin: httpx.AsyncClient) -> None:
    assert await refusals(sandbox, api) == [
        "data should have required property '.origin'",
        "data.content should have required property '.name'",
        "data.from should be equal to one of the allowed values"]
    # The admin API keeps the sandbox's own wording.
    resp = await admin.patch("simulator", json={})
    assert resp.json()["data"]["message"] == "data should have required property 'rate'"
    await switch(admin, crisp_wording=False)
    assert (await refusals(sandbox, api))[0] == "data should have required property 'origin'"


@pytest.mark.sandbox_config(behaviours=strict_except("crisp_wording"))
async def test_sandbox_wording_when_off(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    assert await refusals(sandbox, api) == [
        "data should have required property 'origin'",
        "data.content should have required property 'name'",
        "data.from should be equal to one of the allowed values"]

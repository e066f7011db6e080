"""Plugin connect routes: account, session, websites (all and since), endpoints."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.route_helpers import (
    error_of,
    python_client,
    subscribed_website,
    unsubscribed_website,
)

pytestmark = pytest.mark.asyncio


def iso(ms: int, form: str = "Z") -> str:
    text = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f".{ms % 1000:03d}"
    return {"Z": f"{text}{fraction}Z", "+00:00": f"{text}{fraction}+00:00",
            "space": f"{text}{fraction} 00:00", "nano": f"{text}{fraction}000000Z"}[form]


async def test_account_and_session(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    resp = await api.get("plugin/connect/account")
    assert resp.json() == {"error": False, "reason": "resolved",
                           "data": {"plugin_id": sandbox.state.token.plugin_id}}
    assert (await api.get("plugin/connect/session")).json()["data"] == {}
    head = await api.head("plugin/connect/session")
    assert head.status_code == 200 and head.content == b""
    wrong = base64.b64encode(f"{sandbox.state.token.identifier}:nope".encode()).decode()
    bad = await api.head("plugin/connect/session", headers={"Authorization": f"Basic {wrong}"})
    assert bad.status_code == 401 and bad.content == b""


async def test_endpoints_point_at_the_rtm_server(sandbox: Sandbox,
                                                 api: httpx.AsyncClient) -> None:
    data = (await api.get("plugin/connect/endpoints")).json()["data"]
    assert data == {"socket": {"app": sandbox.rtm_url},
                    "rescue": {"socket": {"app": sandbox.rescue_url}}}
    assert data["socket"]["app"].startswith(sandbox.base_url + "/")


async def test_websites_all(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    state = sandbox.state
    subscribed = sorted((w for w in state.websites.values() if w.subscribed),
                        key=lambda w: (w.created_at, w.website_id))
    data = (await api.get("plugin/connect/websites/all/1")).json()["data"]
    assert data == [{"website_id": w.website_id, "token": w.token, "settings": w.settings}
                    for w in subscribed]
    assert unsubscribed_website(sandbox) not in {item["website_id"] for item in data}
    with_plan = (await api.get("plugin/connect/websites/all/1",
                               params={"include_plan": "1"})).json()["data"]
    assert [item["plan"] for item in with_plan] == [w.plan for w in subscribed]
    assert (await api.get("plugin/connect/websites/all/2")).json()["data"] == []

    # filter_configured keeps websites whose settings are not empty (python sends "True").
    target = subscribed[0]
    await api.put(f"plugins/subscription/{target.website_id}/{state.token.plugin_id}/settings",
                  json={"greeting": "hi"} if state.plugin_schema.get("properties") else {"a": 1})
    configured = (await api.get("plugin/connect/websites/all/1",
                                params={"filter_configured": "True"})).json()["data"]
    assert [item["website_id"] for item in configured] == [
        w.website_id for w in subscribed if w.settings]
    assert target.website_id in {item["website_id"] for item in configured}


async def test_websites_since_reports_differences(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    state = sandbox.state
    plugin_id = state.token.plugin_id
    since = state.clock()
    state.clock = lambda: since + 1  # every change below is strictly later than `since`
    changed, dropped = state.subscribed_website_ids()[:2]
    added = unsubscribed_website(sandbox)
    assert (await api.patch(f"plugins/subscription/{changed}/{plugin_id}/settings",
                            json={})).status_code == 200
    assert (await api.delete(f"plugins/subscription/{dropped}/{plugin_id}")).status_code == 200
    assert (await api.post(f"plugins/subscription/{added}", json={})).status_code == 201

    expected = {changed: "updated", dropped: "removed", added: "added"}
    # Untouched websites changed after `since` only if the dataset dates them in the future.
    for w in state.websites.values():
        if w.website_id not in expected and w.subscribed and w.updated_at > since:
            expected[w.website_id] = "added" if w.created_at > since else "updated"
    for form in ("Z", "+00:00", "nano"):
        resp = await api.get("plugin/connect/websites/since",
                             params={"date_since": iso(since, form)})
        data = resp.json()["data"]
        assert {i["website_id"]: i["difference"] for i in data} == expected, form
        assert all({"website_id", "token", "settings", "difference"} <= set(i) for i in data)
    # What python crisp-api sends: the "+" unescaped, so the server reads a space.
    raw = f"plugin/connect/websites/since?date_since={iso(since, '+00:00')}"
    assert "+" in raw
    data = (await api.get(raw)).json()["data"]
    assert {i["website_id"]: i["difference"] for i in data} == expected
    # Long before everything: every bound website is "added", the dropped one "removed".
    data = (await api.get("plugin/connect/websites/since",
                          params={"date_since": "2000-01-01T00:00:00Z"})).json()["data"]
    assert {i["website_id"]: i["difference"] for i in data} == {
        **{wid: "added" for wid in state.subscribed_website_ids()}, dropped: "removed"}


async def test_websites_since_with_the_python_client(sandbox: Sandbox) -> None:
    client = python_client(sandbox)
    off = unsubscribed_website(sandbox)
    since = datetime.fromtimestamp((sandbox.state.clock() - 1) / 1000, UTC).isoformat()
    assert since.endswith("+00:00")  # sent unescaped: the server sees " 00:00"
    assert await asyncio.to_thread(client.plugin.list_connect_websites_since, since, True) == []
    # python posts no plugin_id: the token's plugin is meant.
    await asyncio.to_thread(client.plugin.subscribe_plugin_to_website, off)
    data = await asyncio.to_thread(client.plugin.list_connect_websites_since, since, False)
    assert [(i["website_id"], i["difference"]) for i in data] == [(off, "added")]
    assert await asyncio.to_thread(client.plugin.check_connect_session_validity) == {}


@pytest.mark.parametrize("value", ["", "yesterday", "2024-13-01T00:00:00Z",
                                   "2024-01-01T00:00:00+99:00"])
async def test_websites_since_rejects_bad_dates(api: httpx.AsyncClient, value: str) -> None:
    params: dict[str, Any] = {"date_since": value} if value else {}
    resp = await api.get("plugin/connect/websites/since", params=params)
    assert error_of(resp) == (400, "invalid_data", "date_since should be an ISO-8601 date")


async def test_connect_routes_need_the_plugin_tier(sandbox: Sandbox,
                                                   api: httpx.AsyncClient) -> None:
    resp = await api.get("plugin/connect/account", headers={"X-Crisp-Tier": "user"})
    assert error_of(resp)[:2] == (401, "invalid_session")
    wid = subscribed_website(sandbox)
    assert (await api.get(f"website/{wid}")).status_code == 200

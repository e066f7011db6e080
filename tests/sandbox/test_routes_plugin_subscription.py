"""Plugin subscriptions (list, details, subscribe, unsubscribe) and subscription settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe
from tests.sandbox.route_helpers import (
    error_of,
    python_client,
    subscribed_website,
    unsubscribed_website,
)

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio

# The schema the dataset gives the sandbox plugin (set here so these tests own their input).
PLUGIN_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "greeting": {"type": "string", "maxLength": 500},
        "auto_assign": {"type": "boolean"},
        "default_operator": {"type": ["string", "null"]},
        "sla_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
    },
}


@pytest.fixture
def schema(sandbox: Sandbox) -> dict[str, Any]:
    sandbox.state.plugin_schema = PLUGIN_SCHEMA
    return PLUGIN_SCHEMA


def settings_url(sb: Sandbox, wid: str, plugin_id: str | None = None) -> str:
    return f"plugins/subscription/{wid}/{plugin_id or sb.state.token.plugin_id}/settings"


async def test_get_settings(sandbox: Sandbox, api: httpx.AsyncClient,
                            schema: dict[str, Any]) -> None:
    wid = subscribed_website(sandbox)
    website = sandbox.state.websites[wid]
    data = (await api.get(settings_url(sandbox, wid))).json()["data"]
    assert data["plugin_id"] == sandbox.state.token.plugin_id
    assert data["website_id"] == wid and data["token"] == website.token
    assert data["schema"] == schema and data["settings"] == website.settings
    assert data["settings_form_url"].startswith("https://")
    assert data["callback_url"].startswith("https://")


async def test_put_replaces_patch_merges(sandbox: Sandbox, api: httpx.AsyncClient,
                                         schema: dict[str, Any], rtm: Factory) -> None:
    wid = subscribed_website(sandbox)
    probe = await rtm()
    await probe.authenticate(["plugin:settings:saved"])
    url = settings_url(sandbox, wid)
    put = await api.put(url, json={"greeting": "Hello", "sla_minutes": 30, "tags": ["a"]})
    assert put.json() == {"error": False, "reason": "updated", "data": {}}
    patch = await api.patch(url, json={"sla_minutes": 60, "default_operator": None})
    assert patch.status_code == 200
    merged = {"greeting": "Hello", "sla_minutes": 60, "tags": ["a"], "default_operator": None}
    assert (await api.get(url)).json()["data"]["settings"] == merged
    await api.put(url, json={"auto_assign": True})
    assert sandbox.state.websites[wid].settings == {"auto_assign": True}

    await probe.settle()
    saved = [d for n, d in probe.received if n == "plugin:settings:saved"]
    assert [d["settings"] for d in saved] == [
        {"greeting": "Hello", "sla_minutes": 30, "tags": ["a"]}, merged, {"auto_assign": True}]
    assert all(d["website_id"] == wid and d["plugin_id"] == sandbox.state.token.plugin_id
               for d in saved)


@pytest.mark.parametrize(("method", "body", "message"), [
    ("PUT", {"sla_minutes": 2000}, "data.sla_minutes should be <= 1440"),
    ("PATCH", {"sla_minutes": 0}, "data.sla_minutes should be >= 1"),
    ("PATCH", {"sla_minutes": "ten"}, "data.sla_minutes should be integer"),
    ("PUT", {"greeting": "x" * 501}, "data.greeting should be <= 500"),
    ("PATCH", {"tags": [str(i) for i in range(21)]}, "data.tags should be <= 20"),
    ("PATCH", {"tags": ["ok", 3]}, "data.tags[1] should be string"),
    ("PUT", {"colour": "red"}, "data should NOT have additional properties"),
    ("PUT", ["not", "an", "object"], "data should be object"),
])
async def test_settings_are_validated(sandbox: Sandbox, api: httpx.AsyncClient,
                                      schema: dict[str, Any], rtm: Factory, method: str,
                                      body: Any, message: str) -> None:
    wid = subscribed_website(sandbox)
    probe = await rtm()
    await probe.authenticate(["plugin:settings:saved"])
    before = dict(sandbox.state.websites[wid].settings)
    resp = await api.request(method, settings_url(sandbox, wid), json=body)
    status, reason, text = error_of(resp)
    assert (status, reason) == (400, "invalid_data")
    assert text.startswith(message), text
    assert sandbox.state.websites[wid].settings == before
    await probe.settle()
    assert "plugin:settings:saved" not in probe.names()


async def test_settings_errors(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    off = unsubscribed_website(sandbox)
    for method in ("GET", "PUT", "PATCH"):
        body: dict[str, Any] | None = None if method == "GET" else {}
        cases = [
            (settings_url(sandbox, wid, "not-our-plugin"), (404, "plugin_not_found")),
            (settings_url(sandbox, "no-such-website"), (404, "website_not_found")),
            (settings_url(sandbox, off), (404, "not_subscribed")),
        ]
        for url, expected in cases:
            resp = await api.request(method, url, json=body)
            assert error_of(resp)[:2] == expected, (method, url)


async def test_subscription_lists_and_details(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    state = sandbox.state
    plugin_id = state.token.plugin_id
    wid = subscribed_website(sandbox)
    off = unsubscribed_website(sandbox)
    listed = (await api.get(f"plugins/subscription/{wid}")).json()["data"]
    assert [(s["id"], s["website_id"], s["active"]) for s in listed] == [(plugin_id, wid, True)]
    assert (await api.get(f"plugins/subscription/{off}")).json()["data"] == []
    everything = (await api.get("plugins/subscription")).json()["data"]
    assert sorted(s["website_id"] for s in everything) == sorted(state.subscribed_website_ids())
    details = (await api.get(f"plugins/subscription/{wid}/{plugin_id}")).json()["data"]
    assert details == listed[0]
    assert error_of(await api.get(f"plugins/subscription/{off}/{plugin_id}"))[:2] == (
        404, "not_subscribed")
    assert error_of(await api.get(f"plugins/subscription/{wid}/other"))[:2] == (
        404, "plugin_not_found")
    assert error_of(await api.get("plugins/subscription/nowhere"))[:2] == (
        404, "website_not_found")


async def test_unsubscribe_then_subscribe(sandbox: Sandbox, api: httpx.AsyncClient,
                                          rtm: Factory) -> None:
    state = sandbox.state
    plugin_id = state.token.plugin_id
    wid = subscribed_website(sandbox)
    probe = await rtm()
    await probe.authenticate(["plugin:subscription:updated"], rooms=[wid])

    resp = await api.delete(f"plugins/subscription/{wid}/{plugin_id}")
    assert resp.json() == {"error": False, "reason": "deleted", "data": {}}
    assert not state.websites[wid].subscribed
    assert error_of(await api.get(f"website/{wid}"))[:2] == (404, "not_subscribed")
    all_sites = (await api.get("plugin/connect/websites/all/1")).json()["data"]
    assert wid not in {i["website_id"] for i in all_sites}
    again = await api.delete(f"plugins/subscription/{wid}/{plugin_id}")
    assert error_of(again)[:2] == (404, "not_subscribed")

    wrong = await api.post(f"plugins/subscription/{wid}", json={"plugin_id": "someone-else"})
    assert error_of(wrong)[:2] == (404, "plugin_not_found")
    assert not state.websites[wid].subscribed
    resp = await api.post(f"plugins/subscription/{wid}", json={"plugin_id": plugin_id})
    assert resp.status_code == 201
    assert resp.json()["data"] == {"website_id": wid, "plugin_id": plugin_id}
    assert (await api.get(f"website/{wid}")).status_code == 200

    await probe.settle()
    updates = [d for n, d in probe.received if n == "plugin:subscription:updated"]
    assert [(d["website_id"], d["bound"], d["plugin_id"]) for d in updates] == [
        (wid, False, plugin_id), (wid, True, plugin_id)]


async def test_subscribe_with_the_python_client(sandbox: Sandbox, rtm: Factory) -> None:
    off = unsubscribed_website(sandbox)
    probe = await rtm()
    await probe.authenticate(["plugin:subscription:updated"])
    client = python_client(sandbox)
    data = await asyncio.to_thread(client.plugin.subscribe_plugin_to_website, off)
    assert data == {"website_id": off, "plugin_id": sandbox.state.token.plugin_id}
    assert sandbox.state.websites[off].subscribed
    _, event = await probe.wait_for(lambda n, d: n == "plugin:subscription:updated")
    assert event["website_id"] == off and event["bound"] is True
    subs = await asyncio.to_thread(client.plugin.list_subscriptions_website, off)
    assert [s["website_id"] for s in subs] == [off]

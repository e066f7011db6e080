"""Plugin connect, subscription settings and website routes of CrispApi, against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crisp_console.api import CrispApi
from crisp_console.errors import ValidationError
from crisp_console.sandbox.server import Sandbox
from tests.api.helpers import bound_website, unbound_website

pytestmark = pytest.mark.asyncio


async def test_check_session_and_account(crisp: CrispApi, sandbox: Sandbox) -> None:
    assert await crisp.check_session() is True
    assert await crisp.connect_account() == {"plugin_id": sandbox.state.token.plugin_id}


async def test_connect_websites_pages_and_flags(crisp: CrispApi, sandbox: Sandbox) -> None:
    bound = sandbox.state.subscribed_website_ids()
    first = await crisp.connect_websites()
    assert sorted(w["website_id"] for w in first) == sorted(bound)
    assert all("plan" not in w for w in first)
    assert await crisp.connect_websites(2) == []
    with_plan = await crisp.connect_websites(plan=True)
    assert all("plan" in w for w in with_plan)
    # filter_configured goes as 1: the last bound website has empty settings.
    configured = await crisp.connect_websites(configured=True)
    assert [w["website_id"] for w in configured] == [
        w for w in bound if sandbox.state.websites[w].settings]
    assert len(configured) == len(bound) - 1
    assert len(await crisp.connect_websites(configured=False)) == len(bound)


async def test_iter_connect_websites_reaches_the_end(crisp: CrispApi, sandbox: Sandbox) -> None:
    items = [w async for w in crisp.iter_connect_websites(plan=True)]
    assert sorted(w["website_id"] for w in items) == sorted(
        sandbox.state.subscribed_website_ids())
    assert all("plan" in w for w in items)


async def test_connect_websites_since(crisp: CrispApi, sandbox: Sandbox,
                                      admin: httpx.AsyncClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    assert await crisp.connect_websites_since(before) == []
    # Re-binding the unbound website makes it "added" after the date.
    unbound = unbound_website(sandbox)
    resp = await admin.post(f"websites/{unbound}/subscription", json={"bound": True})
    assert resp.status_code == 200
    changes = await crisp.connect_websites_since(before)
    assert [(c["website_id"], c["difference"]) for c in changes] == [(unbound, "added")]
    # A naive datetime is taken as UTC; far in the past, everything bound is "added".
    everything = await crisp.connect_websites_since(datetime(2000, 1, 1))
    assert {c["website_id"] for c in everything} == set(sandbox.state.subscribed_website_ids())
    assert await crisp.connect_websites_since(datetime(2000, 1, 1), configured=True) == [
        c for c in everything if c["settings"]]


async def test_connect_endpoints(crisp: CrispApi, sandbox: Sandbox) -> None:
    endpoints = await crisp.connect_endpoints()
    assert endpoints["socket"]["app"] == sandbox.rtm_url
    assert endpoints["rescue"]["socket"]["app"] == sandbox.rescue_url


async def test_subscription_settings_get_save_update(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    plugin_id = sandbox.state.token.plugin_id
    got = await crisp.subscription_settings(wid, plugin_id)
    assert got["website_id"] == wid and got["plugin_id"] == plugin_id
    assert got["schema"] == sandbox.state.plugin_schema
    assert got["settings"] == sandbox.state.websites[wid].settings

    await crisp.save_settings(wid, plugin_id, {"greeting": "Hi"})
    assert (await crisp.subscription_settings(wid, plugin_id))["settings"] == {"greeting": "Hi"}
    await crisp.update_settings(wid, plugin_id, {"auto_assign": True})
    assert (await crisp.subscription_settings(wid, plugin_id))["settings"] == {
        "greeting": "Hi", "auto_assign": True}
    with pytest.raises(ValidationError) as err:
        await crisp.update_settings(wid, plugin_id, {"sla_minutes": 0})
    assert err.value.message == "data.sla_minutes should be >= 1"


async def test_website_and_operators(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    website = await crisp.get_website(wid)
    assert website["website_id"] == wid
    assert website["name"] == sandbox.state.websites[wid].name

    operators = await crisp.list_operators(wid)
    assert [op["details"]["user_id"] for op in operators] == [
        op.user_id for op in sandbox.state.operators]


async def test_operator_availabilities(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    op = sandbox.state.operators[0]
    sandbox.state.set_operator_availability(wid, op, "away")
    items = await crisp.operator_availabilities(wid)
    assert [i["user_id"] for i in items] == [o.user_id for o in sandbox.state.operators]
    mine = next(i for i in items if i["user_id"] == op.user_id)
    assert mine["type"] == "away" and mine["time"]["since"] == op.availability_since

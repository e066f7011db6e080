"""Website routes: the website, its operators, and availability derived from the operators."""

from __future__ import annotations

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.route_helpers import error_of, subscribed_website, unsubscribed_website

pytestmark = pytest.mark.asyncio


async def test_get_website(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    resp = await api.get(f"website/{wid}")
    assert resp.json() == {"error": False, "reason": "resolved",
                           "data": sandbox.state.websites[wid].to_payload()}
    assert resp.json()["data"]["website_id"] == wid
    head = await api.head(f"website/{wid}")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("suffix", ["", "/operators/list", "/availability/status",
                                    "/availability/operators"])
async def test_unknown_and_unsubscribed_websites(sandbox: Sandbox, api: httpx.AsyncClient,
                                                 suffix: str) -> None:
    off = unsubscribed_website(sandbox)
    assert error_of(await api.get(f"website/no-such-website{suffix}"))[:2] == (
        404, "website_not_found")
    assert error_of(await api.get(f"website/{off}{suffix}"))[:2] == (404, "not_subscribed")


async def test_list_operators(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    data = (await api.get(f"website/{wid}/operators/list")).json()["data"]
    assert data == [op.to_payload() for op in sandbox.state.operators]
    assert data and all(set(item) == {"type", "details"} for item in data)
    assert {item["details"]["user_id"] for item in data} == {
        op.user_id for op in sandbox.state.operators}


async def test_availability_follows_operators(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    state = sandbox.state
    ops = state.operators
    assert len(ops) >= 2
    url = f"website/{wid}/availability/status"

    for op in ops:
        state.set_operator_availability(wid, op, "offline")
    status = (await api.get(url)).json()["data"]
    assert status == {"status": "offline", "since": max(o.availability_since for o in ops)}

    state.set_operator_availability(wid, ops[1], "away")
    assert (await api.get(url)).json()["data"]["status"] == "away"

    state.set_operator_availability(wid, ops[0], "online")
    went_online = ops[0].availability_since
    assert (await api.get(url)).json()["data"] == {"status": "online", "since": went_online}
    # A second operator coming online later does not move "since".
    ops[1].availability_since = went_online + 5_000
    ops[1].availability = "online"
    assert (await api.get(url)).json()["data"] == {"status": "online", "since": went_online}


async def test_operator_availabilities(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    state = sandbox.state
    op = state.operators[0]
    state.set_operator_availability(wid, op, "away")
    op.availability_since -= 90_000  # away for 90 s
    data = (await api.get(f"website/{wid}/availability/operators")).json()["data"]
    assert [item["user_id"] for item in data] == [o.user_id for o in state.operators]
    mine = data[0]
    assert mine["type"] == "away"
    assert mine["time"]["since"] == op.availability_since
    assert 90 <= mine["time"]["for"] < 100
    assert all(item["type"] == o.availability for item, o in zip(data, state.operators,
                                                                  strict=True))

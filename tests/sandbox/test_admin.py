"""Admin routes under /_sandbox/: settings, quota, sockets, restart, snapshot, subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import socketio

from crisp_console.sandbox import snapshot
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe, admin_headers, make_config

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio


def ok(resp: httpx.Response, reason: str = "updated") -> Any:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["error"], body["reason"]) == (False, reason)
    return body["data"]


def invalid(resp: httpx.Response, *needles: str) -> None:
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert (body["error"], body["reason"], body["data"]["namespace"]) == \
        (True, "invalid_data", "data")
    for needle in needles:
        assert needle in body["data"]["message"], body


async def test_info_needs_the_admin_token_only(sandbox: Sandbox,
                                               admin: httpx.AsyncClient) -> None:
    assert "Authorization" not in admin.headers
    assert admin.headers["X-Sandbox-Token"] == sandbox.admin_token
    data = ok(await admin.get("info"), "resolved")
    assert data == sandbox.info()
    assert data["admin"] == f"{sandbox.base_url}/_sandbox/"
    assert ok(await admin.get("info/"), "resolved") == data  # trailing slash accepted


async def test_unknown_admin_route_is_an_envelope(admin: httpx.AsyncClient) -> None:
    resp = await admin.get("nope")
    assert resp.status_code == 404
    assert resp.json()["reason"] == "not_found"
    resp = await admin.delete("faults")
    assert resp.status_code == 405


async def test_faults_partial_update(admin: httpx.AsyncClient) -> None:
    before = ok(await admin.get("faults"), "resolved")
    after = ok(await admin.patch("faults", json={"error_rate": 0.25, "retry_after": 3}))
    assert after == {**before, "error_rate": 0.25, "retry_after": 3}
    after = ok(await admin.patch("faults", json={"retry_after": None, "burst_429": 2.0}))
    assert (after["retry_after"], after["burst_429"], after["error_rate"]) == (None, 2, 0.25)
    assert ok(await admin.get("faults"), "resolved") == after


@pytest.mark.parametrize(("body", "needles"), [
    ({"error_rate": 1.5}, ("data.error_rate", "<= 1")),
    ({"reset_rate": -0.1}, ("data.reset_rate", ">= 0")),
    ({"latency_ms": -5}, ("data.latency_ms",)),
    ({"burst_429": -1}, ("data.burst_429",)),
    ({"burst_429": 1.5}, ("data.burst_429", "integer")),
    ({"burst_429": True}, ("data.burst_429",)),
    ({"daily_quota": "many"}, ("data.daily_quota",)),
    ({"burst_status": 503}, ("data.burst_status", "allowed values")),
    ({"retry_after": "soon"}, ("data.retry_after",)),
    ({"colour": "red"}, ("additional properties", "colour")),
])
async def test_faults_validation(admin: httpx.AsyncClient, body: dict[str, Any],
                                 needles: tuple[str, ...]) -> None:
    before = ok(await admin.get("faults"), "resolved")
    invalid(await admin.patch("faults", json=body), *needles)
    assert ok(await admin.get("faults"), "resolved") == before


async def test_invalid_json_body(admin: httpx.AsyncClient) -> None:
    invalid(await admin.patch("faults", content=b"{nope",
                              headers={"Content-Type": "application/json"}), "JSON")
    invalid(await admin.patch("faults", json=[1]), "object")


async def test_quota_route(sandbox: Sandbox, api: httpx.AsyncClient,
                           admin: httpx.AsyncClient) -> None:
    ok(await admin.patch("faults", json={"daily_quota": 100}))
    for _ in range(3):
        await api.get("plugin/connect/account")
    data = ok(await admin.get("quota"), "resolved")
    assert (data["limit"], data["used"], data["remaining"]) == (100, 3, 97)
    assert set(data) == {"limit", "used", "remaining", "day", "resets_at"}
    data = ok(await admin.post("quota/reset"))
    assert (data["used"], data["remaining"]) == (0, 100)


async def test_drop_sockets_clients_reconnect_and_reauthenticate(
        sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    token = sandbox.state.token
    client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.05,
                                  reconnection_delay_max=0.1, handle_sigint=False)
    got: list[tuple[str, Any]] = []
    arrived = asyncio.Event()

    async def on_connect() -> None:  # like node-crisp-api: authenticate on every (re)connect
        await client.emit("authentication", {
            "username": token.identifier, "password": token.key, "tier": token.tier,
            "events": ["website:update_visitors_count"]})

    async def record(event: str, data: Any = None) -> None:
        got.append((event, data))
        arrived.set()

    async def wait_count(name: str, count: int) -> None:
        async with asyncio.timeout(5):
            while sum(n == name for n, _ in got) < count:
                arrived.clear()
                await arrived.wait()

    client.on("connect", on_connect)
    client.on("*", record)
    await client.connect(sandbox.base_url, socketio_path=urlsplit(sandbox.rtm_url).path,
                         transports=["websocket"], wait_timeout=5)
    try:
        await wait_count("authenticated", 1)
        assert ok(await admin.post("sockets/drop")) == {"dropped": 1}
        await wait_count("authenticated", 2)
        assert client.connected
        ok(await admin.post("simulate", json={"action": "visitors", "count": 42}))
        await wait_count("website:update_visitors_count", 1)
        assert got[-1][1]["visitors_count"] == 42
        assert sandbox.rtm is not None
        assert len(sandbox.rtm.clients) == 1
    finally:
        await client.shutdown()
    assert ok(await admin.post("sockets/drop")) == {"dropped": 0}


async def test_restart_refuses_then_serves_the_same_state(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    sent = ok(await admin.post("simulate", json={"action": "message", "text": "before restart"}))
    messages = (f"website/{sent['website_id']}/conversation/{sent['session_id']}/messages")
    assert ok(await admin.post("restart", json={"down_ms": 800})) == {"down_ms": 800}
    async with httpx.AsyncClient(base_url=sandbox.rest_url, headers=dict(api.headers)) as fresh:
        async with asyncio.timeout(5):  # it goes down a moment after answering...
            while True:
                try:
                    await fresh.get(messages)
                except httpx.TransportError:  # refused, or cut while it answered
                    break
                await asyncio.sleep(0.01)
        async with asyncio.timeout(5):  # ...and comes back
            while True:
                try:
                    resp = await fresh.get(messages)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
    assert resp.status_code == 200
    fingerprints = [m["fingerprint"] for m in resp.json()["data"]]
    assert sent["fingerprint"] in fingerprints


async def test_restart_validation(admin: httpx.AsyncClient) -> None:
    invalid(await admin.post("restart", json={"down_ms": -1}), "data.down_ms")
    invalid(await admin.post("restart", json={"down_ms": "soon"}), "data.down_ms")


async def test_snapshot_without_a_path(admin: httpx.AsyncClient) -> None:
    invalid(await admin.post("snapshot"), "data.path", "no snapshot path")
    invalid(await admin.post("snapshot", json={"path": ""}), "data.path")


@contextlib.asynccontextmanager
async def own_sandbox(**config: Any) -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    """A sandbox with ``config`` (e.g. a tmp_path state directory) and its admin client."""
    sb = Sandbox(make_config(**config))
    await sb.start()
    try:
        async with httpx.AsyncClient(base_url=f"{sb.base_url}/_sandbox/",
                                     headers=admin_headers(sb)) as admin:
            yield sb, admin
    finally:
        await sb.stop()


async def test_snapshot_to_an_unwritable_path(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    async with own_sandbox(state_dir=tmp_path) as (_, admin):
        invalid(await admin.post("snapshot", json={"path": "a-file/snap.json"}), "data.path",
                "cannot write the snapshot")


async def test_snapshot_round_trip(tmp_path: Path) -> None:
    async with own_sandbox(state_dir=tmp_path / "snaps") as (_, admin):
        sent = ok(await admin.post("simulate", json={"action": "conversation", "text": "hi"}))
        data = ok(await admin.post("snapshot", json={"path": "snap.json"}))
    target = tmp_path / "snaps" / "snap.json"
    assert data == {"path": str(target)}
    assert target.stat().st_mode & 0o777 == 0o600  # it holds the token key
    restored = snapshot.load(target)
    conv = restored.conversations[sent["session_id"]]
    assert conv.messages[-1].fingerprint == sent["fingerprint"]


async def test_snapshot_to_the_configured_state_file(tmp_path: Path) -> None:
    async with own_sandbox(state_file=tmp_path / "state.json") as (_, admin):
        data = ok(await admin.post("snapshot", json={}))
        # The state file's directory is the state directory: a name goes next to it.
        beside = ok(await admin.post("snapshot", json={"path": "beside.json"}))
    assert data == {"path": str(tmp_path / "state.json")}
    assert beside == {"path": str(tmp_path / "beside.json")}
    assert (tmp_path / "state.json").exists() and (tmp_path / "beside.json").exists()


async def test_subscription_toggle(sandbox: Sandbox, api: httpx.AsyncClient,
                                   admin: httpx.AsyncClient, rtm: Factory) -> None:
    probe = await rtm()
    await probe.authenticate(["plugin:subscription:updated"])
    website_id = sandbox.state.subscribed_website_ids()[0]
    conversations = f"website/{website_id}/conversations/1"
    assert (await api.get(conversations)).status_code == 200

    data = ok(await admin.post(f"websites/{website_id}/subscription", json={"bound": False}))
    assert data == {"website_id": website_id, "bound": False}
    resp = await api.get(conversations)
    assert (resp.status_code, resp.json()["reason"]) == (404, "not_subscribed")
    _, event = await probe.wait_for(lambda n, d: n == "plugin:subscription:updated")
    assert (event["website_id"], event["bound"]) == (website_id, False)

    ok(await admin.post(f"websites/{website_id}/subscription", json={"bound": True}))
    assert (await api.get(conversations)).status_code == 200

    resp = await admin.post("websites/nope/subscription", json={"bound": True})
    assert (resp.status_code, resp.json()["reason"]) == (404, "not_found")
    invalid(await admin.post(f"websites/{website_id}/subscription", json={}), "bound")
    invalid(await admin.post(f"websites/{website_id}/subscription", json={"bound": "no"}),
            "data.bound")


async def test_faults_reset_route(admin: httpx.AsyncClient) -> None:
    ok(await admin.patch("faults", json={"error_rate": 1, "daily_quota": 7, "seed": 3}))
    data = ok(await admin.post("faults/reset"))
    assert (data["error_rate"], data["daily_quota"]) == (0, 5000)
    assert "seed" not in data

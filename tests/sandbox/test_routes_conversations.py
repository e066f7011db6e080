"""Conversation routes other than the list: get/check/create/remove, state, routing, meta,
block, inbox, pages/events/files, and their RTM events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe
from tests.sandbox.conv_helpers import (
    busiest,
    conv_url,
    data_of,
    error_of,
    probe_for,
    unsubscribed_website_id,
    website_id,
)


async def event_for(probe: RtmProbe, name: str, conv: Conversation) -> dict[str, Any]:
    _, data = await probe.wait_for(
        lambda n, d: n == name and isinstance(d, dict) and d.get("session_id") == conv.session_id)
    assert data["website_id"] == conv.website_id
    assert "inbox_id" in data
    return dict(data)


@pytest.mark.asyncio
async def test_get_and_head_conversation(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    got = data_of(await api.get(conv_url(conv)))
    assert got == conv.to_payload()
    assert got["session_id"] == conv.session_id
    assert isinstance(got["updated_at"], int)
    head = await api.head(conv_url(conv))
    assert head.status_code == 200
    assert head.content == b""
    missing = f"website/{conv.website_id}/conversation/session_nope"
    assert (await api.head(missing)).status_code == 404
    assert "conversation" in error_of(await api.get(missing), 404, "session_not_found")


@pytest.mark.asyncio
async def test_wrong_website_and_unsubscribed_website(sandbox: Sandbox,
                                                      api: httpx.AsyncClient) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    other = next(w for w in sandbox.state.subscribed_website_ids() if w != conv.website_id)
    resp = await api.get(f"website/{other}/conversation/{conv.session_id}")
    error_of(resp, 404, "session_not_found")
    unsub = unsubscribed_website_id(sandbox)
    assert not sandbox.state.websites[unsub].subscribed
    for method, tail in (("GET", "/conversations/1"), ("POST", "/conversation"),
                         ("GET", f"/conversation/{conv.session_id}"),
                         ("PATCH", f"/conversation/{conv.session_id}/state"),
                         ("GET", f"/conversation/{conv.session_id}/messages")):
        resp = await api.request(method, f"website/{unsub}{tail}", json={"state": "resolved"})
        error_of(resp, 404, "not_subscribed")
    error_of(await api.get("website/no-such-site/conversations/1"), 404, "website_not_found")


@pytest.mark.asyncio
async def test_create_and_remove(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    wid = website_id(sandbox)
    probe = await probe_for(rtm, "session:removed")
    for body in (b"{}", b""):
        created = data_of(await api.post(f"website/{wid}/conversation", content=body), 201,
                          "added")
        sid = created["session_id"]
        assert sid.startswith("session_")
        conv = sandbox.state.conversations[sid]
        assert conv.website_id == wid
        assert not conv.messages
        assert data_of(await api.get(conv_url(conv)))["state"] == "pending"
        assert data_of(await api.delete(conv_url(conv)), 200, "deleted") == {}
        assert sid not in sandbox.state.conversations
        await event_for(probe, "session:removed", conv)
        error_of(await api.delete(conv_url(conv)), 404, "session_not_found")
    bad = await api.post(f"website/{wid}/conversation", content=b"[1,2]")
    assert error_of(bad, 400, "invalid_data").startswith("data")


@pytest.mark.asyncio
async def test_state_route(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    probe = await probe_for(rtm, "session:set_state")
    assert data_of(await api.get(conv_url(conv, "/state"))) == {"state": conv.state}
    target = "resolved" if conv.state != "resolved" else "unresolved"
    resp = await api.patch(conv_url(conv, "/state"), json={"state": target})
    assert data_of(resp, 200, "updated") == {}
    assert (await event_for(probe, "session:set_state", conv))["state"] == target
    assert data_of(await api.get(conv_url(conv, "/state"))) == {"state": target}
    bad = await api.patch(conv_url(conv, "/state"), json={"state": "closed"})
    assert error_of(bad, 400, "invalid_data").startswith("data.state")
    error_of(await api.patch(conv_url(conv, "/state"), json={}), 400, "invalid_data")


@pytest.mark.asyncio
async def test_routing_route(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    op = sandbox.state.operators[-1]
    probe = await probe_for(rtm, "session:set_routing")
    resp = await api.patch(conv_url(conv, "/routing"), json={"assigned": {"user_id": op.user_id}})
    data_of(resp, 200, "updated")
    event = await event_for(probe, "session:set_routing", conv)
    assert event["routing_id"] == op.user_id
    assert data_of(await api.get(conv_url(conv, "/routing"))) == {
        "assigned": {"user_id": op.user_id}}
    assert data_of(await api.get(conv_url(conv)))["assigned"] == {"user_id": op.user_id}
    probe.received.clear()
    data_of(await api.patch(conv_url(conv, "/routing"), json={"assigned": None}), 200, "updated")
    event = await event_for(probe, "session:set_routing", conv)
    assert event["routing_id"] is None
    assert event["previous_routing_id"] == op.user_id
    assert data_of(await api.get(conv_url(conv, "/routing"))) == {"assigned": {}}
    unknown = await api.patch(conv_url(conv, "/routing"),
                              json={"assigned": {"user_id": "not-an-operator"}})
    assert error_of(unknown, 400, "invalid_data").startswith("data.assigned.user_id")
    assert conv.assigned is None


@pytest.mark.asyncio
async def test_meta_route(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    probe = await probe_for(rtm, "session:set_email", "session:set_nickname",
                            "session:set_segments", "session:set_data")
    meta = data_of(await api.get(conv_url(conv, "/meta")))
    assert isinstance(meta["segments"], list)
    assert isinstance(meta["data"], dict)
    patch = {"email": "new.address@example.com", "nickname": "Renamed Visitor",
             "segments": ["a", "b"], "data": {"plan": "gold", "seats": 3, "trial": False}}
    data_of(await api.patch(conv_url(conv, "/meta"), json=patch), 200, "updated")
    assert (await event_for(probe, "session:set_email", conv))["email"] == patch["email"]
    assert (await event_for(probe, "session:set_nickname", conv))["nickname"] == "Renamed Visitor"
    assert (await event_for(probe, "session:set_segments", conv))["segments"] == ["a", "b"]
    assert (await event_for(probe, "session:set_data", conv))["data"] == patch["data"]
    after = data_of(await api.get(conv_url(conv, "/meta")))
    assert {k: after[k] for k in patch} == patch
    for body, field in (({"email": "not-an-email"}, "data.email"),
                        ({"segments": "vip"}, "data.segments"),
                        ({"data": {"nested": {"x": 1}}}, "data.data.nested"),
                        ({"colour": "red"}, "data")):
        message = error_of(await api.patch(conv_url(conv, "/meta"), json=body), 400,
                           "invalid_data")
        assert message.startswith(field), message
    assert conv.meta["email"] == patch["email"]


@pytest.mark.asyncio
async def test_block_route(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    probe = await probe_for(rtm, "session:set_block")
    assert data_of(await api.get(conv_url(conv, "/block"))) == {"blocked": conv.is_blocked}
    data_of(await api.patch(conv_url(conv, "/block"), json={"blocked": True}), 200, "updated")
    assert (await event_for(probe, "session:set_block", conv))["is_blocked"] is True
    assert data_of(await api.get(conv_url(conv, "/block"))) == {"blocked": True}
    assert data_of(await api.get(conv_url(conv)))["is_blocked"] is True
    bad = await api.patch(conv_url(conv, "/block"), json={"blocked": "yes"})
    assert error_of(bad, 400, "invalid_data").startswith("data.blocked")


@pytest.mark.asyncio
async def test_inbox_route(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    previous = conv.inbox_id
    probe = await probe_for(rtm, "session:set_inbox")
    resp = await api.patch(conv_url(conv, "/inbox"), json={"inbox_id": "inbox_sales"})
    data_of(resp, 200, "updated")
    event = await event_for(probe, "session:set_inbox", conv)
    assert (event["inbox_id"], event["previous_inbox_id"]) == ("inbox_sales", previous)
    assert data_of(await api.get(conv_url(conv)))["inbox_id"] == "inbox_sales"
    data_of(await api.patch(conv_url(conv, "/inbox"), json={"inbox_id": None}), 200, "updated")
    assert conv.inbox_id is None
    bad = await api.patch(conv_url(conv, "/inbox"), json={"inbox_id": 7})
    assert error_of(bad, 400, "invalid_data").startswith("data.inbox_id")


def newest(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    indexed = sorted(enumerate(items), key=lambda p: (p[1]["timestamp"], p[0]), reverse=True)
    return [item for _, item in indexed]


@pytest.mark.asyncio
async def test_pages_events_files_are_paged_newest_first(sandbox: Sandbox,
                                                         api: httpx.AsyncClient) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    state = sandbox.state
    base = state.clock()
    state.sync_pages(conv, [{"page_title": f"Page {i}", "page_url": f"https://x.example/{i}",
                             "page_referrer": "", "timestamp": base + i} for i in range(25)])
    conv.events.extend({"text": f"Event {i}", "data": {}, "color": "blue",
                        "timestamp": base + i} for i in range(23))
    for i in range(21):
        state.add_message(conv, type="file", from_="user", origin="chat",
                          content={"name": f"f{i}.png", "url": f"https://x.example/f{i}.png",
                                   "type": "image/png"}, user=conv.visitor)
    for tail, items in (("/pages", conv.pages), ("/events", conv.events),
                        ("/files", conv.files)):
        expected = newest(items)
        got: list[dict[str, Any]] = []
        page = 1
        while batch := data_of(await api.get(conv_url(conv, f"{tail}/{page}"))):
            assert len(batch) <= 20
            got.extend(batch)
            page += 1
        assert page == (len(expected) + 19) // 20 + 1, tail
        assert got == expected, tail
    assert {f["name"] for f in data_of(await api.get(conv_url(conv, "/files/1")))} >= {
        "f20.png"}
    error_of(await api.get(conv_url(conv, "/pages/zero")), 400, "invalid_data")

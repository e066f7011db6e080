"""Compose, read, delivered and unread routes, and the RTM events they emit."""

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
    website_id,
)


async def next_event(probe: RtmProbe, name: str, conv: Conversation) -> dict[str, Any]:
    """The first ``name`` event of ``conv`` not yet consumed (consumed ones are dropped)."""
    found = await probe.wait_for(lambda n, d: n == name and d.get("session_id") == conv.session_id)
    probe.received.remove(found)
    data = dict(found[1])
    assert data["website_id"] == conv.website_id
    assert "inbox_id" in data
    return data


def mixed(sb: Sandbox) -> Conversation:
    """A conversation with messages from both sides."""
    state = sb.state
    conv = busiest(sb, website_id(sb))
    state.add_message(conv, type="text", from_="operator", origin="chat", content="hi",
                      user=state.operators[0].user())
    state.add_message(conv, type="text", from_="user", origin="chat", content="hello",
                      user=conv.visitor)
    state.add_message(conv, type="text", from_="user", origin="chat", content="anyone?",
                      user=conv.visitor)
    return conv


@pytest.mark.asyncio
async def test_compose(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    probe = await probe_for(rtm, "message:compose:receive", "message:compose:send")
    url = conv_url(conv, "/compose")
    start = {"type": "start", "from": "operator", "excerpt": "Let me check"}
    data_of(await api.patch(url, json=start), 200, "updated")
    event = await next_event(probe, "message:compose:receive", conv)
    assert (event["type"], event["excerpt"]) == ("start", "Let me check")
    assert isinstance(event["timestamp"], int)
    assert event["user"]["user_id"] == sandbox.state.operators[0].user_id
    assert data_of(await api.get(conv_url(conv)))["compose"]["operator"]["type"] == "start"
    data_of(await api.patch(url, json={"type": "stop", "from": "operator"}), 200, "updated")
    assert (await next_event(probe, "message:compose:receive", conv))["type"] == "stop"
    assert "operator" not in data_of(await api.get(conv_url(conv)))["compose"]
    data_of(await api.patch(url, json={"type": "start", "from": "user", "excerpt": "I wa"}),
            200, "updated")
    event = await next_event(probe, "message:compose:send", conv)
    assert (event["type"], event["excerpt"]) == ("start", "I wa")
    assert "user" not in event
    stealth = {"type": "start", "from": "operator", "stealth": True}
    data_of(await api.patch(url, json=stealth), 200, "updated")
    await probe.settle()
    assert "message:compose:receive" not in probe.names()
    for body, field in (({"type": "pause", "from": "user"}, "data.type"),
                        ({"type": "start"}, "data should have required property '.from'"),
                        ({"type": "start", "from": "user", "excerpt": 3}, "data.excerpt")):
        message = error_of(await api.patch(url, json=body), 400, "invalid_data")
        assert message.startswith(field), message


@pytest.mark.asyncio
async def test_read(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = mixed(sandbox)
    probe = await probe_for(rtm, "message:acknowledge:read:received",
                            "message:acknowledge:read:send")
    url = conv_url(conv, "/read")
    visitor_fps = [m.fingerprint for m in conv.messages if m.from_ == "user"]
    one = visitor_fps[-1]
    data_of(await api.patch(url, json={"from": "operator", "origin": "chat",
                                       "fingerprints": [one]}), 200, "updated")
    event = await next_event(probe, "message:acknowledge:read:received", conv)
    assert (event["origin"], event["fingerprints"]) == ("chat", [one])
    assert conv.by_fp[one].read == "chat"
    data_of(await api.patch(url, json={"from": "operator", "origin": "chat"}), 200, "updated")
    event = await next_event(probe, "message:acknowledge:read:received", conv)
    assert event["fingerprints"] == visitor_fps
    assert data_of(await api.get(conv_url(conv)))["unread"]["operator"] == 0
    data_of(await api.patch(url, json={"from": "user", "origin": "chat"}), 200, "updated")
    event = await next_event(probe, "message:acknowledge:read:send", conv)
    assert event["fingerprints"] == [m.fingerprint for m in conv.messages
                                     if m.from_ == "operator"]
    assert data_of(await api.get(conv_url(conv)))["unread"]["visitor"] == 0
    for body, field in (({"from": "operator"}, "data should have required property '.origin'"),
                        ({"from": "operator", "origin": "chat", "fingerprints": ["x"]},
                         "data.fingerprints[0]"),
                        ({"from": "nobody", "origin": "chat"}, "data.from")):
        message = error_of(await api.patch(url, json=body), 400, "invalid_data")
        assert message.startswith(field), message


@pytest.mark.asyncio
async def test_delivered(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = mixed(sandbox)
    probe = await probe_for(rtm, "message:acknowledge:delivered")
    operator_fps = [m.fingerprint for m in conv.messages if m.from_ == "operator"]
    body = {"from": "user", "origin": "chat", "fingerprints": operator_fps[-1:]}
    data_of(await api.patch(conv_url(conv, "/delivered"), json=body), 200, "updated")
    event = await next_event(probe, "message:acknowledge:delivered", conv)
    assert (event["origin"], event["fingerprints"]) == ("chat", operator_fps[-1:])
    got = data_of(await api.get(conv_url(conv, f"/message/{operator_fps[-1]}")))
    assert got["delivered"] == "chat"
    bad = await api.patch(conv_url(conv, "/delivered"), json={"origin": "chat"})
    assert "'.from'" in error_of(bad, 400, "invalid_data")


@pytest.mark.asyncio
async def test_unread(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = mixed(sandbox)
    sandbox.state.acknowledge(conv, kind="read", from_="operator", origin="chat",
                              fingerprints=None)
    assert conv.unread_operator == 0
    probe = await probe_for(rtm, "message:acknowledge:unread:send")
    data_of(await api.patch(conv_url(conv, "/unread"), json={"from": "operator"}), 200,
            "updated")
    event = await next_event(probe, "message:acknowledge:unread:send", conv)
    assert isinstance(event["fingerprints"], list)
    assert data_of(await api.get(conv_url(conv)))["unread"]["operator"] >= 1
    bad = await api.patch(conv_url(conv, "/unread"), json={"from": "robot"})
    assert error_of(bad, 400, "invalid_data").startswith("data.from")
    missing = f"website/{conv.website_id}/conversation/session_missing/unread"
    error_of(await api.patch(missing, json={"from": "operator"}), 404, "session_not_found")

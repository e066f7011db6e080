"""Message routes: history cursors, send (events, idempotency, validation), get/edit/remove."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.routes_messages import AROUND_SIDE, MESSAGE_BATCH
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe
from tests.sandbox.conv_helpers import (
    conv_url,
    data_of,
    error_of,
    open_conversation,
    probe_for,
    website_id,
)

EVENT_KEYS = {"website_id", "session_id", "inbox_id", "type", "from", "origin", "content",
              "fingerprint", "timestamp", "user"}


def long_history(sb: Sandbox, count: int, *, step: int = 1, group: int = 1) -> Conversation:
    """A new conversation of ``count`` messages; ``group`` consecutive ones share a time."""
    state = sb.state
    conv = state.create_conversation(website_id(sb))
    base = state.clock() - count * 1000
    op = state.operators[0].user()
    for i in range(count):
        from_ = "user" if i % 3 else "operator"
        state.add_message(conv, type="text", from_=from_, origin="chat", content=f"m{i}",
                          user=conv.visitor if from_ == "user" else op,
                          timestamp=base + (i // group) * step)
    return conv


async def history(api: httpx.AsyncClient, conv: Conversation, **params: Any) -> list[dict]:
    resp = await api.get(conv_url(conv, "/messages"), params=params)
    # partial_content (strict): 206 while older messages exist before the batch.
    fingerprints = [m.fingerprint for m in conv.messages]
    listed = resp.json()["data"] if resp.status_code in (200, 206) else []
    first = fingerprints.index(listed[0]["fingerprint"]) if listed else None
    expected = resp.status_code if first is None else 206 if first > 0 else 200
    batch = data_of(resp, expected)
    stamps = [m["timestamp"] for m in batch]
    assert stamps == sorted(stamps), "a batch is oldest first"
    return list(batch)


def fps(msgs: list[dict[str, Any]]) -> list[int]:
    return [m["fingerprint"] for m in msgs]


@pytest.mark.asyncio
@pytest.mark.parametrize("group", [1, 7])
# About paging forwards from the oldest batch (after_newest off); test_strict_rest.py pages
# with the strict reading.
@pytest.mark.sandbox_config(behaviours=strict_except("after_newest"))
async def test_paging_backwards_and_forwards_covers_history(
        sandbox: Sandbox, api: httpx.AsyncClient, group: int) -> None:
    conv = long_history(sandbox, 3 * MESSAGE_BATCH + 11, group=group)
    everything = [m.fingerprint for m in conv.messages]
    latest = await history(api, conv)
    assert fps(latest) == everything[-len(latest):]
    assert len(latest) >= MESSAGE_BATCH
    backwards: list[int] = []
    batch = latest
    while batch:
        assert len(batch) <= MESSAGE_BATCH + group  # a batch only grows to finish a run
        backwards = fps(batch) + backwards
        batch = await history(api, conv, timestamp_before=batch[0]["timestamp"])
    assert backwards == everything
    forwards: list[int] = []
    batch = await history(api, conv, timestamp_after=0)
    while batch:
        forwards += fps(batch)
        batch = await history(api, conv, timestamp_after=batch[-1]["timestamp"])
    assert forwards == everything


@pytest.mark.asyncio
async def test_before_after_around_windows(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, step=10)
    msgs = conv.messages
    mid = msgs[MESSAGE_BATCH]
    before = await history(api, conv, timestamp_before=mid.timestamp)
    assert fps(before) == [m.fingerprint for m in msgs[:MESSAGE_BATCH]]
    after = await history(api, conv, timestamp_after=mid.timestamp)
    # after_newest (strict): the newest batch after the cursor, not the oldest.
    assert fps(after) == [m.fingerprint for m in msgs[-MESSAGE_BATCH:]]
    around = await history(api, conv, timestamp_around=mid.timestamp)
    i = MESSAGE_BATCH
    assert fps(around) == [m.fingerprint for m in msgs[i - AROUND_SIDE:i + AROUND_SIDE + 1]]
    between = await history(api, conv, timestamp_after=msgs[2].timestamp,
                            timestamp_before=msgs[6].timestamp)
    assert fps(between) == [m.fingerprint for m in msgs[3:6]]
    assert await history(api, conv, timestamp_before=msgs[0].timestamp) == []
    assert await history(api, conv, timestamp_after=msgs[-1].timestamp) == []
    for params in ({"timestamp_before": "soon"}, {"timestamp_after": "-5"},
                   {"timestamp_around": "1.5"},
                   {"timestamp_around": "1", "timestamp_before": "2"}):
        resp = await api.get(conv_url(conv, "/messages"), params=params)
        message = error_of(resp, 400, "invalid_data")
        assert message.startswith(next(iter(params))), message


async def sent(probe: RtmProbe, name: str, fingerprint: int) -> dict[str, Any]:
    _, data = await probe.wait_for(lambda n, d: n == name and d.get("fingerprint") == fingerprint)
    return dict(data)


def sent_fingerprints(probe: RtmProbe) -> list[int]:
    return [d["fingerprint"] for n, d in probe.received
            if n in ("message:send", "message:received")]


@pytest.mark.asyncio
async def test_send_emits_received_and_send(sandbox: Sandbox, api: httpx.AsyncClient,
                                            rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:send", "message:received")
    first_op = sandbox.state.operators[0]
    text = {"type": "text", "from": "operator", "origin": "chat", "content": "Hello!"}
    file = {"type": "file", "from": "user", "origin": "chat",
            "content": {"name": "a.pdf", "url": "https://x.example/a.pdf",
                        "type": "application/pdf"}}
    cases: list[tuple[dict[str, Any], str, str]] = [
        (text, "message:received", first_op.user_id),
        (file, "message:send", conv.session_id),
    ]
    for body, event, user_id in cases:
        resp = await api.post(conv_url(conv, "/message"), json=body)
        fingerprint = data_of(resp, 202, "dispatched")["fingerprint"]
        assert isinstance(fingerprint, int)
        assert 0 < fingerprint < 2**53
        data = await sent(probe, event, fingerprint)
        assert set(data) >= EVENT_KEYS
        assert (data["session_id"], data["website_id"]) == (conv.session_id, conv.website_id)
        assert (data["type"], data["from"], data["content"]) == (
            body["type"], body["from"], body["content"])
        assert isinstance(data["timestamp"], int)
        assert data["user"]["user_id"] == user_id
        stored = data_of(await api.get(conv_url(conv, f"/message/{fingerprint}")))
        assert stored["content"] == body["content"]
        assert stored["user"] == data["user"]
        assert conv.last() is conv.by_fp[fingerprint]


@pytest.mark.asyncio
async def test_send_with_options(sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:received")
    op = sandbox.state.operators[-1]
    body = {"type": "note", "from": "operator", "origin": "urn:acme:crm:0", "content": "fyi",
            "user": {"type": "website", "nickname": "Bot", "avatar": "https://x.example/b.png",
                     "user_id": op.user_id},
            "mentions": [op.user_id], "properties": {"k": 1}, "automated": True}
    fp = data_of(await api.post(conv_url(conv, "/message"), json=body), 202,
                 "dispatched")["fingerprint"]
    data = await sent(probe, "message:received", fp)
    assert data["user"] == {"type": "website", "user_id": op.user_id, "nickname": "Bot",
                            "avatar": "https://x.example/b.png"}
    assert (data["mentions"], data["automated"], data["origin"]) == (
        [op.user_id], True, "urn:acme:crm:0")
    assert op.user_id in data_of(await api.get(conv_url(conv)))["mentions"]
    stealth = {"type": "text", "from": "operator", "origin": "chat", "content": "quiet",
               "stealth": True}
    quiet = data_of(await api.post(conv_url(conv, "/message"), json=stealth), 202,
                    "dispatched")["fingerprint"]
    await probe.settle()
    assert quiet in conv.by_fp
    assert quiet not in sent_fingerprints(probe)


@pytest.mark.asyncio
# About the lenient reading (duplicate_fingerprints off); test_strict_rest.py has the strict.
@pytest.mark.sandbox_config(behaviours=strict_except("duplicate_fingerprints"))
async def test_client_fingerprint_is_idempotent(sandbox: Sandbox, api: httpx.AsyncClient,
                                                rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:received", "message:send")
    count = len(conv.messages)
    body = {"type": "text", "from": "operator", "origin": "chat", "content": "once",
            "fingerprint": 424242424242424}
    first = await api.post(conv_url(conv, "/message"), json=body)
    second = await api.post(conv_url(conv, "/message"), json={**body, "content": "twice"})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json() == {
        "error": False, "reason": "dispatched", "data": {"fingerprint": 424242424242424}}
    await probe.settle()
    assert len(conv.messages) == count + 1
    assert conv.by_fp[424242424242424].content == "once"
    assert sent_fingerprints(probe).count(424242424242424) == 1
    # Removing the message does not let a retried send resurrect it.
    data_of(await api.delete(conv_url(conv, "/message/424242424242424")), 200, "deleted")
    again = await api.post(conv_url(conv, "/message"), json=body)
    assert again.json() == first.json()
    assert 424242424242424 not in conv.by_fp
    # A client fingerprint equal to an existing server message is a repeat too.
    existing = conv.messages[0]
    clash = await api.post(conv_url(conv, "/message"),
                           json={**body, "fingerprint": existing.fingerprint})
    assert data_of(clash, 202, "dispatched") == {"fingerprint": existing.fingerprint}
    assert len(conv.messages) == count
    assert conv.by_fp[existing.fingerprint] is existing


@pytest.mark.asyncio
async def test_send_rejections_name_the_field(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    ok = {"type": "text", "from": "operator", "origin": "chat", "content": "x"}
    count = len(conv.messages)
    cases: list[tuple[dict[str, Any], str]] = [
        ({k: v for k, v in ok.items() if k != "content"}, "data should have required property"),
        ({**ok, "type": "video"}, "data.type"),
        ({**ok, "from": "bot"}, "data.from"),
        ({**ok, "origin": "web"}, "data.origin"),
        ({**ok, "content": {"text": "x"}}, "data.content should be string"),
        ({**ok, "type": "file", "content": {"url": "u", "type": "t"}},
         "data.content should have required property '.name'"),
        ({**ok, "type": "file", "content": {"name": 1, "url": "u", "type": "t"}},
         "data.content.name"),
        ({**ok, "type": "audio", "content": {"url": "u", "type": "audio/ogg"}},
         "data.content should have required property '.duration'"),
        ({**ok, "type": "picker", "content": {"id": "p", "text": "?", "choices": [
            {"value": "a", "label": "A"}]}}, "data.content.choices[0]"),
        ({**ok, "type": "event", "content": {"text": "x"}}, "data.content"),
        ({**ok, "type": "carousel", "content": {"text": "x", "targets": []}},
         "data.content.targets"),
        ({**ok, "fingerprint": 2**53}, "data.fingerprint"),
        ({**ok, "fingerprint": "12"}, "data.fingerprint"),
        ({**ok, "user": {"type": "robot"}},
         "data.user.type should be equal to one of the allowed values"),
        ({**ok, "mentions": "everyone"}, "data.mentions"),
        ({**ok, "colour": "red"}, "data should NOT have additional properties"),
        ({**ok, "type": "note", "from": "user"}, "data.from"),
    ]
    for body, expected in cases:
        resp = await api.post(conv_url(conv, "/message"), json=body)
        message = error_of(resp, 400, "invalid_data")
        assert message.startswith(expected), (body, message)
    bad_json = await api.post(conv_url(conv, "/message"), content=b"{nope")
    error_of(bad_json, 400, "invalid_data")
    assert len(conv.messages) == count


@pytest.mark.asyncio
async def test_blocked_conversation_refuses_visitor(sandbox: Sandbox,
                                                    api: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    sandbox.state.set_block(conv, True)
    visitor = {"type": "text", "from": "user", "origin": "chat", "content": "let me in"}
    error_of(await api.post(conv_url(conv, "/message"), json=visitor), 403, "not_allowed")
    operator = {**visitor, "from": "operator"}
    data_of(await api.post(conv_url(conv, "/message"), json=operator), 202, "dispatched")


@pytest.mark.asyncio
async def test_get_update_remove_message(sandbox: Sandbox, api: httpx.AsyncClient,
                                         rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:updated", "message:removed")
    msg = next(m for m in reversed(conv.messages) if m.type == "text")
    url = conv_url(conv, f"/message/{msg.fingerprint}")
    assert data_of(await api.get(url)) == msg.to_payload(conv.website_id, conv.session_id)
    assert (await api.head(url)).status_code == 200
    data_of(await api.patch(url, json={"content": "edited text"}), 200, "updated")
    _, event = await probe.wait_for(lambda n, d: n == "message:updated")
    assert (event["session_id"], event["fingerprint"], event["content"]) == (
        conv.session_id, msg.fingerprint, "edited text")
    got = data_of(await api.get(url))
    assert (got["content"], got["edited"]) == ("edited text", True)
    wrong = await api.patch(url, json={"content": {"name": "x"}})
    assert error_of(wrong, 400, "invalid_data").startswith("data.content")
    error_of(await api.patch(url, json={}), 400, "invalid_data")
    data_of(await api.delete(url), 200, "deleted")
    _, event = await probe.wait_for(lambda n, d: n == "message:removed")
    assert (event["session_id"], event["fingerprint"]) == (conv.session_id, msg.fingerprint)
    assert msg.fingerprint not in conv.by_fp
    for bad in (url, conv_url(conv, "/message/abc"), conv_url(conv, "/message/-1")):
        error_of(await api.get(bad), 404, "message_not_found")
        error_of(await api.delete(bad), 404, "message_not_found")
    assert (await api.head(url)).status_code == 404
    error_of(await api.get(f"website/{conv.website_id}/conversation/session_x/message/1"),
             404, "session_not_found")


@pytest.mark.asyncio
async def test_every_content_shape_of_the_dataset_is_accepted(sandbox: Sandbox,
                                                               api: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    samples = {m.type: m.content for c in sandbox.state.conversations.values()
               for m in c.messages}
    samples.setdefault("text", "plain")
    for kind, content in sorted(samples.items()):
        body = {"type": kind, "from": "operator", "origin": "chat", "content": content}
        fp = data_of(await api.post(conv_url(conv, "/message"), json=body), 202,
                     "dispatched")["fingerprint"]
        url = conv_url(conv, f"/message/{fp}")
        assert data_of(await api.get(url))["type"] == kind
        data_of(await api.patch(url, json={"content": content}), 200, "updated")

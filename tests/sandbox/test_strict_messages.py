"""The strict profile's message behaviours (crisp-api.md §10 rows 4, 5 and 9), each with its
switch on and off: repeated fingerprints, which batch ``timestamp_after`` answers, and 206
while older messages exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from crisp_console.sandbox import snapshot
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.routes_messages import MESSAGE_BATCH
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conv_helpers import conv_url, data_of, error_of, open_conversation, probe_for
from tests.sandbox.test_routes_messages import long_history

pytestmark = pytest.mark.asyncio

FP = 424_242_424_242_424


def note(content: str, **extra: Any) -> dict[str, Any]:
    return {"type": "note", "from": "operator", "origin": "chat", "content": content,
            "fingerprint": FP, **extra}


async def send(api: httpx.AsyncClient, conv: Conversation, body: dict[str, Any]) -> None:
    resp = await api.post(conv_url(conv, "/message"), json=body)
    assert data_of(resp, 202, "dispatched") == {"fingerprint": body["fingerprint"]}


def twins(conv: Conversation) -> list[str]:
    return [m.content for m in conv.messages if m.fingerprint == FP]


# ---- 4. duplicate_fingerprints ---------------------------------------------------------------


async def test_a_repeated_fingerprint_stores_a_second_message(
        sandbox: Sandbox, api: httpx.AsyncClient, rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:received")
    await send(api, conv, note("once"))
    await send(api, conv, note("twice"))
    assert twins(conv) == ["once", "twice"]
    await probe.wait_for(lambda n, d: n == "message:received" and d["content"] == "twice")
    assert [d["content"] for n, d in probe.received
            if n == "message:received" and d["fingerprint"] == FP] == ["once", "twice"]
    listed = (await api.get(conv_url(conv, "/messages"))).json()["data"]
    assert [m["content"] for m in listed if m["fingerprint"] == FP] == ["once", "twice"]
    # By fingerprint, the first of the twins in history order answers, is edited, is removed.
    url = conv_url(conv, f"/message/{FP}")
    assert data_of(await api.get(url))["content"] == "once"
    data_of(await api.patch(url, json={"content": "edited"}), 200, "updated")
    assert twins(conv) == ["edited", "twice"]
    data_of(await api.delete(url), 200, "deleted")
    assert twins(conv) == ["twice"]
    assert data_of(await api.get(url))["content"] == "twice"
    data_of(await api.delete(url), 200, "deleted")
    assert twins(conv) == []
    error_of(await api.get(url), 404, "message_not_found")
    # Even after a removal, a repeat stores again.
    await send(api, conv, note("thrice"))
    assert twins(conv) == ["thrice"]


async def test_twins_by_fingerprint_follow_history_order(sandbox: Sandbox,
                                                         api: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    await send(api, conv, note("later"))
    earlier = conv.messages[0].timestamp - 1
    await send(api, conv, note("earlier", timestamp=earlier))  # a client-dated past message
    assert twins(conv) == ["earlier", "later"]
    assert conv.by_fp[FP].content == "earlier"
    assert data_of(await api.get(conv_url(conv, f"/message/{FP}")))["content"] == "earlier"


async def test_twin_files_keep_their_own_entries(sandbox: Sandbox,
                                                 api: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    for name in ("a.pdf", "b.pdf"):
        await send(api, conv, {**note(""), "content": {
            "name": name, "url": f"https://x.example/{name}", "type": "application/pdf"},
            "type": "file"})
    files = [f["name"] for f in data_of(await api.get(conv_url(conv, "/files/1")))
             if f["fingerprint"] == FP]
    assert sorted(files) == ["a.pdf", "b.pdf"]
    data_of(await api.delete(conv_url(conv, f"/message/{FP}")), 200, "deleted")
    files = [f["name"] for f in data_of(await api.get(conv_url(conv, "/files/1")))
             if f["fingerprint"] == FP]
    assert files == ["b.pdf"]


async def test_twins_survive_a_snapshot(sandbox: Sandbox, api: httpx.AsyncClient,
                                        tmp_path: Path) -> None:
    conv = open_conversation(sandbox)
    for content in ("once", "twice"):
        await send(api, conv, note(content))
    path = tmp_path / "world.json"
    snapshot.dump(sandbox.state, path)
    loaded = snapshot.load(path).conversations[conv.session_id]
    assert twins(loaded) == ["once", "twice"]
    assert loaded.by_fp[FP].content == "once"
    loaded_state = snapshot.load(path)
    again = loaded_state.conversations[conv.session_id]
    loaded_state.remove_message(again, again.by_fp[FP])
    assert twins(again) == ["twice"] and again.by_fp[FP].content == "twice"


@pytest.mark.sandbox_config(behaviours=strict_except("duplicate_fingerprints"))
async def test_a_repeated_fingerprint_is_idempotent_when_off(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    await send(api, conv, note("once"))
    await send(api, conv, note("twice"))
    assert twins(conv) == ["once"]
    # The switch is read per request.
    resp = await admin.patch("profile", json={"behaviours": {"duplicate_fingerprints": True}})
    assert resp.status_code == 200
    await send(api, conv, note("thrice"))
    assert twins(conv) == ["once", "thrice"]


# ---- 5. after_newest -------------------------------------------------------------------------


async def batch(api: httpx.AsyncClient, conv: Conversation, **params: int) -> list[int]:
    resp = await api.get(conv_url(conv, "/messages"), params=params)
    assert resp.status_code in (200, 206), resp.text
    return [m["fingerprint"] for m in resp.json()["data"]]


async def test_after_answers_the_newest_batch(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, step=10)
    fps = [m.fingerprint for m in conv.messages]
    assert await batch(api, conv, timestamp_after=0) == fps[-MESSAGE_BATCH:]
    cursor = conv.messages[-6].timestamp
    assert await batch(api, conv, timestamp_after=cursor) == fps[-5:]
    # With timestamp_before too: the oldest batch between the two, as before.
    assert await batch(api, conv, timestamp_after=0,
                       timestamp_before=conv.messages[-1].timestamp) == fps[:MESSAGE_BATCH]


async def test_newest_after_batch_never_splits_a_run(sandbox: Sandbox,
                                                     api: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, group=7)
    fps = [m.fingerprint for m in conv.messages]
    got = await batch(api, conv, timestamp_after=0)
    start = fps.index(got[0])
    assert got == fps[start:]
    assert conv.messages[start - 1].timestamp != conv.messages[start].timestamp
    assert MESSAGE_BATCH <= len(got) < MESSAGE_BATCH + 7


@pytest.mark.sandbox_config(behaviours=strict_except("after_newest"))
async def test_after_answers_the_oldest_batch_when_off(sandbox: Sandbox,
                                                       api: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, step=10)
    fps = [m.fingerprint for m in conv.messages]
    assert await batch(api, conv, timestamp_after=0) == fps[:MESSAGE_BATCH]


# ---- 9. partial_content ----------------------------------------------------------------------


async def status(api: httpx.AsyncClient, conv: Conversation, **params: int) -> int:
    resp = await api.get(conv_url(conv, "/messages"), params=params)
    assert resp.json()["error"] is False and resp.json()["reason"] == "resolved"
    return resp.status_code


async def test_206_while_older_messages_exist(sandbox: Sandbox, api: httpx.AsyncClient,
                                              admin: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, step=10)
    msgs = conv.messages
    assert await status(api, conv) == 206
    assert await status(api, conv, timestamp_before=msgs[MESSAGE_BATCH + 1].timestamp) == 206
    assert await status(api, conv, timestamp_before=msgs[MESSAGE_BATCH].timestamp) == 200
    assert await status(api, conv, timestamp_before=msgs[0].timestamp) == 200  # empty, at start
    assert await status(api, conv, timestamp_around=msgs[0].timestamp) == 200
    assert await status(api, conv, timestamp_around=msgs[-1].timestamp) == 206
    short = long_history(sandbox, 3)
    empty = sandbox.state.create_conversation(short.website_id)
    assert await status(api, short) == 200
    assert await status(api, empty) == 200
    # The switch is read per request.
    resp = await admin.patch("profile", json={"behaviours": {"partial_content": False}})
    assert resp.status_code == 200
    assert await status(api, conv) == 200


@pytest.mark.sandbox_config(behaviours=strict_except("partial_content"))
async def test_always_200_when_off(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    conv = long_history(sandbox, 2 * MESSAGE_BATCH + 5, step=10)
    assert await status(api, conv) == 200
    assert await status(api, conv, timestamp_after=0) == 200

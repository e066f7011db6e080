"""The durable outbox against the strict sandbox, over loopback, on a real SQLite file: a crash
mid-send, an offline start, a quit with unsent actions. Every reply reaches the server
exactly once (the strict profile stores a repeated fingerprint twice), in order per
conversation; nothing is marked failed or dropped by quitting."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest

from crisp_console.client import QueuedError
from crisp_console.core import MessageStatus
from crisp_console.errors import ServerError
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.outbox import InlineRunner
from tests.client.conftest import FAST, make_client, until
from tests.client.outbox_helpers import (
    FreezableRunner,
    KillableTransport,
    conversations,
    offline_client,
    rows,
    stored,
)
from tests.sandbox.conftest import HeldSleep

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("stored_before_crash", [False, True])
async def test_a_reply_in_flight_at_a_crash_reaches_the_server_exactly_once(
        sandbox: Sandbox, admin: httpx.AsyncClient, tmp_path: Path,
        stored_before_crash: bool) -> None:
    path = tmp_path / "console.db"
    runner = FreezableRunner(path)
    transport = KillableTransport()
    first = make_client(sandbox, database=runner, transport=transport)
    await first.start()
    await until(lambda: not first.health.catching_up, what="the first client idle")
    (conv,) = conversations(sandbox, 1)
    held = HeldSleep()
    sandbox.faults.sleep = held
    await admin.patch("faults", json={"latency_ms": 1})  # every /v1 request is held
    sending = asyncio.ensure_future(first.replies.send_text(conv.session_id, "crash reply"))
    await held.until_held(1)  # the POST left: it is inside the server
    (row,) = await rows(path)
    assert (row.kind, row.state, row.body["content"]) == ("text", "sending", "crash reply")
    # The crash: nothing the first client does from now on reaches the server or the file.
    transport.kill()
    runner.freeze()
    faults = {"latency_ms": 0} if stored_before_crash else {"latency_ms": 0, "error_rate": 1.0}
    await admin.patch("faults", json=faults)
    identifier = sandbox.state.token.identifier
    used = sandbox.faults.quota(identifier)["used"]
    held.release()  # the held POST goes on: stored, or refused with an early 503
    await until(lambda: sandbox.faults.quota(identifier)["used"] == used + 1,
                what="the held POST answered")
    await admin.post("faults/reset")
    assert len(stored(conv, "crash reply")) == (1 if stored_before_crash else 0)

    second = make_client(sandbox, database=InlineRunner.open(path))
    try:
        await second.start()  # resumes the outbox
        echo = second.store.message(conv.session_id, row.fingerprint or 0)
        assert echo is not None and echo.content == "crash reply"
        assert await second.outbox.wait_sent() == 0
        assert stored(conv, "crash reply") == [(row.fingerprint, "crash reply")]
        mine = second.store.message(conv.session_id, row.fingerprint or 0)
        assert mine is not None and mine.status is MessageStatus.SENT
        # Read before posting (or Crisp's copy seen first): it may have left.
        assert second.sender.stats.reads + second.sender.stats.echoed >= 1
        assert second.sender.stats.posts == (0 if stored_before_crash else 1)
        assert await rows(path) == []
    finally:
        await second.aclose()
        sending.cancel()
        await first.aclose()


async def test_an_offline_start_queues_replies_that_go_in_order_when_crisp_returns(
        sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    a, b = conversations(sandbox, 2)
    client = await offline_client(sandbox, InlineRunner.open(path), [a, b])
    await sandbox.stop()  # no Crisp: connections are refused
    try:
        assert await client.outbox.resume() == 0
        with pytest.raises(QueuedError):
            await client.replies.send_text(a.session_id, "offline 0")
        for text, conv in [("offline 1", b), ("offline 2", a), ("offline 3", a)]:
            with pytest.raises(QueuedError):  # at once: Crisp is known to be away
                await client.replies.send_text(conv.session_id, text)
        with pytest.raises(QueuedError):
            await client.commands.resolve(a.session_id)
        assert client.store.conversations[a.session_id].state == "resolved"  # shown so
        shown = [m for c in (a, b) for m in client.store.messages(c.session_id)]
        assert len(shown) == 4
        for msg in shown:
            assert msg.status is MessageStatus.QUEUED
            assert (msg.error or "").startswith("Queued: Crisp cannot be reached")
        assert [r.state for r in await rows(path)] == ["queued"] * 5
        assert client.outbox.unsent_count() == 5
        await sandbox.start()  # Crisp is back: the probes get through
        assert await client.outbox.wait_sent() == 0
        assert [c for _, c in stored(a, "offline ")] == ["offline 0", "offline 2", "offline 3"]
        assert [c for _, c in stored(b, "offline ")] == ["offline 1"]
        assert a.state == "resolved"
        assert all(m.status is MessageStatus.SENT for m in shown)
        assert await rows(path) == []
    finally:
        await client.aclose()


async def test_quitting_keeps_unsent_actions_and_the_next_start_sends_them(
        sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    (conv,) = conversations(sandbox, 1)
    runner = InlineRunner.open(path)
    client = await offline_client(sandbox, runner, [conv])
    await sandbox.stop()
    for i in range(3):
        with pytest.raises(QueuedError):
            await client.replies.send_text(conv.session_id, f"kept {i}")
    with pytest.raises(QueuedError):
        await client.commands.assign(conv.session_id, sandbox.state.operators[0].user_id)
    assert client.outbox.unsent_count() == 4
    await client.aclose()  # quit: nothing is failed, nothing removed
    runner.close()
    kept = await rows(path)
    assert [(r.kind, r.state) for r in kept] == [("text", "queued")] * 3 + [("assign", "queued")]
    assert all(r.error.startswith(("Queued", "Not done yet")) for r in kept)

    await sandbox.start()
    again = make_client(sandbox, database=InlineRunner.open(path))
    try:
        assert await again.outbox.resume() == 4  # before start(): as after a warm start
        assert again.outbox.unsent_count() == 4
        await again.start()
        assert await again.outbox.resume() == 0  # once
        assert await again.outbox.wait_sent() == 0
        assert [c for _, c in stored(conv, "kept ")] == ["kept 0", "kept 1", "kept 2"]
        assert conv.assigned == sandbox.state.operators[0].user_id
        assert [f for f, _ in stored(conv, "kept ")] == [r.fingerprint for r in kept[:3]]
    finally:
        await again.aclose()


async def test_a_file_queued_before_its_upload_is_uploaded_and_sent_after_a_restart(
        sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    (conv,) = conversations(sandbox, 1)
    client = await offline_client(sandbox, InlineRunner.open(path), [conv])
    await sandbox.stop()
    payload = b"%PDF-1.4 queued invoice"
    with pytest.raises(QueuedError):
        await client.replies.send_file(conv.session_id, "invoice.pdf", "application/pdf",
                                       payload)
    await client.aclose()
    (row,) = await rows(path)
    assert (row.kind, row.data, row.state) == ("file", payload, "queued")

    await sandbox.start()
    again = make_client(sandbox, database=InlineRunner.open(path))
    try:
        await again.start()  # the live feed answers the bucket URL; the outbox resumes
        assert await again.outbox.wait_sent() == 0
        (sent,) = [m for m in conv.messages if m.type == "file"
                   and m.content.get("name") == "invoice.pdf"]
        assert sent.fingerprint == row.fingerprint
        async with httpx.AsyncClient() as http:
            assert (await http.get(sent.content["url"])).content == payload
        assert await rows(path) == []
    finally:
        await again.aclose()


async def test_waiting_for_all_sent_can_be_cancelled_without_cancelling_a_send(
        sandbox: Sandbox, tmp_path: Path) -> None:
    (conv,) = conversations(sandbox, 1)
    client = await offline_client(sandbox, InlineRunner.open(tmp_path / "console.db"), [conv])
    await sandbox.stop()
    try:
        with pytest.raises(QueuedError):
            await client.replies.send_text(conv.session_id, "patience")
        waiter = asyncio.ensure_future(client.outbox.wait_sent())
        await asyncio.sleep(0)
        waiter.cancel()  # the operator chose "quit" after all
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert client.outbox.unsent_count() == 1
        await sandbox.start()
        assert await client.outbox.wait_sent() == 0
        assert [c for _, c in stored(conv, "patience")] == ["patience"]
    finally:
        await client.aclose()


async def test_a_failed_reply_keeps_its_row_until_retried(
        sandbox: Sandbox, admin: httpx.AsyncClient, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    config = dataclasses.replace(FAST, send_retry_window=0.3)
    (conv,) = conversations(sandbox, 1)
    client = await offline_client(sandbox, InlineRunner.open(path), [conv], config=config)
    try:
        await admin.patch("faults", json={"error_rate": 1.0})  # Crisp answers, with 503s
        with pytest.raises(ServerError):
            await client.replies.send_text(conv.session_id, "retry me")
        (row,) = await rows(path)
        assert row.state == "failed" and row.error.startswith("Perhaps not sent")
        assert client.outbox.active_count() == 0 and client.outbox.unsent_count() == 1
        await admin.post("faults/reset")
        await client.replies.retry_send(conv.session_id, row.fingerprint or 0)
        assert stored(conv, "retry me") == [(row.fingerprint, "retry me")]
        assert await rows(path) == []
    finally:
        await client.aclose()


async def test_a_discarded_reply_leaves_the_thread_and_the_outbox(
        sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    (conv,) = conversations(sandbox, 1)
    client = await offline_client(sandbox, InlineRunner.open(path), [conv])
    await sandbox.stop()
    try:
        with pytest.raises(QueuedError):
            await client.replies.send_text(conv.session_id, "never mind")
        (item,) = client.outbox.unsent()
        assert await client.outbox.discard(item.id or 0)
        assert client.store.message(conv.session_id, item.fingerprint or 0) is None
        assert await rows(path) == []
        assert client.outbox.unsent_count() == 0
    finally:
        await client.aclose()
        await sandbox.start()

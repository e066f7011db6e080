"""The send path against the strict sandbox over loopback: concurrency, faults, bursts,
restarts and a spent quota. Exactly one stored message per send, none lost, none mixed up.

``SEND_CONCURRENT`` (default 4000) sets the concurrent sends of the first test; about 18 s
on two cores. scripts/soak_faults.py prints the same figures at a larger scale.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import pytest

from crisp_console.api.quota import next_midnight
from crisp_console.client import CommandNotAllowedError, ConsoleClient, QueuedError
from crisp_console.client.words import local_hhmm
from crisp_console.core import Message, MessageStatus
from crisp_console.errors import QuotaExceededError, ServerError
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FAST, make_client, until
from tests.client.test_commands import open_conv

pytestmark = pytest.mark.asyncio

CONCURRENT = int(os.environ.get("SEND_CONCURRENT", "4000"))


def open_convs(sb: Sandbox, client: ConsoleClient, count: int) -> list[Conversation]:
    convs = [sb.state.conversations[s] for s in client.store.conversations
             if sb.state.conversations[s].state != "resolved"]
    return convs[:count]


def assert_exactly_once(client: ConsoleClient, convs: Sequence[Conversation], prefix: str,
                        sent: Sequence[Message]) -> None:
    """Every local echo SENT with its own content, stored exactly once under its
    fingerprint with that content; nothing else stored under the prefix."""
    stored = [(c.session_id, m.fingerprint, m.content) for c in convs for m in c.messages
              if str(m.content).startswith(prefix)]
    assert len(stored) == len(sent), "lost or duplicated"
    counts = Counter(stored)
    for message in sent:
        assert counts[(message.session_id, message.fingerprint, message.content)] == 1
        mine = client.store.message(message.session_id, message.fingerprint)
        assert mine is not None and mine.status is MessageStatus.SENT, mine
        assert mine.content == message.content


async def test_concurrent_sends_into_one_conversation(sandbox: Sandbox,
                                                      client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    started = time.monotonic()
    sent = await asyncio.gather(*(client.replies.send_text(conv.session_id, f"concurrent {i}")
                                  for i in range(CONCURRENT)))
    print(f"\n{CONCURRENT} concurrent sends confirmed in {time.monotonic() - started:.1f} s")
    assert [m.content for m in sent] == [f"concurrent {i}" for i in range(CONCURRENT)]
    assert_exactly_once(client, [conv], "concurrent ", sent)
    assert client.sender.stats.posts == CONCURRENT  # no fault: one POST each, no read


@pytest.mark.parametrize("late", [0.0, 0.5])
async def test_5xx_and_resets_store_each_send_exactly_once(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient,
        late: float) -> None:
    """``late``: the fraction of faults that come after the message was stored."""
    convs = open_convs(sandbox, client, 5)
    await admin.patch("faults", json={"error_rate": 0.2, "reset_rate": 0.05, "seed": 11,
                                      "late_fraction": late})
    sent = await asyncio.gather(*(client.replies.send_text(convs[i % 5].session_id, f"faulty {i}")
                                  for i in range(400)))
    await admin.post("faults/reset")
    assert_exactly_once(client, convs, "faulty ", sent)
    stats = client.sender.stats
    assert stats.reads > 0  # the 5xx and resets were ambiguous: read before retry
    if late:
        assert stats.found > 0  # some were stored already: found, not posted again
    print(f"\nlate {late}: per send {stats.posts / 400:.2f} POSTs, {stats.pages / 400:.2f} "
          f"GETs; {stats.found} found by a read")


@pytest.mark.parametrize("retry_after", [0, 2])
async def test_a_429_burst_with_a_short_retry_after_is_waited_out(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient,
        retry_after: float) -> None:
    convs = open_convs(sandbox, client, 3)
    await admin.patch("faults", json={"burst_429": 12, "retry_after": retry_after})
    sent = await asyncio.gather(*(client.replies.send_text(convs[i % 3].session_id, f"burst {i}")
                                  for i in range(30)))
    assert (await admin.get("faults")).json()["data"]["burst_429"] == 0
    assert_exactly_once(client, convs, "burst ", sent)
    assert client.sender.stats.reads == 0  # a 429 was not processed: nothing to read


async def test_a_429_burst_without_retry_after_reads_as_a_spent_quota_then_recovers(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient) -> None:
    client.api.gate.probe_interval = 0.1  # one probe per 60 s in real use
    conv = open_conv(sandbox, client)
    await admin.patch("faults", json={"burst_429": 6, "retry_after": None})
    results = await asyncio.gather(*(client.replies.send_text(conv.session_id, f"opaque {i}")
                                     for i in range(10)), return_exceptions=True)
    assert any(isinstance(r, QuotaExceededError) for r in results)
    mine = [m for m in client.store.messages(conv.session_id)
            if str(m.content).startswith("opaque ")]
    assert len(mine) == 10
    await until(lambda: all(m.status is MessageStatus.SENT for m in mine), timeout=15,
                what="the queued replies sent once the probes got through")
    assert_exactly_once(client, [conv], "opaque ", mine)


async def test_a_sandbox_restart_loses_and_duplicates_nothing(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient) -> None:
    """Replies that meet the refused connections wait (QueuedError: they go by themselves
    once Crisp answers again, in order), the others are sent; all exactly once."""
    convs = open_convs(sandbox, client, 3)
    sending = asyncio.gather(*(client.replies.send_text(convs[i % 3].session_id, f"restart {i}")
                               for i in range(600)), return_exceptions=True)
    await until(lambda: client.sender.stats.confirmed >= 50, what="sends under way")
    await admin.post("restart", json={"down_ms": 500})
    results = await sending
    assert all(isinstance(r, Message | QueuedError) for r in results), results
    sent = [m for c in convs for m in client.store.messages(c.session_id)
            if str(m.content).startswith("restart ")]
    assert len(sent) == 600
    await until(lambda: all(m.status is MessageStatus.SENT for m in sent), timeout=30,
                what="the waiting replies sent once Crisp is back")
    assert_exactly_once(client, convs, "restart ", sent)


async def test_a_reply_crisp_stored_despite_the_error_is_found_not_posted_again(
        sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    # No RTM (the client is not started): only the read can tell that it was stored.
    client = make_client(sandbox, config=dataclasses.replace(FAST, send_retry_window=0.3))
    try:
        conv = open_conv_by_rest(sandbox)
        client.store.upsert_conversations(
            [await client.api.get_conversation(conv.website_id, conv.session_id)])
        # Every answer is a 503 that comes after the request was carried out.
        await admin.patch("faults", json={"error_rate": 1.0, "late_fraction": 1.0})
        with pytest.raises(ServerError):
            await client.replies.send_text(conv.session_id, "stored after all")
        (failed,) = client.store.messages(conv.session_id)
        assert failed.status is MessageStatus.FAILED
        assert (failed.error or "").startswith("Perhaps not sent")
        assert client.sender.stats.posts == 1  # its reads failed too: never posted blind
        await admin.post("faults/reset")
        posts = client.sender.stats.posts
        await client.replies.retry_send(conv.session_id, failed.fingerprint)
        assert client.sender.stats.posts == posts and client.sender.stats.found == 1
        assert_exactly_once(client, [conv], "stored after all", [failed])
    finally:
        await client.aclose()


def open_conv_by_rest(sb: Sandbox) -> Conversation:
    website = sb.state.subscribed_website_ids()[0]
    return next(c for c in sb.state.website_conversations(website) if c.state != "resolved")


async def test_a_spent_quota_says_so_sends_only_probes_and_then_the_queue_in_order(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="crisp_console.api")
    client.api.gate.probe_interval = 0.1
    conv = open_conv(sandbox, client)
    used = (await admin.get("quota")).json()["data"]["used"]
    await admin.patch("faults", json={"daily_quota": used})  # spent from now on
    started = time.monotonic()
    sent = []
    for i in range(3):
        with pytest.raises(QuotaExceededError):
            await client.replies.send_text(conv.session_id, f"queued {i}")
        sent.append(client.store.messages(conv.session_id)[-1])
    print(f"\nquota spent: said after {time.monotonic() - started:.2f} s")
    resets = local_hhmm(next_midnight(datetime.now(UTC)))
    for message in sent:
        assert message.status is MessageStatus.QUEUED  # queued, not failed
        assert message.error == (f"Queued: the daily API quota is spent; it resets at "
                                 f"{resets} — it will be sent then")
    mark = len(caplog.records)

    def answered() -> list[str]:  # the method of every request Crisp answered since mark
        return [r.args[0] for r in caplog.records[mark:]  # type: ignore[index]
                if r.name == "crisp_console.api" and r.msg == "%s %s -> %d"]

    await until(lambda: answered().count("HEAD") >= 3, what="probes")
    assert set(answered()) == {"HEAD"}  # while spent: probes only, no send
    await admin.post("quota/reset")
    await until(lambda: all(m.status is MessageStatus.SENT for m in sent), what="the queue")
    assert [m.content for m in conv.messages if str(m.content).startswith("queued ")] == \
        ["queued 0", "queued 1", "queued 2"]
    assert_exactly_once(client, [conv], "queued ", sent)


async def test_a_command_refused_with_403_names_the_action(
        sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient) -> None:
    conv = open_conv(sandbox, client)
    before = client.store.conversations[conv.session_id].state
    await admin.patch("scopes", json={"revoke": ["website:conversation:states:write",
                                                 "website:conversation:messages:write"]})
    with pytest.raises(CommandNotAllowedError) as refused:
        await client.commands.resolve(conv.session_id)
    assert refused.value.action == "resolve or reopen conversations"
    assert refused.value.status == 403
    assert "not allowed to resolve or reopen conversations" in refused.value.message
    assert client.store.conversations[conv.session_id].state == before  # undone
    with pytest.raises(CommandNotAllowedError):
        await client.replies.send_text(conv.session_id, "no scope for this")
    failed = client.store.messages(conv.session_id)[-1]
    assert failed.status is MessageStatus.FAILED
    assert failed.error == "Not sent: this plugin token is not allowed to send messages here"


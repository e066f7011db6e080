"""Schedule A Reminder For Conversation: validation, the admin listing, and the timer that
leaves a note (emitted over RTM) when a reminder is due, on the real and an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from crisp_console.sandbox import snapshot
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.reminders import PAST_GRACE_MS
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.state import REMINDER_PREFIX
from tests.sandbox.conv_helpers import (
    busiest,
    conv_url,
    data_of,
    error_of,
    probe_for,
    unsubscribed_website_id,
    website_id,
)

pytestmark = pytest.mark.asyncio


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def fake_clock(sb: Sandbox) -> list[int]:
    """Freeze the sandbox's clock at its current time; move it by changing ``now[0]``."""
    now = [sb.state.clock()]
    sb.state.clock = lambda: now[0]
    return now


async def remind(api: httpx.AsyncClient, conv: Conversation, **body: Any) -> httpx.Response:
    return await api.post(conv_url(conv, "/reminder"), json=body)


def notes(conv: Conversation) -> list[str]:
    return [m.content for m in conv.messages
            if m.type == "note" and str(m.content).startswith(REMINDER_PREFIX)]


async def until(pred: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not pred():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_due_reminder_leaves_a_note_over_rtm(sandbox: Sandbox, api: httpx.AsyncClient,
                                                   admin: httpx.AsyncClient, rtm: Any) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    probe = await probe_for(rtm, "message:received")
    author = sandbox.state.operators[1]
    when = sandbox.state.clock() + 300
    resp = await remind(api, conv, date=iso(when), note="call back about the invoice",
                        user={"user_id": author.user_id})
    assert data_of(resp, 200, "updated") == {}

    listed = data_of(await admin.get("reminders"))
    assert [(r["session_id"], r["note"], r["date"], r["fired_at"]) for r in listed] == [
        (conv.session_id, "call back about the invoice", when, 0)]
    assert notes(conv) == []  # not before its time

    _, event = await probe.wait_for(lambda n, d: n == "message:received"
                                    and d["session_id"] == conv.session_id
                                    and d["type"] == "note")
    assert event["content"] == "\u23f0 Reminder: call back about the invoice"
    assert event["from"] == "operator" and event["user"]["user_id"] == author.user_id
    assert event["mentions"] == [author.user_id]
    assert author.user_id in conv.mentions  # the Mentions filter sees it
    fired = data_of(await admin.get("reminders", params={"session_id": conv.session_id}))
    assert fired[0]["fired_at"] >= when
    got = data_of(await api.get(conv_url(conv)))
    assert author.user_id in got["mentions"]
    await probe.settle()
    assert notes(conv) == [event["content"]]  # once


async def test_injected_clock_decides_when_it_fires(sandbox: Sandbox,
                                                    api: httpx.AsyncClient) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    now = fake_clock(sandbox)
    hour = 3600_000
    for offset, note in ((2 * hour, "second"), (hour, "first")):
        resp = await remind(api, conv, date=iso(now[0] + offset), note=note)
        data_of(resp, 200, "updated")
    default_author = sandbox.state.operators[0].user_id
    # Not before its time: by the injected clock nothing is due (the timer fires only what
    # fire_due() finds), and nothing has fired.
    assert sandbox.reminders.fire_due() == 0
    assert notes(conv) == []

    now[0] += hour
    sandbox.reminders.wake()
    await until(lambda: len(notes(conv)) == 1)
    assert notes(conv) == [REMINDER_PREFIX + "first"]
    assert conv.messages[-1].user["user_id"] == default_author  # no user: the first operator

    now[0] += 2 * hour  # not woken: the timer looks again within MAX_NAP by itself
    await until(lambda: len(notes(conv)) == 2)
    assert notes(conv)[-1] == REMINDER_PREFIX + "second"
    assert sandbox.reminders.next_due() is None


async def test_a_date_within_the_grace_fires_at_once(sandbox: Sandbox,
                                                     api: httpx.AsyncClient) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    now = fake_clock(sandbox)
    resp = await remind(api, conv, date=iso(now[0] - PAST_GRACE_MS // 2), note="now-ish",
                        origin="urn:acme:crm:0")
    data_of(resp, 200, "updated")
    await until(lambda: notes(conv) == [REMINDER_PREFIX + "now-ish"])
    assert conv.reminders[0]["origin"] == "urn:acme:crm:0"


@pytest.mark.parametrize(("body", "message"), [
    ({"note": "x"}, "data should have required property '.date'"),
    ({"date": "2999-01-01T00:00:00Z"}, "data should have required property '.note'"),
    ({"date": "next tuesday", "note": "x"}, "data.date should be an ISO-8601 date"),
    ({"date": "2001-01-01T00:00:00Z", "note": "x"}, "data.date should not be in the past"),
    ({"date": "2999-01-01T00:00:00Z", "note": ""}, "data.note should be >= 1 in length"),
    ({"date": "2999-01-01T00:00:00Z", "note": "n" * 1001},
     "data.note should be <= 1000 in length"),
    ({"date": 1700000000000, "note": "x"}, "data.date should be string"),
    ({"date": "2999-01-01T00:00:00Z", "note": "x", "snooze": True},
     "data should NOT have additional properties"),
    ({"date": "2999-01-01T00:00:00Z", "note": "x", "user": {"user_id": 7}},
     "data.user.user_id should be string"),
])
async def test_invalid_bodies_are_refused(sandbox: Sandbox, api: httpx.AsyncClient,
                                          body: dict[str, Any], message: str) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    resp = await remind(api, conv, **body)
    assert error_of(resp, 400, "invalid_data").startswith(message)
    assert conv.reminders == []


async def test_unknown_conversation_and_unbound_website(sandbox: Sandbox,
                                                        api: httpx.AsyncClient) -> None:
    body = {"date": "2999-01-01T10:00:00+02:00", "note": "x"}
    wid = website_id(sandbox)
    resp = await api.post(f"website/{wid}/conversation/session_nope/reminder", json=body)
    assert error_of(resp, 404, "session_not_found") == "conversation not found"
    resp = await api.post(f"website/{unsubscribed_website_id(sandbox)}/conversation/"
                          "session_nope/reminder", json=body)
    error_of(resp, 404, "not_subscribed")


async def test_admin_fire_and_removed_conversations(sandbox: Sandbox, api: httpx.AsyncClient,
                                                    admin: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    first, second = busiest(sandbox, wid), next(
        c for c in sandbox.state.website_conversations(wid) if c is not busiest(sandbox, wid))
    far = iso(sandbox.state.clock() + 86_400_000)
    for conv in (first, second):
        data_of(await remind(api, conv, date=far, note="tomorrow"), 200, "updated")

    resp = await admin.post("reminders/fire", json={"session_id": first.session_id})
    assert data_of(resp, 200, "updated") == {"fired": 1}
    assert notes(first) == [REMINDER_PREFIX + "tomorrow"] and notes(second) == []
    resp = await admin.post("reminders/fire", json={"session_id": first.session_id})
    assert data_of(resp, 200, "updated") == {"fired": 0}
    error_of(await admin.post("reminders/fire", json={"session_id": "session_nope"}),
             404, "not_found")

    sandbox.state.remove_conversation(second)  # its reminder goes with it
    assert data_of(await admin.post("reminders/fire", json={}), 200, "updated") == {"fired": 0}
    assert sandbox.reminders.next_due() is None
    listed = data_of(await admin.get("reminders"))
    assert [r["session_id"] for r in listed] == [first.session_id]


async def test_pending_reminders_survive_restart_and_snapshot(
        sandbox: Sandbox, api: httpx.AsyncClient, tmp_path: Path) -> None:
    conv = busiest(sandbox, website_id(sandbox))
    now = fake_clock(sandbox)
    data_of(await remind(api, conv, date=iso(now[0] + 60_000), note="after restart"),
            200, "updated")
    path = tmp_path / "world.json"
    snapshot.dump(sandbox.state, path)
    loaded = snapshot.load(path).conversations[conv.session_id].reminders
    assert loaded == conv.reminders and loaded[0]["fired_at"] == 0

    await sandbox.restart(0.0)  # the timer is rebuilt from the state
    now[0] += 60_000
    sandbox.reminders.wake()
    await until(lambda: notes(conv) == [REMINDER_PREFIX + "after restart"])

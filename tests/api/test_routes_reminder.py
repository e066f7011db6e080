"""CrispApi.schedule_reminder against the sandbox: the wire body, refusals, no retries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from crisp_console.api import CrispApi
from crisp_console.errors import NotFoundError, ServerError, ValidationError
from crisp_console.sandbox.server import Sandbox
from tests.api.conftest import ApiFactory
from tests.api.helpers import RecordingTransport, bound_website, set_faults

pytestmark = pytest.mark.asyncio


def a_conversation(sb: Sandbox) -> tuple[str, str]:
    wid = bound_website(sb)
    conv = next(c for c in sb.state.website_conversations(wid) if c.messages)
    return wid, conv.session_id


async def test_schedule_sends_an_iso_utc_date_and_the_note(make_api: ApiFactory,
                                                           sandbox: Sandbox) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    wid, sid = a_conversation(sandbox)
    paris = timezone(timedelta(hours=2))
    when = datetime(2999, 5, 17, 9, 30, 0, 250_000, tzinfo=paris)
    author = sandbox.state.operators[2]
    await crisp.schedule_reminder(wid, sid, when, "renewal call",
                                  user={"user_id": author.user_id})
    sent = rec.sent[-1]
    assert (sent.method, sent.path, sent.status) == (
        "POST", f"/v1/website/{wid}/conversation/{sid}/reminder", 200)
    assert json.loads(sent.content) == {"date": "2999-05-17T07:30:00.250Z",
                                        "note": "renewal call",
                                        "user": {"user_id": author.user_id}}
    (reminder,) = sandbox.state.conversations[sid].reminders
    assert reminder["date"] == int(when.timestamp() * 1000)
    assert reminder["user"]["user_id"] == author.user_id and reminder["fired_at"] == 0

    naive = datetime(2999, 1, 1, 12, 0)  # taken as UTC
    await crisp.schedule_reminder(wid, sid, naive, "naive")
    assert json.loads(rec.sent[-1].content) == {"date": "2999-01-01T12:00:00.000Z",
                                                "note": "naive"}


async def test_refusals_are_typed(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid, sid = a_conversation(sandbox)
    with pytest.raises(ValidationError) as err:
        await crisp.schedule_reminder(wid, sid, datetime.now(UTC) - timedelta(hours=1), "x")
    assert err.value.message == "data.date should not be in the past"
    with pytest.raises(ValidationError) as err:
        await crisp.schedule_reminder(wid, sid, datetime.now(UTC) + timedelta(hours=1),
                                      "n" * 1001)
    assert err.value.message == "data.note should be <= 1000 in length"
    with pytest.raises(NotFoundError):
        await crisp.schedule_reminder(wid, "session_gone", datetime.now(UTC), "x")
    assert sandbox.state.conversations[sid].reminders == []


async def test_a_failed_schedule_is_not_repeated(make_api: ApiFactory, sandbox: Sandbox,
                                                 admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    wid, sid = a_conversation(sandbox)
    await set_faults(admin, error_rate=1.0)
    with pytest.raises(ServerError):
        await crisp.schedule_reminder(wid, sid, datetime.now(UTC) + timedelta(days=1), "x")
    # A POST that may have been processed is never re-sent: no duplicate reminders.
    assert rec.paths("POST") == [f"/v1/website/{wid}/conversation/{sid}/reminder"]

"""Rate limits (429/420 bursts) pause every request of a CrispApi, then re-send them; a spent
daily quota fails at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from crisp_console.errors import QuotaExceededError, RateLimitError
from crisp_console.sandbox.profile import strict_except
from crisp_console.sandbox.server import Sandbox
from tests.api.conftest import ApiFactory
from tests.api.helpers import FAST, RecordingTransport, Sent, bound_website, set_faults
from tests.api.test_retry import FakeSleep

pytestmark = pytest.mark.asyncio

TOLERANCE = 0.01  # loop clock granularity


def assert_paused(sent: list[Sent], pause: float) -> None:
    """No request left between the first rate-limited answer and the end of the pause."""
    first = min(s.ended for s in sent if s.status in (429, 420))
    during = [s for s in sent if first < s.started < first + pause - TOLERANCE]
    assert not during, f"{len(during)} requests left during the pause"


async def burst_then_gets(make_api: ApiFactory, sandbox: Sandbox, admin: httpx.AsyncClient,
                          pause: float, **faults: object) -> RecordingTransport:
    """A burst of 3 limited answers hits 6 concurrent GETs, then 4 more GETs start during the
    pause; every one of them must come back with its own conversation."""
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    wid = bound_website(sandbox)
    sessions = [c.session_id for c in sandbox.state.website_conversations(wid)][:10]
    await set_faults(admin, burst_429=3, **faults)

    async def get(sid: str) -> str:
        return str((await crisp.get_conversation(wid, sid))["session_id"])

    first = [asyncio.create_task(get(sid)) for sid in sessions[:6]]
    while not any(s.status in (429, 420) for s in rec.sent):
        await asyncio.sleep(0.001)
    later = [asyncio.create_task(get(sid)) for sid in sessions[6:]]
    assert await asyncio.gather(*first, *later) == sessions
    assert_paused(rec.sent, pause)
    statuses = [s.status for s in rec.sent]
    assert statuses.count(200) == 10 and len(statuses) == 13
    return rec


async def test_429_with_retry_after_pauses_all_requests(make_api: ApiFactory, sandbox: Sandbox,
                                                        admin: httpx.AsyncClient) -> None:
    rec = await burst_then_gets(make_api, sandbox, admin, 0.2, retry_after=0.2)
    assert {s.status for s in rec.sent} == {200, 429}


async def test_429_without_retry_after_pauses_by_default(
        make_api: ApiFactory, sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    await burst_then_gets(make_api, sandbox, admin, FAST.rate_limit_default)


async def test_420_is_a_rate_limit_too(make_api: ApiFactory, sandbox: Sandbox,
                                       admin: httpx.AsyncClient) -> None:
    rec = await burst_then_gets(make_api, sandbox, admin, 0.1, retry_after=0.1,
                                burst_status=420)
    assert {s.status for s in rec.sent} == {200, 420}


async def test_rate_limited_posts_are_sent_again(make_api: ApiFactory, sandbox: Sandbox,
                                                 admin: httpx.AsyncClient) -> None:
    # A rate-limited request was not processed, so even a create is re-sent.
    crisp = make_api()
    wid = bound_website(sandbox)
    before = set(sandbox.state.conversations)
    await set_faults(admin, burst_429=3, retry_after=0.05)
    created = await asyncio.gather(*(crisp.create_conversation(wid) for _ in range(4)))
    assert len(set(created)) == 4
    assert set(sandbox.state.conversations) - before == set(created)


async def test_pause_lengths_follow_retry_after_or_grow(make_api: ApiFactory,
                                                        admin: httpx.AsyncClient) -> None:
    sleep = FakeSleep()
    crisp = make_api(sleep=sleep)
    await set_faults(admin, burst_429=1, retry_after=0.25)
    await crisp.connect_account()
    assert sleep.delays == pytest.approx([0.25])
    sleep.delays.clear()
    await set_faults(admin, burst_429=3, retry_after=None)
    await crisp.connect_account()
    default = FAST.rate_limit_default
    assert sleep.delays == pytest.approx([default, default * 2, default * 4])


async def test_rate_limit_gives_up_after_the_max_wait(make_api: ApiFactory,
                                                      admin: httpx.AsyncClient) -> None:
    rec, sleep = RecordingTransport(), FakeSleep()
    crisp = make_api(transport=rec, sleep=sleep,
                     retry=replace(FAST, rate_limit_default=1.0, rate_limit_max_wait=3.0))
    await set_faults(admin, burst_429=10)
    with pytest.raises(RateLimitError) as err:
        await crisp.connect_account()
    assert (err.value.status, err.value.reason, err.value.retry_after) == (429, "rate_limited",
                                                                           None)
    assert not isinstance(err.value, QuotaExceededError)
    # A third pause (4 s) would pass the 3 s budget.
    assert sleep.delays == pytest.approx([1.0, 2.0])
    assert len(rec.sent) == 3

    await set_faults(admin, burst_429=1, retry_after=60)
    with pytest.raises(RateLimitError) as err:  # over budget at once: no pointless wait
        await crisp.connect_account()
    assert err.value.retry_after == 60.0
    assert len(sleep.delays) == 2


async def test_head_is_retried_through_a_burst(make_api: ApiFactory,
                                               admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    await set_faults(admin, burst_429=2, retry_after=0.02)
    assert await crisp.check_session() is True
    # The body-less HEAD answer cannot say rate vs quota, so a GET asks again.
    assert [(s.method, s.status) for s in rec.sent] == [("HEAD", 429), ("GET", 429),
                                                       ("GET", 200)]


# console: issue 11 stage 2
@pytest.mark.sandbox_config(behaviours=strict_except("opaque_quota"))
async def test_spent_quota_fails_at_once(make_api: ApiFactory, sandbox: Sandbox,
                                         admin: httpx.AsyncClient) -> None:
    rec, sleep = RecordingTransport(), FakeSleep()
    crisp = make_api(transport=rec, sleep=sleep)
    await set_faults(admin, daily_quota=3)
    for _ in range(3):
        await crisp.connect_account()
    with pytest.raises(QuotaExceededError) as err:
        await crisp.connect_account()
    assert (err.value.status, err.value.reason) == (429, "quota_limited")
    assert "daily quota of 3" in err.value.message
    with pytest.raises(QuotaExceededError):  # a POST, and a HEAD (answered by a GET)
        await crisp.create_conversation(bound_website(sandbox))
    with pytest.raises(QuotaExceededError):
        await crisp.check_session()
    assert len(rec.sent) == 3 + 1 + 1 + 2
    assert sleep.delays == []  # nothing waited, nothing retried
    assert crisp.quota.count == 3

"""Against the sandbox: a 429/420 with a short Retry-After pauses every request of a CrispApi,
then re-sends them, within bounds; any other 429/420 (no Retry-After, a long one, the lenient
sandbox's ``quota_limited``) is a spent daily quota: it fails at once and closes the gate.
The strict sandbox's opaque quota has the shape of a burst without Retry-After; the unit tests
(test_quota_unit.py, test_limits_unit.py) pin it with MockTransport too."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from crisp_console.errors import QuotaExceededError, RateLimitError
from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.server import Sandbox
from tests.api.conftest import ApiFactory
from tests.api.helpers import (
    FAST,
    MIDNIGHT,
    FakeClock,
    RecordingTransport,
    Sent,
    bound_website,
    set_faults,
    until,
)

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


async def test_retry_after_0_still_pauses_by_the_floor(make_api: ApiFactory, sandbox: Sandbox,
                                                       admin: httpx.AsyncClient) -> None:
    rec = await burst_then_gets(make_api, sandbox, admin, FAST.rate_limit_min_delay,
                                retry_after=0)
    assert {s.status for s in rec.sent} == {200, 429}


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


async def test_pause_lengths_follow_retry_after_with_a_growing_floor(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    clock = FakeClock()
    crisp = make_api(**clock.kwargs())
    await set_faults(admin, burst_429=1, retry_after=0.25)
    await crisp.connect_account()
    assert clock.delays == pytest.approx([0.25])
    clock.delays.clear()
    await set_faults(admin, burst_429=3, retry_after=0)
    await crisp.connect_account()
    floor = FAST.rate_limit_min_delay
    assert clock.delays == pytest.approx([floor, floor * 2, floor * 4])


async def test_retry_after_0_forever_gives_up_after_the_attempts(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    rec, clock = RecordingTransport(), FakeClock()
    crisp = make_api(transport=rec, **clock.kwargs())
    await set_faults(admin, burst_429=100, retry_after=0)
    with pytest.raises(RateLimitError) as err:
        await crisp.connect_account()
    assert not isinstance(err.value, QuotaExceededError)
    assert (err.value.status, err.value.reason, err.value.retry_after) == (429, "rate_limited",
                                                                           0.0)
    assert len(rec.sent) == FAST.rate_limit_attempts + 1
    assert not crisp.gate.spent


async def test_rate_limit_gives_up_after_the_max_wait(make_api: ApiFactory,
                                                      admin: httpx.AsyncClient) -> None:
    rec, clock = RecordingTransport(), FakeClock()
    crisp = make_api(transport=rec, **clock.kwargs(),
                     retry=replace(FAST, rate_limit_min_delay=1.0, rate_limit_max_wait=3.0))
    await set_faults(admin, burst_429=10, retry_after=0)
    with pytest.raises(RateLimitError):
        await crisp.connect_account()
    # A third pause (4 s) would pass the 3 s budget.
    assert clock.delays == pytest.approx([1.0, 2.0])
    assert len(rec.sent) == 3

    await set_faults(admin, burst_429=1, retry_after=20)
    with pytest.raises(RateLimitError) as err:  # over budget at once: no pointless wait
        await crisp.connect_account()
    assert err.value.retry_after == 20.0 and not isinstance(err.value, QuotaExceededError)
    assert len(clock.delays) == 2


async def test_head_is_retried_through_a_burst(make_api: ApiFactory,
                                               admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    await set_faults(admin, burst_429=2, retry_after=0.02)
    assert await crisp.check_session() is True
    # The Retry-After header alone classifies it: no body needed, no GET asked.
    assert [(s.method, s.status) for s in rec.sent] == [("HEAD", 429), ("HEAD", 429),
                                                       ("HEAD", 200)]


@pytest.mark.parametrize("status", [429, 420])
async def test_a_burst_without_retry_after_is_a_spent_quota(
        make_api: ApiFactory, sandbox: Sandbox, admin: httpx.AsyncClient, status: int) -> None:
    rec, clock = RecordingTransport(), FakeClock()
    crisp = make_api(transport=rec, **clock.kwargs())
    await set_faults(admin, burst_429=1, burst_status=status)
    with pytest.raises(QuotaExceededError) as err:
        await crisp.check_session()  # a HEAD classifies like any other request
    assert (err.value.status, err.value.local, err.value.resets_at) == (status, False,
                                                                        MIDNIGHT)
    assert crisp.gate.spent and crisp.gate.resets_at == MIDNIGHT
    # Until a probe slot is due, nothing more is sent: refused here, at once.
    with pytest.raises(QuotaExceededError) as local:
        await crisp.create_conversation(bound_website(sandbox))
    assert local.value.local and local.value.resets_at == MIDNIGHT
    assert [(s.method, s.status) for s in rec.sent] == [("HEAD", status)]
    assert clock.delays == []
    # The burst is over: the next probe finds Crisp counting again and reopens the gate.
    clock.advance(crisp.gate.probe_interval)
    await crisp.connect_account()
    assert not crisp.gate.spent
    assert [s.status for s in rec.sent] == [status, 200]


async def test_a_long_retry_after_is_a_spent_quota_until_then(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    clock = FakeClock()
    crisp = make_api(**clock.kwargs())
    await set_faults(admin, burst_429=1, retry_after=600)
    with pytest.raises(QuotaExceededError) as err:
        await crisp.connect_account()
    assert (err.value.resets_at - crisp.gate.now()).total_seconds() == pytest.approx(600)


# The sandbox's lenient answer to a spent quota (429 quota_limited) is pinned here on purpose;
# the strict one (opaque_quota: rate_limited, no Retry-After) is the burst shape above.
@pytest.mark.sandbox_config(behaviours=Behaviours(opaque_quota=False))
async def test_the_lenient_quota_answer_fails_at_once_and_closes_the_gate(
        make_api: ApiFactory, sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    rec, clock = RecordingTransport(), FakeClock(manual=True)
    crisp = make_api(transport=rec, **clock.kwargs())
    changes: list[tuple[bool, object]] = []
    crisp.gate.observe(lambda spent, resets_at: changes.append((spent, resets_at)))
    await set_faults(admin, daily_quota=3)
    for _ in range(3):
        await crisp.connect_account()
    with pytest.raises(QuotaExceededError) as err:
        await crisp.connect_account()
    assert (err.value.status, err.value.reason, err.value.local) == (429, "quota_limited",
                                                                     False)
    assert "daily quota of 3" in err.value.message
    with pytest.raises(QuotaExceededError):  # a POST and a HEAD: refused without a request
        await crisp.create_conversation(bound_website(sandbox))
    with pytest.raises(QuotaExceededError):
        await crisp.check_session()
    assert len(rec.sent) == 3 + 1
    assert clock.delays == []  # nothing waited, nothing retried
    assert crisp.quota.count == 3
    assert changes == [(True, MIDNIGHT)]

    # wait_quota probes once per interval (HEAD plugin/connect/session) until one succeeds.
    waiting = asyncio.create_task(crisp.wait_quota())
    await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
    assert clock.delays == [60.0] and len(rec.sent) == 4
    clock.advance(60.0)
    await until(lambda: len(rec.sent) == 5 and clock.sleeping == 1, "a refused probe")
    assert (rec.sent[4].method, rec.sent[4].path, rec.sent[4].status) == (
        "HEAD", "/v1/plugin/connect/session", 429)
    assert not waiting.done() and clock.delays == [60.0, 60.0]
    assert (await admin.post("quota/reset")).status_code == 200
    clock.advance(60.0)
    await asyncio.wait_for(waiting, 5.0)
    assert [s.status for s in rec.sent[4:]] == [429, 200]
    assert changes == [(True, MIDNIGHT), (False, None)]
    await crisp.connect_account()


async def test_a_spent_daily_quota_in_the_default_profile_is_a_spent_quota(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    # Whatever the default profile answers for it (quota_limited, or the strict opaque
    # rate_limited without Retry-After), the console reads a spent quota.
    rec, clock = RecordingTransport(), FakeClock()
    crisp = make_api(transport=rec, **clock.kwargs())
    await set_faults(admin, daily_quota=1)
    await crisp.connect_account()
    with pytest.raises(QuotaExceededError) as first:
        await crisp.connect_account()
    with pytest.raises(QuotaExceededError) as second:
        await crisp.connect_account()
    assert (first.value.local, second.value.local) == (False, True)
    assert first.value.resets_at == second.value.resets_at == MIDNIGHT
    assert [s.status for s in rec.sent] == [200, first.value.status]
    assert first.value.status in (429, 420) and clock.delays == []

"""QuotaGate and CrispApi.wait_quota, driven by injected clocks (unit tests; MockTransport
answers the probes, since the sandbox cannot be told to refuse only some of them)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crisp_console.api import QuotaGate
from crisp_console.api.quota import next_midnight, quota_resets_at
from crisp_console.errors import (
    AuthError,
    ClosedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from tests.api.helpers import MIDNIGHT, FakeClock, envelope, mock_api, until

Change = tuple[bool, datetime | None]


def gate_on(clock: FakeClock, probe_interval: float = 60.0) -> tuple[QuotaGate, list[Change]]:
    gate = QuotaGate(probe_interval=probe_interval, wall=clock.wall, clock=clock.monotonic)
    changes: list[Change] = []
    gate.observe(lambda spent, resets_at: changes.append((spent, resets_at)))
    return gate, changes


def test_next_midnight_and_resets_at() -> None:
    noon = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert next_midnight(noon) == MIDNIGHT
    assert next_midnight(MIDNIGHT) == MIDNIGHT + timedelta(days=1)
    assert quota_resets_at(noon, None) == MIDNIGHT
    assert quota_resets_at(noon, 90.0) == noon + timedelta(seconds=90)
    assert quota_resets_at(noon, 1e308) == MIDNIGHT


def test_a_closed_gate_lets_one_probe_through_per_interval() -> None:
    clock = FakeClock()
    gate, changes = gate_on(clock)
    assert gate.admit() and not gate.spent and gate.resets_at is None
    gate.close(MIDNIGHT)
    assert gate.spent and gate.resets_at == MIDNIGHT
    assert changes == [(True, MIDNIGHT)]
    assert gate.seconds_to_wait() == 60.0
    assert [gate.admit() for _ in range(3)] == [False, False, False]
    clock.advance(59.9)
    assert not gate.admit()
    clock.advance(0.1)
    assert gate.admit() and gate.probing()  # the probe slot...
    assert not gate.admit()  # ...is taken
    gate.close(MIDNIGHT)  # the probe was refused too: nothing changes
    assert changes == [(True, MIDNIGHT)]
    assert gate.seconds_to_wait() == 60.0
    clock.advance(60)
    assert gate.admit() and not gate.admit()
    gate.reopen()  # the probe succeeded
    assert not gate.spent and gate.admit() and gate.admit() and not gate.probing()
    assert changes == [(True, MIDNIGHT), (False, None)]
    gate.reopen()  # already open: no news
    assert len(changes) == 2


def test_the_gate_reopens_by_itself_at_resets_at() -> None:
    clock = FakeClock()
    gate, changes = gate_on(clock, probe_interval=10 * 3600)
    soon = clock.wall_datetime() + timedelta(minutes=5)
    gate.close(soon)
    assert gate.seconds_to_wait() == 300.0  # the reset comes before the next probe slot
    clock.advance(299)
    assert gate.spent and not gate.admit()
    clock.advance(1)
    assert not gate.spent and gate.admit()
    assert changes == [(True, soon), (False, None)]


def test_a_later_reset_time_is_news() -> None:
    clock = FakeClock()
    gate, changes = gate_on(clock)
    soon = clock.wall_datetime() + timedelta(minutes=5)
    gate.close(soon)
    gate.close(MIDNIGHT)
    assert changes == [(True, soon), (True, MIDNIGHT)]


def test_observers_unsubscribe_and_a_broken_one_is_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    gate, changes = gate_on(clock)

    def broken(spent: bool, resets_at: datetime | None) -> None:
        raise RuntimeError("observer bug")

    unsubscribe = gate.observe(broken)
    with caplog.at_level(logging.ERROR, logger="crisp_console.api"):
        gate.close(MIDNIGHT)
    assert "quota gate observer failed" in caplog.text and changes == [(True, MIDNIGHT)]
    unsubscribe()
    unsubscribe()
    caplog.clear()
    gate.reopen()
    assert not caplog.text and changes[-1] == (False, None)


def test_a_local_refusal_says_when() -> None:
    clock = FakeClock()
    gate, _ = gate_on(clock)
    gate.close(MIDNIGHT)
    err = gate.refusal()
    assert (err.local, err.resets_at, err.status) == (True, MIDNIGHT, 429)
    assert "00:00 UTC" in err.message


# ---- CrispApi.wait_quota -------------------------------------------------------------------


class Crisp:
    """Answers 429 (no Retry-After: the quota) until ``counting`` is set; counts probes."""

    def __init__(self) -> None:
        self.counting = False
        self.refuse_auth = False
        self.heads = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            self.heads += 1
        if self.refuse_auth:
            return httpx.Response(401)
        if not self.counting:
            return httpx.Response(429)
        return httpx.Response(200, content=envelope({"plugin_id": "p"}))


@pytest.mark.asyncio
async def test_wait_quota_returns_at_once_when_open() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs())
    async with mock.api as api:
        await api.wait_quota()
    assert mock.requests == [] and clock.delays == []


@pytest.mark.asyncio
async def test_concurrent_waiters_share_one_probe_per_interval() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.connect_account()
        waiters = [asyncio.create_task(api.wait_quota()) for _ in range(5)]
        for probes in (1, 2, 3):
            await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
            assert clock.delays[-1] == 60.0
            clock.advance(60.0)
            await until(lambda p=probes: crisp.heads == p, "a probe")
        await until(lambda: clock.sleeping == 1, "the probe loop to sleep again")
        assert not any(w.done() for w in waiters)
        assert [r.url.path for r in mock.requests[1:]] == ["/v1/plugin/connect/session"] * 3
        crisp.counting = True
        clock.advance(60.0)
        await asyncio.wait_for(asyncio.gather(*waiters), 5.0)
        assert crisp.heads == 4 and not api.gate.spent
        assert clock.delays == [60.0] * 4


@pytest.mark.asyncio
async def test_an_ordinary_request_due_for_a_probe_goes_out_and_wakes_the_waiters() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs(probe_interval=60.0))
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.connect_account()
        waiter = asyncio.create_task(api.wait_quota())
        await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
        clock.now += 60.0  # time passes, but the loop's sleep has not returned yet
        crisp.counting = True
        assert await api.connect_account() == {"plugin_id": "p"}  # it took the probe slot
        await asyncio.wait_for(waiter, 5.0)  # woken by the reopening, before its sleep ends
    assert crisp.heads == 0 and len(mock.requests) == 2


@pytest.mark.asyncio
async def test_wait_quota_ends_at_the_reset_without_a_probe() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs(probe_interval=24 * 3600.0))
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.connect_account()
        waiter = asyncio.create_task(api.wait_quota())
        await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
        assert clock.delays == [12 * 3600.0]  # noon to midnight
        clock.advance(12 * 3600.0)
        await asyncio.wait_for(waiter, 5.0)
        assert not api.gate.spent
    assert crisp.heads == 0


@pytest.mark.asyncio
async def test_a_refused_token_ends_every_wait() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.connect_account()
        waiters = [asyncio.create_task(api.wait_quota()) for _ in range(2)]
        await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
        crisp.refuse_auth = True
        clock.advance(60.0)
        for waiter in waiters:
            with pytest.raises(AuthError):
                await asyncio.wait_for(waiter, 5.0)
        assert api.gate.spent


@pytest.mark.asyncio
async def test_aclose_ends_the_wait() -> None:
    crisp, clock = Crisp(), FakeClock(manual=True)
    mock = mock_api(crisp, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.connect_account()
        waiter = asyncio.create_task(api.wait_quota())
        await until(lambda: clock.sleeping == 1, "the probe loop to sleep")
    with pytest.raises(ClosedError):
        await asyncio.wait_for(waiter, 5.0)


@pytest.mark.asyncio
async def test_a_probe_is_never_retried() -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(429), httpx.Response(503),
                    httpx.Response(429, headers={"Retry-After": "1"})])
    mock = mock_api(lambda r: next(answers), **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.get_website("w")
        clock.advance(60)
        with pytest.raises(ServerError):  # a GET, but the probe: not retried
            await api.get_website("w")
        clock.advance(60)
        with pytest.raises(RateLimitError) as limited:  # a short limit: not paused either
            await api.get_website("w")
        assert type(limited.value) is RateLimitError
        assert api.gate.spent
    assert len(mock.requests) == 3 and clock.delays == []

"""Units of the owed work's machinery: the Retrier's backoff and quota wait (a REST layer on
httpx.MockTransport, clocks injected), and the HealthMonitor's snapshots."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crisp_console.api import CrispApi, QuotaGate
from crisp_console.client import Health, conversations_of
from crisp_console.client.health import HealthMonitor
from crisp_console.client.retry import Retrier
from crisp_console.errors import NotFoundError, ServerError, TransportError
from crisp_console.types import Credentials
from tests.client.conftest import FakeTime, until

WALL = datetime(2027, 3, 1, 12, 0, tzinfo=UTC).timestamp()


def make_api(time: FakeTime, answers: list[int]) -> tuple[CrispApi, list[str]]:
    """A CrispApi whose every request gets the next status of ``answers`` (then 200)."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        status = answers.pop(0) if answers else 200
        body = {"error": status >= 400, "reason": "rate_limited" if status == 429 else "ok",
                "data": {}}
        return httpx.Response(status, json=body)

    api = CrispApi("http://127.0.0.1:9/", Credentials("id", "key"),
                   transport=httpx.MockTransport(handle), sleep=time.sleep, clock=time.clock,
                   wall=lambda: WALL)
    return api, seen


@pytest.mark.asyncio
async def test_retrier_backs_off_within_its_cap_until_an_attempt_succeeds() -> None:
    time = FakeTime()
    api, _ = make_api(time, [])
    retrier = Retrier(api, base=1.0, cap=8.0, sleep=time.sleep)
    failures: list[BaseException] = []
    calls = 0

    async def attempt() -> int:
        nonlocal calls
        calls += 1
        if calls <= 6:
            raise ServerError(503, "service_unavailable") if calls % 2 else \
                TransportError("reset", sent=True)
        return 42

    task = asyncio.ensure_future(retrier.run(attempt, what="test", on_failure=failures.append))
    delays: list[float] = []
    while not task.done():
        await until(lambda: bool(time.sleeping) or task.done(), what="a backoff or the end")
        if time.sleeping:
            delays.append(time.sleeping[0])
            time.advance(time.sleeping[0])
    assert await task == 42 and calls == 7 and len(failures) == 6
    nominal = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]  # doubling, capped
    assert all(n / 2 <= d <= n for d, n in zip(delays, nominal, strict=True))
    await api.aclose()


@pytest.mark.asyncio
async def test_retrier_gives_up_at_once_on_final_errors_and_bugs() -> None:
    time = FakeTime()
    api, _ = make_api(time, [])
    retrier = Retrier(api, base=1.0, cap=8.0, sleep=time.sleep)

    async def gone() -> None:
        raise NotFoundError(404, "session_not_found")

    async def bug() -> None:
        raise KeyError("x")

    with pytest.raises(NotFoundError):
        await retrier.run(gone, what="test", final=(NotFoundError,))
    with pytest.raises(KeyError):
        await retrier.run(bug, what="test")
    assert not time.sleeping
    await api.aclose()


@pytest.mark.asyncio
async def test_retrier_waits_for_the_quota_gate_with_one_probe_a_minute() -> None:
    time = FakeTime()
    api, seen = make_api(time, [429, 429, 200])  # the work, a probe refused, a probe let in
    retrier = Retrier(api, base=1.0, cap=8.0, sleep=time.sleep)

    async def attempt() -> None:
        await api.request("GET", "website/w")

    task = asyncio.ensure_future(retrier.run(attempt, what="test"))
    await until(lambda: time.sleeping == [60.0], what="waiting for the probe slot")
    assert api.gate.spent and seen == ["GET /v1/website/w"]
    time.advance(60.0)
    await until(lambda: len(seen) == 2 and time.sleeping == [60.0], what="a refused probe")
    time.advance(60.0)
    await task
    assert seen == ["GET /v1/website/w", "HEAD /v1/plugin/connect/session",
                    "HEAD /v1/plugin/connect/session", "GET /v1/website/w"]
    assert not api.gate.spent
    await api.aclose()


def test_health_monitor_tells_observers_of_changes_only() -> None:
    now = [WALL]
    gate = QuotaGate(wall=lambda: now[0], clock=lambda: 0.0)
    owed = [False]
    monitor = HealthMonitor(gate, catching_up=lambda: owed[0], problem=lambda: "REST is down")
    seen: list[Health] = []
    unsubscribe = monitor.observe(seen.append)
    monitor.refresh()
    assert seen == [] and monitor.current == Health()
    owed[0] = True
    monitor.refresh()
    monitor.refresh()
    assert seen == [Health(catching_up=True, catchup_problem="REST is down")]
    resets = datetime(2027, 3, 2, tzinfo=UTC)
    gate.close(resets)
    assert seen[-1].quota_resets_at == resets
    monitor.deny(conversations_of("w1"), "not allowed")
    monitor.deny(conversations_of("w1"), "not allowed")
    assert seen[-1].denied == {"conversations:w1": "not allowed"}
    assert seen[-1].denied_for(conversations_of("w1")) == "not allowed"
    assert len(seen) == 3
    now[0] = resets.timestamp() + 1  # the reset time passes: reading the gate reopens it
    monitor.refresh()
    assert seen[-1].quota_resets_at is None and len(seen) == 4
    monitor.allow(conversations_of("w1"))
    assert seen[-1].denied_for(conversations_of("w1")) is None
    unsubscribe()
    owed[0] = False
    monitor.refresh()
    assert len(seen) == 5 and not monitor.current.catching_up
    assert monitor.current.catchup_problem == ""  # only while catching up


@pytest.mark.asyncio
async def test_owed_work_takes_turns_while_rest_fails() -> None:
    """Ten debts during an outage cost one attempt per delay, not ten; the first success
    lets them all through."""
    time = FakeTime()
    api, _ = make_api(time, [])
    retrier = Retrier(api, base=1.0, cap=4.0, sleep=time.sleep)
    down = True
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)
        if down:
            raise ServerError(503, "service_unavailable")
        return "ok"

    tasks = [asyncio.ensure_future(retrier.run(attempt, what="test")) for _ in range(10)]
    await until(lambda: len(time.sleeping) == 1, what="one turn waiting")
    assert attempts == 10  # the first try of each, before anything had failed
    for turn in range(1, 6):
        time.advance(time.sleeping[0])
        await until(lambda t=turn: attempts == 10 + t and len(time.sleeping) == 1,
                    what="the next turn")
    assert retrier.failures == 15
    down = False
    time.advance(time.sleeping[0])
    assert await asyncio.gather(*tasks) == ["ok"] * 10
    assert attempts == 10 + 5 + 10 and retrier.failures == 0 and not time.sleeping
    await api.aclose()


@pytest.mark.asyncio
async def test_health_sees_the_quota_reset_time_pass_with_nothing_owed() -> None:
    gate = QuotaGate()  # real clocks: the reset time is a moment away
    monitor = HealthMonitor(gate, catching_up=lambda: False, problem=lambda: "")
    seen: list[Health] = []
    monitor.observe(seen.append)
    gate.close(datetime.now(UTC) + timedelta(seconds=0.2))
    assert seen[-1].quota_resets_at is not None
    await until(lambda: seen[-1].quota_resets_at is None, what="the reset time")
    assert len(seen) == 2
    monitor.close()

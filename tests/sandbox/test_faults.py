"""Fault injection, observed by real httpx clients over loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.faults import retry_after_header, utc_day
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import HeldSleep, RtmProbe

Factory = Callable[[], Awaitable[RtmProbe]]

# Any authenticated /v1 route will do: faults answer before routing.
PATH = "plugin/connect/account"
FAULT_STATUSES = {420, 429, 503}


async def set_faults(admin: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    resp = await admin.patch("faults", json=changes)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def test_helpers() -> None:
    assert retry_after_header(2) == "2"
    assert retry_after_header(2.0) == "2"
    assert retry_after_header(0.5) == "0.5"
    assert utc_day(ms(2024, 5, 1, 23, 59, 59)) == "2024-05-01"
    assert utc_day(ms(2024, 5, 2)) == "2024-05-02"


@pytest.mark.asyncio
async def test_no_faults_by_default(api: httpx.AsyncClient) -> None:
    for _ in range(5):
        resp = await api.get(PATH)
        assert resp.status_code not in FAULT_STATUSES
        assert set(resp.json()) == {"error", "reason", "data"}


@pytest.mark.asyncio
async def test_latency_is_added(sandbox: Sandbox, api: httpx.AsyncClient,
                                admin: httpx.AsyncClient) -> None:
    sandbox.faults.sleep = held = HeldSleep()
    await set_faults(admin, latency_ms=200)
    request = asyncio.create_task(api.get(PATH))
    await held.until_held(1)
    assert held.slept == [0.2] and not request.done()  # the answer waits for the latency
    held.release()
    resp = await request
    assert resp.status_code not in FAULT_STATUSES


@pytest.mark.asyncio
async def test_error_rate_one_answers_503_envelope(api: httpx.AsyncClient,
                                                   admin: httpx.AsyncClient) -> None:
    await set_faults(admin, error_rate=1.0)
    for method in ("GET", "POST", "PATCH"):
        resp = await api.request(method, PATH, json={} if method != "GET" else None)
        assert resp.status_code == 503
        assert resp.json() == {"error": True, "reason": "service_unavailable",
                               "data": {"namespace": "server", "message":
                                        "the service is temporarily unavailable "
                                        "(injected fault)"}}
    # Admin routes are exempt.
    assert (await admin.get("faults")).status_code == 200
    await set_faults(admin, error_rate=0.0)
    for _ in range(5):
        assert (await api.get(PATH)).status_code not in FAULT_STATUSES


@pytest.mark.asyncio
async def test_auth_is_checked_before_faults(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    await set_faults(admin, error_rate=1.0, burst_429=1)
    async with httpx.AsyncClient(base_url=sandbox.rest_url) as anonymous:
        resp = await anonymous.get(PATH)
    assert resp.status_code == 401
    assert resp.json()["reason"] == "invalid_session"
    assert (await admin.get("faults")).json()["data"]["burst_429"] == 1  # not consumed


@pytest.mark.asyncio
async def test_error_rate_is_reproducible_with_a_seed(api: httpx.AsyncClient,
                                                      admin: httpx.AsyncClient) -> None:
    async def run() -> list[int]:
        await set_faults(admin, error_rate=0.5, seed=42)
        return [(await api.get(PATH)).status_code for _ in range(16)]

    first, second = await run(), await run()
    assert first == second
    assert 503 in first
    assert any(status != 503 for status in first)


@pytest.mark.asyncio
async def test_reset_cuts_the_connection_then_service_resumes(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await set_faults(admin, reset_rate=1.0)
    for _ in range(3):
        with pytest.raises(httpx.TransportError):
            await api.get(PATH)
    # The server still serves: other paths, and /v1 again once the fault is cleared.
    assert (await admin.get("info")).status_code == 200
    await set_faults(admin, reset_rate=0.0)
    for _ in range(3):
        assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == []


@pytest.mark.asyncio
async def test_burst_429_without_retry_after(api: httpx.AsyncClient,
                                             admin: httpx.AsyncClient) -> None:
    await set_faults(admin, burst_429=2)
    for left in (1, 0):
        resp = await api.get(PATH)
        assert resp.status_code == 429
        assert "Retry-After" not in resp.headers
        assert resp.json() == {"error": True, "reason": "rate_limited",
                               "data": {"namespace": "rate",
                                        "message": "too many requests, slow down"}}
        assert (await admin.get("faults")).json()["data"]["burst_429"] == left
    assert (await api.get(PATH)).status_code not in FAULT_STATUSES


@pytest.mark.asyncio
async def test_burst_420_with_retry_after(api: httpx.AsyncClient,
                                          admin: httpx.AsyncClient) -> None:
    await set_faults(admin, burst_429=1, burst_status=420, retry_after=2)
    resp = await api.get(PATH)
    assert resp.status_code == 420
    assert resp.json()["reason"] == "rate_limited"
    assert resp.headers["Retry-After"] == "2"
    await set_faults(admin, burst_429=1, burst_status=429, retry_after=0.25)
    resp = await api.get(PATH)
    assert (resp.status_code, resp.headers["Retry-After"]) == (429, "0.25")
    assert (await api.get(PATH)).status_code not in FAULT_STATUSES


@pytest.mark.asyncio
async def test_daily_quota_spent_reset_and_rollover(sandbox: Sandbox, api: httpx.AsyncClient,
                                                    admin: httpx.AsyncClient) -> None:
    now = [ms(2024, 5, 1, 23, 59, 0)]
    sandbox.faults.clock = lambda: now[0]
    await set_faults(admin, daily_quota=3)
    for _ in range(3):
        assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    for _ in range(2):
        # The strict profile (opaque_quota): a burst's answer, no reason given, no Retry-After.
        resp = await api.get(PATH)
        assert resp.status_code == 429
        assert resp.json()["reason"] == "rate_limited"
        assert resp.json()["data"]["namespace"] == "rate"
        assert "Retry-After" not in resp.headers
    quota = (await admin.get("quota")).json()["data"]
    assert quota == {"limit": 3, "used": 3, "remaining": 0, "day": "2024-05-01",
                     "resets_at": ms(2024, 5, 2)}

    # Admin reset: the token may call again.
    reset = (await admin.post("quota/reset")).json()["data"]
    assert (reset["used"], reset["remaining"]) == (0, 3)
    for _ in range(3):
        assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    assert (await api.get(PATH)).status_code == 429

    # A new UTC day starts from zero.
    now[0] = ms(2024, 5, 2, 0, 0, 1)
    assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    quota = (await admin.get("quota")).json()["data"]
    assert (quota["day"], quota["used"], quota["remaining"]) == ("2024-05-02", 1, 2)


@pytest.mark.asyncio
async def test_quota_counts_only_v1_and_not_bursts(api: httpx.AsyncClient,
                                                   admin: httpx.AsyncClient) -> None:
    await set_faults(admin, daily_quota=10, burst_429=2)
    for _ in range(3):
        await api.get(PATH)  # two bursts, then one counted request
    for _ in range(3):
        await admin.get("info")
    quota = (await admin.get("quota")).json()["data"]
    assert (quota["limit"], quota["used"], quota["remaining"]) == (10, 1, 9)


@pytest.mark.asyncio
async def test_quota_off_still_counts(api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    await set_faults(admin, daily_quota=0)
    for _ in range(4):
        assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    quota = (await admin.get("quota")).json()["data"]
    assert (quota["limit"], quota["used"], quota["remaining"]) == (0, 4, None)


@pytest.mark.asyncio
async def test_rtm_and_admin_are_exempt(api: httpx.AsyncClient, admin: httpx.AsyncClient,
                                        rtm: Factory) -> None:
    await set_faults(admin, reset_rate=1.0, error_rate=1.0, latency_ms=50)
    probe = await rtm()
    assert await probe.authenticate(["website:update_visitors_count"]) == ("authenticated", True)
    resp = await admin.post("simulate", json={"action": "visitors", "count": 7})
    assert resp.status_code == 200
    _, data = await probe.wait_for(lambda n, d: n == "website:update_visitors_count")
    assert data["visitors_count"] == 7
    with pytest.raises(httpx.TransportError):
        await api.get(PATH)


@pytest.mark.asyncio
async def test_reset_route_clears_everything(api: httpx.AsyncClient,
                                             admin: httpx.AsyncClient) -> None:
    await set_faults(admin, latency_ms=5, error_rate=1.0, burst_429=3, burst_status=420,
                     retry_after=1, daily_quota=1)
    assert (await api.get(PATH)).status_code == 420
    resp = await admin.post("faults/reset")
    assert resp.status_code == 200
    assert resp.json()["data"] == {"latency_ms": 0.0, "error_rate": 0.0, "reset_rate": 0.0,
                                   "late_fraction": 0.0, "burst_429": 0, "burst_status": 429,
                                   "retry_after": None,
                                   "daily_quota": 5000, "quota_status": 429,
                                   "rtm_main_down": False}
    assert (await api.get(PATH)).status_code not in FAULT_STATUSES
    quota = (await admin.get("quota")).json()["data"]
    assert (quota["limit"], quota["used"]) == (5000, 1)


@pytest.mark.asyncio
async def test_concurrent_requests_see_latency_independently(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    """Latency sleeps per request; it must not serialise the server: all five requests are
    in their latency at once (served one by one, the second would never get there)."""
    sandbox.faults.sleep = held = HeldSleep()
    await set_faults(admin, latency_ms=300)
    requests = asyncio.gather(*(api.get(PATH) for _ in range(5)))
    await held.until_held(5)
    assert held.slept == [0.3] * 5
    held.release()
    results = await requests
    assert all(r.status_code not in FAULT_STATUSES for r in results)

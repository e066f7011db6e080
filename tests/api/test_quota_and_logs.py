"""QuotaMeter (counting, observers, the UTC day) and the promise that no secret is logged."""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from datetime import UTC, date, datetime

import httpx
import pytest

from crisp_console.api import QuotaMeter
from crisp_console.errors import AuthError, ServerError, TransportError
from crisp_console.sandbox.server import Sandbox
from tests.api.conftest import ApiFactory
from tests.api.helpers import FAST, bound_website, quota_used, set_faults


def epoch(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def test_meter_counts_per_utc_day_and_tells_observers() -> None:
    now = [epoch(2024, 5, 1, 23, 59, 58)]
    meter = QuotaMeter(clock=lambda: now[0])
    seen: list[tuple[date, int]] = []
    unsubscribe = meter.observe(lambda day, count: seen.append((day, count)))
    assert (meter.day, meter.count) == (date(2024, 5, 1), 0)
    meter.record()
    meter.record()
    assert meter.count == 2
    assert seen == [(date(2024, 5, 1), 1), (date(2024, 5, 1), 2)]

    now[0] = epoch(2024, 5, 2, 0, 0, 1)  # midnight UTC: the quota starts again
    assert (meter.day, meter.count) == (date(2024, 5, 2), 0)
    meter.record()
    assert seen[-1] == (date(2024, 5, 2), 1)

    unsubscribe()
    unsubscribe()  # harmless twice
    meter.record()
    assert len(seen) == 3 and meter.count == 2


def test_a_failing_observer_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    meter = QuotaMeter()
    calls: list[int] = []

    def broken(day: date, count: int) -> None:
        raise RuntimeError("observer bug")

    meter.observe(broken)
    meter.observe(lambda day, count: calls.append(count))
    with caplog.at_level(logging.ERROR, logger="crisp_console.api"):
        meter.record()
    assert calls == [1]
    assert "quota observer failed" in caplog.text


@pytest.mark.asyncio
async def test_meter_matches_what_the_sandbox_counted(make_api: ApiFactory, sandbox: Sandbox,
                                                      admin: httpx.AsyncClient) -> None:
    crisp = make_api(retry=replace(FAST, max_attempts=2))
    counts: list[int] = []
    crisp.quota.observe(lambda day, count: counts.append(count))
    wid = bound_website(sandbox)
    await crisp.get_website(wid)
    await crisp.check_session()  # HEAD counts too
    await crisp.create_conversation(wid)
    await set_faults(admin, burst_429=2, retry_after=0.01)
    await crisp.connect_account()  # two limited answers (not counted), then one counted
    await set_faults(admin, error_rate=1.0)
    with pytest.raises(ServerError):
        await crisp.connect_account()  # two injected 5xx: Crisp counts them
    await set_faults(admin, error_rate=0.0, reset_rate=1.0)
    with pytest.raises(TransportError):
        await crisp.connect_account()  # resets never reached the counter
    assert crisp.quota.count == await quota_used(admin) == 6
    assert counts == [1, 2, 3, 4, 5, 6]
    assert crisp.quota.day == datetime.now(UTC).date()


@pytest.mark.asyncio
async def test_no_secret_reaches_the_logs(make_api: ApiFactory, sandbox: Sandbox,
                                          admin: httpx.AsyncClient,
                                          caplog: pytest.LogCaptureFixture) -> None:
    token = sandbox.state.token
    wrong_key = "wrong-key-0123456789"
    secrets = {
        token.key,
        base64.b64encode(f"{token.identifier}:{token.key}".encode()).decode(),
        wrong_key,
        base64.b64encode(f"{token.identifier}:{wrong_key}".encode()).decode(),
    }
    caplog.set_level(logging.DEBUG)  # httpx and httpcore debug output included
    crisp = make_api(retry=replace(FAST, max_attempts=2))
    wid = bound_website(sandbox)
    await crisp.get_website(wid)
    await set_faults(admin, error_rate=1.0)
    with pytest.raises(ServerError) as server_error:
        await crisp.get_website(wid)
    await set_faults(admin, error_rate=0.0, reset_rate=1.0)
    with pytest.raises(TransportError) as transport_error:
        await crisp.get_website(wid)
    await set_faults(admin, reset_rate=0.0, burst_429=1, retry_after=0.01)
    await crisp.get_website(wid)
    with pytest.raises(AuthError) as auth_error:
        await make_api(key=wrong_key).get_website(wid)

    assert any(r.name.startswith("crisp_console.api") for r in caplog.records)
    assert any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)
    texts = [caplog.text, repr(crisp)]
    texts += [str(r.msg) + repr(r.args) + (r.exc_text or "") for r in caplog.records]
    texts += [str(e.value) + repr(e.value) + repr(e.value.__cause__)
              for e in (server_error, transport_error, auth_error)]
    for text in texts:
        for secret in secrets:
            assert secret not in text
        assert "Authorization" not in text

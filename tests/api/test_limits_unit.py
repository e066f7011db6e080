"""Error typing, 429/420 classification and the bounds of every retry loop, as unit tests with
httpx.MockTransport ON PURPOSE: these are answers the sandbox does not give (odd statuses and
reasons, Crisp's opaque quota, a Retry-After of 0 forever, slow failures), and the injected
clocks make the bounds exact."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from crisp_console.api import RetryPolicy
from crisp_console.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from tests.api.helpers import FAST, MIDNIGHT, FakeClock, envelope, mock_api, until

pytestmark = pytest.mark.asyncio

OK = {"plugin_id": "p"}


def refusal(status: int, reason: Any = None, message: str = "",
            retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else None
    body: dict[str, Any] = {"error": True, "data": {"namespace": "x", "message": message}}
    if reason is not None:
        body["reason"] = reason
    return httpx.Response(status, json=body, headers=headers)


def ok(data: Any = OK) -> httpx.Response:
    return httpx.Response(200, content=envelope(data))


# ---- typed by status -----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason", "expected"), [
    (400, "some_new_reason", ValidationError),
    (401, "unauthorized", AuthError),
    (403, "plan_subscription_required", NotAllowedError),
    (403, None, NotAllowedError),
    (404, "session_not_found", NotFoundError),
    (404, "website_not_found", NotFoundError),
    (404, "not_subscribed", NotSubscribedError),
    (409, "whatever", ConflictError),
    (418, "teapot", ApiError),
    (402, "invalid_session", AuthError),  # a known reason wins over the status
    (400, "people_exists", ConflictError),
    (403, "not_found", NotFoundError),
])
async def test_unknown_reasons_are_typed_by_status(status: int, reason: str | None,
                                                   expected: type[ApiError]) -> None:
    mock = mock_api(lambda r: refusal(status, reason, "words"))
    async with mock.api as api:
        with pytest.raises(ApiError) as err:
            await api.get_website("w")
    assert type(err.value) is expected
    assert err.value.status == status and err.value.message == "words"
    assert len(mock.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
async def test_5xx_is_a_server_error_whatever_the_reason(status: int) -> None:
    mock = mock_api(lambda r: refusal(status, "not_found"), retry=replace(FAST,
                                                                          max_attempts=2))
    async with mock.api as api:
        with pytest.raises(ServerError) as err:
            await api.get_website("w")
    assert err.value.status == status and len(mock.requests) == 2


@pytest.mark.parametrize(("status", "expected"), [
    (400, ValidationError), (401, AuthError), (403, NotAllowedError), (404, NotFoundError),
    (409, ConflictError)])
async def test_head_errors_are_typed_by_status(status: int, expected: type[ApiError]) -> None:
    mock = mock_api(lambda r: httpx.Response(status))
    async with mock.api as api:
        with pytest.raises(expected):
            await api.check_session()


@pytest.mark.parametrize(("message", "field"), [
    ("data should have required property '.origin'", "origin"),  # Crisp's wording
    ("data should have required property 'origin'", "origin"),  # the sandbox's older one
    ("data.user should have required property '.type'", "user.type"),
    ("data.user should have required property 'type'", "user.type"),
    ("data.content should be >= 1 in length", "content"),
    ("something else entirely", ""),
])
async def test_validation_errors_name_the_field_in_either_wording(message: str,
                                                                  field: str) -> None:
    mock = mock_api(lambda r: refusal(400, "invalid_data", message))
    async with mock.api as api:
        with pytest.raises(ValidationError) as err:
            await api.mark_read("w", "s")
    assert err.value.field == field


# ---- the network ---------------------------------------------------------------------------


def failing(exc_type: type[httpx.TransportError], then: httpx.Response | None = None,
            times: int = 1000) -> Any:
    count = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        if count[0] <= times or then is None:
            raise exc_type("injected", request=request)
        return then

    return answer


@pytest.mark.parametrize(("exc_type", "sent"), [
    (httpx.ConnectError, False), (httpx.ConnectTimeout, False), (httpx.PoolTimeout, False),
    (httpx.ReadError, True), (httpx.ReadTimeout, True), (httpx.WriteError, True),
    (httpx.RemoteProtocolError, True)])
async def test_transport_errors_say_whether_the_request_left(
        exc_type: type[httpx.TransportError], sent: bool) -> None:
    mock = mock_api(failing(exc_type))
    async with mock.api as api:
        with pytest.raises(TransportError) as err:
            await api.create_conversation("w")  # a POST: repeated only if it never left
    assert err.value.sent is sent
    assert len(mock.requests) == (1 if sent else FAST.max_attempts)


async def test_a_send_is_not_repeated_after_a_5xx_or_a_reset() -> None:
    for answer in (lambda r: refusal(503, "service_unavailable"), failing(httpx.ReadError)):
        mock = mock_api(answer)
        async with mock.api as api:
            with pytest.raises((ServerError, TransportError)):
                await api.send_message("w", "s", type="text", content="x", fingerprint=1)
        assert mock.methods() == ["POST"]


async def test_a_rate_limited_send_is_sent_again() -> None:
    answers = iter([refusal(429, "rate_limited", retry_after="0"),
                    ok({"fingerprint": 1})])
    clock = FakeClock()
    mock = mock_api(lambda r: next(answers), **clock.kwargs())
    async with mock.api as api:
        assert await api.send_message("w", "s", type="text", content="x", fingerprint=1) == 1
    assert mock.methods() == ["POST", "POST"]  # refused by the limiter: not processed


async def test_network_retries_stop_at_max_elapsed() -> None:
    clock = FakeClock()

    def slow_failure(request: httpx.Request) -> httpx.Response:
        clock.advance(10.0)  # each attempt takes 10 s before it fails
        raise httpx.ReadTimeout("slow", request=request)

    policy = replace(FAST, max_attempts=100, max_elapsed=30.0)
    mock = mock_api(slow_failure, retry=policy, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(TransportError):
            await api.get_website("w")
    assert len(mock.requests) == 3  # 30 s spent: a 4th attempt would pass max_elapsed


async def test_5xx_retries_stop_at_max_elapsed_even_without_time_passing() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=100, base_delay=4.0, max_delay=8.0, jitter=0.0,
                         max_elapsed=30.0)
    mock = mock_api(lambda r: refusal(503), retry=policy, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(ServerError):
            await api.get_website("w")
    assert clock.delays == [4.0, 8.0, 8.0, 8.0]  # 28 s; another 8 s would pass 30
    assert len(mock.requests) == 5


# ---- rate limit or spent quota -------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 420])
@pytest.mark.parametrize("reason", ["rate_limited", None, "too_many"])
async def test_the_opaque_quota_is_a_spent_quota(status: int, reason: str | None) -> None:
    clock = FakeClock()
    mock = mock_api(lambda r: refusal(status, reason), **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError) as err:
            await api.get_website("w")
        assert (err.value.status, err.value.local, err.value.resets_at) == (status, False,
                                                                            MIDNIGHT)
        assert api.gate.spent
        with pytest.raises(QuotaExceededError) as local:
            await api.list_conversations("w")
        assert local.value.local and local.value.resets_at == MIDNIGHT
        assert "00:00 UTC" in str(local.value)
    assert len(mock.requests) == 1 and clock.delays == []


@pytest.mark.parametrize(("retry_after", "resets_in"), [
    ("31", timedelta(seconds=31)),
    ("3600", timedelta(hours=1)),
    ("86400", MIDNIGHT - FakeClock().wall_datetime()),  # beyond midnight: midnight
    ("1e300", MIDNIGHT - FakeClock().wall_datetime()),  # no OverflowError either
    ("Infinity", MIDNIGHT - FakeClock().wall_datetime()),  # unusable: none given
    ("Wed, 01 May 2024 13:00:00 GMT", timedelta(hours=1)),
])
async def test_anything_but_a_short_retry_after_is_a_spent_quota(
        retry_after: str, resets_in: timedelta) -> None:
    clock = FakeClock()
    mock = mock_api(lambda r: refusal(429, "rate_limited", retry_after=retry_after),
                    **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(QuotaExceededError) as err:
            await api.check_session()
    assert err.value.resets_at - clock.wall_datetime() == resets_in
    assert len(mock.requests) == 1


async def test_quota_limited_is_a_spent_quota_even_with_a_short_retry_after() -> None:
    mock = mock_api(lambda r: refusal(429, "quota_limited", retry_after="1"))
    async with mock.api as api:
        with pytest.raises(QuotaExceededError):
            await api.get_website("w")
    assert len(mock.requests) == 1


@pytest.mark.parametrize("retry_after", ["0", "0.0", "-3", "0.001"])
async def test_retry_after_0_forever_is_bounded(retry_after: str) -> None:
    clock = FakeClock()
    mock = mock_api(lambda r: refusal(429, "rate_limited", retry_after=retry_after),
                    **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(RateLimitError) as err:
            await api.get_website("w")
    assert not isinstance(err.value, QuotaExceededError)
    assert len(mock.requests) == FAST.rate_limit_attempts + 1
    floor = FAST.rate_limit_min_delay
    assert clock.delays == pytest.approx([floor * 2 ** i for i in range(4)])


async def test_the_attempt_cap_holds_with_defaults() -> None:
    clock = FakeClock()
    mock = mock_api(lambda r: refusal(420, retry_after="0"), retry=RetryPolicy(),
                    **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(RateLimitError):
            await api.get_website("w")
    assert len(mock.requests) == RetryPolicy().rate_limit_attempts + 1 == 5
    assert clock.delays == [1.0, 2.0, 4.0, 8.0]


async def test_the_total_wait_is_capped() -> None:
    clock = FakeClock()
    policy = replace(FAST, rate_limit_attempts=100, rate_limit_max_wait=60.0)
    mock = mock_api(lambda r: refusal(429, retry_after="25"), retry=policy, **clock.kwargs())
    async with mock.api as api:
        with pytest.raises(RateLimitError):
            await api.get_website("w")
    assert clock.delays == [25.0, 25.0]  # a third pause would make 75 s
    assert len(mock.requests) == 3


async def test_waiting_on_another_requests_pause_counts_too() -> None:
    clock = FakeClock(manual=True)
    policy = replace(FAST, rate_limit_attempts=100, rate_limit_max_wait=30.0)
    late = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/slow"):  # in flight before the pause; limited when it returns
            await late.wait()
            return refusal(429, retry_after="25")
        if path.endswith("/limited"):
            return refusal(429, retry_after="20")
        return ok()

    mock = mock_api(answer, retry=policy, **clock.kwargs())
    async with mock.api as api:
        slow = asyncio.create_task(api.request("GET", "slow"))
        limited = asyncio.create_task(api.request("GET", "limited"))
        await until(lambda: clock.sleeping == 1, "the first pause")  # until t+20
        other = asyncio.create_task(api.get_website("w"))
        await until(lambda: clock.sleeping == 2, "the other request to wait")
        clock.advance(10.0)
        late.set()  # at t+10, 25 s more: the pause now lasts until t+35
        await until(lambda: clock.sleeping == 3, "the slow request's pause")
        clock.advance(10.0)
        with pytest.raises(RateLimitError) as err:  # 20 + 15 s would pass its 30 s
            await other
        assert "paused by rate limits for longer than 30 s" in str(err.value)
        for task in (slow, limited):
            task.cancel()
        await asyncio.gather(slow, limited, return_exceptions=True)
    assert [r.url.path for r in mock.requests] == ["/v1/slow", "/v1/limited"]


async def test_a_rate_limited_request_pauses_the_others() -> None:
    clock = FakeClock(manual=True)
    answers = iter([refusal(429, retry_after="5"), ok(), ok()])
    mock = mock_api(lambda r: next(answers), **clock.kwargs())
    async with mock.api as api:
        first = asyncio.create_task(api.get_website("a"))
        await until(lambda: clock.sleeping == 1, "the pause")
        second = asyncio.create_task(api.get_website("b"))
        await until(lambda: clock.sleeping == 2, "the second request to wait")
        assert len(mock.requests) == 1  # the second waits for the pause too
        clock.advance(5.0)
        assert await first == OK and await second == OK
    assert len(mock.requests) == 3

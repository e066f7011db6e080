"""Unit tests of answers the sandbox never gives (a non-JSON body from a proxy, odd statuses,
HTTP-date Retry-After). These use httpx.MockTransport ON PURPOSE: the sandbox always answers a
JSON envelope, so these shapes cannot be produced over loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from crisp_console.api import CrispApi, RetryPolicy
from crisp_console.api.wire import encode_params, iso_utc, parse_retry_after
from crisp_console.errors import (
    ApiError,
    ConflictError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from crisp_console.types import Credentials

TINY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002,
                   rate_limit_min_delay=0.001)


def mock_api(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[CrispApi, list[str]]:
    calls: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return handler(request)

    api = CrispApi("http://127.0.0.1:9", Credentials("id", "key"), retry=TINY,
                   transport=httpx.MockTransport(record))
    return api, calls


@pytest.mark.asyncio
async def test_non_json_success_is_a_protocol_error() -> None:
    api, _ = mock_api(lambda r: httpx.Response(200, text="<html>hi</html>"))
    async with api:
        with pytest.raises(ProtocolError) as err:
            await api.connect_account()
    assert err.value.where == "GET plugin/connect/account"
    assert "cannot read" in str(err.value) and "not a JSON envelope" in str(err.value)


@pytest.mark.asyncio
async def test_non_json_4xx_is_an_invalid_response() -> None:
    api, calls = mock_api(lambda r: httpx.Response(400, text="Bad Request"))
    async with api:
        with pytest.raises(ApiError) as err:
            await api.connect_account()
    assert (type(err.value), err.value.status, err.value.reason) == (ApiError, 400,
                                                                     "invalid_response")
    assert calls == ["GET"]


@pytest.mark.asyncio
async def test_non_json_5xx_is_retried_then_a_server_error() -> None:
    api, calls = mock_api(lambda r: httpx.Response(502, text="Bad Gateway"))
    async with api:
        with pytest.raises(ServerError) as err:
            await api.connect_account()
    assert (err.value.status, err.value.reason) == (502, "invalid_response")
    assert calls == ["GET"] * 3


@pytest.mark.asyncio
async def test_non_json_429_is_still_a_rate_limit() -> None:
    answers = iter([httpx.Response(429, text="slow down", headers={"Retry-After": "0"}),
                    httpx.Response(200, json={"error": False, "reason": "resolved",
                                              "data": {"plugin_id": "p"}})])
    api, calls = mock_api(lambda r: next(answers))
    async with api:
        assert await api.connect_account() == {"plugin_id": "p"}
    assert calls == ["GET", "GET"]


@pytest.mark.asyncio
async def test_other_reasons_and_statuses() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/teapot"):
            return httpx.Response(418, json={"error": True, "reason": "teapot",
                                             "data": {"message": "short and stout"}})
        if request.url.path.endswith("/exists"):
            return httpx.Response(400, json={"error": True, "reason": "website_exists",
                                             "data": []})
        return httpx.Response(200, json={"error": False, "reason": "resolved"})

    api, _ = mock_api(answer)
    async with api:
        with pytest.raises(ApiError) as err:
            await api.request("GET", "teapot")
        assert (type(err.value), err.value.status, err.value.reason, err.value.message) == (
            ApiError, 418, "teapot", "short and stout")
        with pytest.raises(ConflictError) as conflict:  # any *_exists reason
            await api.request("GET", "exists")
        assert conflict.value.data == {}  # a non-object data is not passed on
        assert await api.request("GET", "nodata") == {}  # a missing data reads as {}


@pytest.mark.asyncio
async def test_a_long_retry_after_is_a_spent_quota() -> None:
    api, calls = mock_api(lambda r: httpx.Response(
        420, headers={"Retry-After": "3600"},
        json={"error": True, "reason": "rate_limited", "data": {"message": "calm"}}))
    async with api:
        with pytest.raises(QuotaExceededError) as err:  # one hour: no short rate limit
            await api.connect_account()
    assert (err.value.status, err.value.retry_after, err.value.local) == (420, 3600.0, False)
    assert isinstance(err.value, RateLimitError)
    assert calls == ["GET"]


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("2", now) == 2.0
    assert parse_retry_after("0.25", now) == 0.25
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0  # past: no wait
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after("1e300", now) == 1e300
    for junk in (None, "", "soon", "nan", "inf", "-inf", "1e400", "Infinity",
                 "Mon, 01 Jan 99999 00:00:00 GMT", "Mon, 32 Foo 2024 99:99:99 GMT"):
        assert parse_retry_after(junk, now) is None


def test_query_encoding() -> None:
    when = datetime(2018, 3, 1, 17, 0, 0, 123456, tzinfo=UTC)
    assert iso_utc(when) == "2018-03-01T17:00:00.123Z"
    assert iso_utc(when.replace(tzinfo=None)) == "2018-03-01T17:00:00.123Z"
    assert encode_params({"a": True, "b": False, "c": None, "d": 3, "e": when,
                          "f": [{"criterion": "x"}]}) == {
        "a": "1", "b": "0", "d": "3", "e": "2018-03-01T17:00:00.123Z",
        "f": '[{"criterion":"x"}]'}
    assert encode_params(None) is None

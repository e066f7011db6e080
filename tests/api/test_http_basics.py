"""CrispApi's transport rules: HTTPS only (but loopback), headers, error mapping, closing."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from crisp_console.api import CrispApi, RetryPolicy
from crisp_console.errors import (
    ApiError,
    AuthError,
    ClosedError,
    InsecureHostError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    ValidationError,
)
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.api.conftest import ApiFactory
from tests.api.helpers import RecordingTransport, bound_website, set_faults, unbound_website
from tests.clock import VirtualClock
from tests.sandbox.conftest import HeldSleep

CREDS = Credentials("ident", "secret-key")


@pytest.mark.parametrize("url", [
    "http://example.com", "http://example.com/v1/", "http://10.0.0.1:8080",
    "http://localhost.example.com", "ftp://127.0.0.1/", "api.crisp.chat", "",
    "http://[::2]:80/",
])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureHostError):
        CrispApi(url, CREDS)


@pytest.mark.parametrize(("url", "normalised"), [
    ("https://api.crisp.chat", "https://api.crisp.chat/v1/"),
    ("https://api.crisp.chat/v1", "https://api.crisp.chat/v1/"),
    ("https://api.crisp.chat/v1/", "https://api.crisp.chat/v1/"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1/"),
    ("http://127.9.9.9:1/v1/", "http://127.9.9.9:1/v1/"),
    ("http://localhost:8765/", "http://localhost:8765/v1/"),
    ("http://[::1]:8765/v1", "http://[::1]:8765/v1/"),
    ("https://proxy.example/crisp", "https://proxy.example/crisp/v1/"),
])
def test_https_or_loopback_is_accepted_and_normalised(url: str, normalised: str) -> None:
    # Built outside any event loop: the httpx client is only created on the first request.
    crisp = CrispApi(url, CREDS)
    assert crisp.base_url == normalised
    assert "secret-key" not in repr(crisp)


@pytest.mark.asyncio
async def test_headers_on_crisp_requests(make_api: ApiFactory, sandbox: Sandbox) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec, user_agent="crisp-console-test/9")
    await crisp.connect_account()
    headers = rec.sent[0].headers
    token = sandbox.state.token
    basic = base64.b64encode(f"{token.identifier}:{token.key}".encode()).decode()
    assert headers["Authorization"] == f"Basic {basic}"
    assert headers["X-Crisp-Tier"] == "plugin"
    assert headers["User-Agent"] == "crisp-console-test/9"
    assert rec.sent[0].path == "/v1/plugin/connect/account"


@pytest.mark.asyncio
async def test_default_user_agent_names_the_version(make_api: ApiFactory) -> None:
    from crisp_console import __version__

    rec = RecordingTransport()
    await make_api(transport=rec).connect_account()
    assert rec.sent[0].headers["User-Agent"] == f"crisp-console/{__version__}"


@pytest.mark.asyncio
async def test_wrong_key_is_an_auth_error(make_api: ApiFactory, sandbox: Sandbox) -> None:
    crisp = make_api(key="wrong-key")
    with pytest.raises(AuthError) as err:
        await crisp.connect_account()
    assert (err.value.status, err.value.reason, err.value.message) == (
        401, "invalid_session", "invalid token")
    # HEAD answers have no body: the status alone names the error.
    with pytest.raises(AuthError) as err:
        await crisp.check_session()
    assert (err.value.status, err.value.reason) == (401, "invalid_session")


@pytest.mark.asyncio
async def test_error_reasons_map_to_error_types(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    with pytest.raises(ValidationError) as invalid:
        await crisp.set_state(wid, (await crisp.create_conversation(wid)), "sleeping")
    assert (invalid.value.status, invalid.value.reason) == (400, "invalid_data")
    assert invalid.value.message == "data.state should be equal to one of the allowed values"
    assert invalid.value.data == {"namespace": "data", "message": invalid.value.message}

    with pytest.raises(NotFoundError) as missing:  # whichever 404 reason names it
        await crisp.get_conversation(wid, "session_unknown")
    assert (missing.value.status, missing.value.reason) in {(404, "not_found"),
                                                            (404, "session_not_found")}
    with pytest.raises(NotFoundError):
        await crisp.get_website("no-such-website")

    unbound = unbound_website(sandbox)
    with pytest.raises(NotSubscribedError) as unsubscribed:
        await crisp.get_website(unbound)
    assert (unsubscribed.value.status, unsubscribed.value.reason) == (404, "not_subscribed")
    assert unsubscribed.value.message == "the website is not subscribed to the plugin"
    with pytest.raises(NotSubscribedError):
        await crisp.list_conversations(unbound)

    # A visitor message to a blocked conversation is not allowed.
    sid = await crisp.create_conversation(wid)
    await crisp.set_block(wid, sid, True)
    with pytest.raises(NotAllowedError) as refused:
        await crisp.send_message(wid, sid, type="text", content="hi", fingerprint=5,
                                 from_="user")
    assert (refused.value.status, refused.value.reason) == (403, "not_allowed")


@pytest.mark.asyncio
async def test_aclose_is_idempotent_and_final(make_api: ApiFactory) -> None:
    unused = make_api()
    await unused.aclose()  # never opened a connection
    await unused.aclose()
    with pytest.raises(ClosedError):
        await unused.connect_account()

    crisp = make_api()
    await crisp.connect_account()
    await crisp.aclose()
    await crisp.aclose()
    assert crisp.closed
    with pytest.raises(ClosedError):
        await crisp.connect_account()
    with pytest.raises(ClosedError):
        await crisp.upload("http://127.0.0.1:1/x", b"", "text/plain")


@pytest.mark.asyncio
async def test_aclose_wakes_requests_waiting_out_a_rate_limit(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    clock = VirtualClock()  # the pause can only end by being woken: this clock stands still
    crisp = make_api(retry=RetryPolicy(rate_limit_max_wait=600.0), sleep=clock.sleep,
                     clock=clock.monotonic)
    await set_faults(admin, burst_429=1, retry_after=20)  # short: a pause, not a spent quota
    pending = asyncio.create_task(crisp.connect_account())
    async with asyncio.timeout(5):
        while not clock.sleeping:  # until the 429 came back and the pause began
            await asyncio.sleep(0.01)
    assert clock.sleeps == [20.0]
    await crisp.aclose()
    with pytest.raises(ClosedError):
        await asyncio.wait_for(pending, 5.0)


@pytest.mark.asyncio
async def test_async_with_closes(sandbox: Sandbox) -> None:
    info = sandbox.info()
    async with CrispApi(info["rest"], Credentials(info["identifier"], info["key"])) as crisp:
        assert await crisp.check_session() is True
    assert crisp.closed


@pytest.mark.asyncio
async def test_request_returns_data_for_any_route(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    stats = await crisp.request("GET", f"/website/{wid}/people/stats")
    assert stats == {"total": sum(1 for p in sandbox.state.people.values()
                                  if p.website_id == wid)}
    with pytest.raises(ApiError) as err:  # an unknown route: the envelope says not_found
        await crisp.request("GET", "no/such/route")
    assert err.value.reason == "not_found"


@pytest.mark.asyncio
async def test_aclose_fails_a_request_in_flight_with_closed_error(
        sandbox: Sandbox, make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    crisp = make_api()
    await crisp.connect_account()  # the pool holds a connection now
    sandbox.faults.sleep = held = HeldSleep()
    await set_faults(admin, latency_ms=300)
    pending = asyncio.create_task(crisp.connect_account())
    await held.until_held(1)  # the request is on the wire, the server is holding it
    await crisp.aclose()
    with pytest.raises(ClosedError):
        await asyncio.wait_for(pending, 5.0)
    held.release()

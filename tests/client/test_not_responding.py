"""'Not responding' from the console's own requests (api/reach.py, client/health.py), and a
REST answer that ends the live feed's reconnect wait (gateway.rest_answered). Units on a
fake clock; then the real thing: a sandbox process frozen with SIGSTOP, and the in-process
sandbox dropping the live feed."""

from __future__ import annotations

import sys
from dataclasses import replace

import httpx
import pytest

from crisp_console.api import CrispApi, QuotaGate
from crisp_console.api.reach import Reach, Settled
from crisp_console.client import ConnectionState, ConsoleClient
from crisp_console.client.health import HealthMonitor
from crisp_console.errors import ServerError, TransportError
from crisp_console.realtime import Backoff, Liveness, ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.client.conftest import FAST, FakeTime, make_client, until
from tests.realtime.frozen import sandbox_process


def since(reach: Reach) -> float | None:
    """``reach.unanswered_since``, read afresh (a call is not narrowed by an earlier assert)."""
    return reach.unanswered_since


def reach_on(time: FakeTime) -> tuple[Reach, list[float | None]]:
    reach = Reach(time.clock)
    changes: list[float | None] = []
    reach.waits.add(changes.append)
    return reach, changes


def test_a_waiting_request_is_unanswered_since_it_left() -> None:
    time = FakeTime()
    reach, changes = reach_on(time)
    assert since(reach) is None
    first = reach.sent()
    time.advance(2)
    second = reach.sent()
    assert since(reach) == 1000.0  # the oldest
    time.advance(3)
    answers: list[int] = []
    reach.answers.add(answers.append)
    reach.settled(first, Settled.ANSWERED, 200)
    assert since(reach) == 1005.0  # Crisp answers: the count starts again
    assert answers == [200]
    reach.settled(second, Settled.ANSWERED, 404)  # any answer is one
    assert since(reach) is None
    assert changes == [1000.0, 1005.0, None] and answers == [200, 404]


def test_a_timeout_keeps_crisp_silent_until_an_answer_and_a_refusal_is_not_silence() -> None:
    time = FakeTime()
    reach, _ = reach_on(time)
    token = reach.sent()
    time.advance(10)
    reach.settled(token, Settled.TIMED_OUT)
    assert since(reach) == 1000.0  # nothing waits, but Crisp never answered
    cancelled = reach.sent()
    reach.settled(cancelled, Settled.OTHER)  # says nothing either way
    assert since(reach) == 1000.0
    reach.settled(reach.sent(), Settled.ANSWERED, 200)
    assert since(reach) is None
    token = reach.sent()
    reach.settled(token, Settled.TIMED_OUT)
    reach.settled(reach.sent(), Settled.REFUSED)  # down (or offline): not silent
    assert since(reach) is None
    reach.settled(token, Settled.ANSWERED)  # a token settles once
    assert since(reach) is None


def test_health_says_not_responding_once_the_wait_is_long_enough() -> None:
    time = FakeTime()
    reach, _ = reach_on(time)
    silent: list[float | None] = [None]
    monitor = HealthMonitor(QuotaGate(), catching_up=lambda: False, problem=lambda: "",
                            feed_silent=lambda: silent[0], unanswered=lambda: since(reach),
                            no_answer_after=6.0, clock=time.clock)
    seen: list[bool] = []
    monitor.observe(lambda health: seen.append(health.not_responding))
    reach.waits.add(lambda _since: monitor.refresh())
    token = reach.sent()
    time.advance(5.5)
    monitor.refresh()
    assert not monitor.current.not_responding  # 5.5 s: slow, not silent
    time.advance(0.5)
    monitor.refresh()  # what its timer does (no loop here)
    health = monitor.current
    assert (health.requests_unanswered_since, health.feed_silent_since) == (1000.0, None)
    reach.settled(token, Settled.ANSWERED, 200)
    assert not monitor.current.not_responding
    silent[0] = 1234.0
    monitor.refresh()
    health = monitor.current
    assert (health.feed_silent_since, health.not_responding) == (1234.0, True)
    assert seen == [True, False, True]
    monitor.close()


@pytest.mark.asyncio
async def test_the_monitors_timer_says_it_without_another_request() -> None:
    """On a running loop, the threshold's crossing is noticed by the monitor's own timer."""
    reach = Reach()
    monitor = HealthMonitor(QuotaGate(), catching_up=lambda: False, problem=lambda: "",
                            unanswered=lambda: reach.unanswered_since, no_answer_after=0.05)
    reach.waits.add(lambda _since: monitor.refresh())
    token = reach.sent()
    await until(lambda: monitor.current.not_responding, what="the timer's refresh")
    reach.settled(token, Settled.ANSWERED, 200)
    assert not monitor.current.not_responding
    monitor.close()


@pytest.mark.asyncio
async def test_the_api_tells_reach_how_each_request_ended() -> None:
    statuses = [200, 503]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("slow"):
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(statuses.pop(0), json={"error": False, "reason": "ok",
                                                     "data": {}})

    api = CrispApi("http://127.0.0.1:9/", Credentials("id", "key"),
                   transport=httpx.MockTransport(handle), retry=FAST.retry)
    answers: list[int] = []
    api.reach.answers.add(answers.append)
    try:
        await api.request("GET", "website/w")
        assert answers == [200] and since(api.reach) is None
        with pytest.raises(ServerError):  # a POST is not repeated after a 5xx
            await api.request("POST", "website/w/x")
        assert answers == [200, 503]
        with pytest.raises(TransportError):
            await api.request("POST", "website/w/slow")
        assert since(api.reach) is not None  # timed out: silent until an answer
    finally:
        await api.aclose()


# ---- against real servers ----------------------------------------------------------------

QUICK = replace(FAST, no_answer_after=0.5)


@pytest.mark.asyncio
@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP")
async def test_a_request_to_a_frozen_crisp_says_not_responding_then_gets_its_answer() -> None:
    async with sandbox_process() as sandbox:
        info = sandbox.info
        client = ConsoleClient(sandbox.rest, Credentials(info["identifier"], info["key"]),
                               config=QUICK)
        try:
            await client.start()
            assert not client.health.not_responding
            sandbox.freeze()
            website = info["websites"][0]
            request = client.tasks.spawn(client.api.request("GET", f"website/{website}"),
                                         "frozen request")
            assert request is not None
            await until(lambda: client.health.requests_unanswered_since is not None,
                        timeout=10, what="Not responding")
            sandbox.thaw()
            assert (await request)["website_id"] == website  # it was waiting, not lost
            assert client.health.requests_unanswered_since is None
        finally:
            await client.aclose()


@pytest.mark.asyncio
async def test_a_rest_answer_ends_the_live_feeds_long_reconnect_wait(
        sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    slow = ReconnectPolicy(Backoff(first_delay=60.0, base=60.0, cap=60.0, jitter=0.0),
                           connect_timeout=5.0, liveness=Liveness(probe_interval=None))
    client = make_client(sandbox, config=replace(FAST, reconnect=slow))
    try:
        await client.start()
        gateway = client.gateway
        await admin.post("sockets/drop")
        await until(lambda: gateway.retry_at is not None, what="a 60 s wait begun")
        await client.api.request("GET", "plugin/connect/account")
        await until(lambda: gateway.state is ConnectionState.CONNECTED,
                    what="reconnected after the REST answer")
        assert gateway.shortcuts == {"rest": 1}
    finally:
        await client.aclose()

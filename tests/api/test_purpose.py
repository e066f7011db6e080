"""Requests counted by purpose, checked against the sandbox's own log of what it received:
every attempt that reached it counts (retries and rate-limited ones too), a request the
quota gate refuses locally or one that never connected does not."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from crisp_console.api import PURPOSES, CrispApi, purpose, tagged
from crisp_console.api.purpose import Purpose, current_purpose
from crisp_console.errors import QuotaExceededError, ServerError, TransportError
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.api.conftest import ApiFactory
from tests.api.helpers import (
    FAST,
    MIDNIGHT,
    FakeClock,
    bound_website,
    conversation_with_messages,
    set_faults,
)

pytestmark = pytest.mark.asyncio


def counts(crisp: CrispApi) -> dict[str, int]:
    """The non-zero counts (every purpose is listed, most are 0)."""
    return {name: n for name, n in crisp.requests_by_purpose().items() if n}


async def test_every_purpose_is_listed_from_the_start(crisp: CrispApi) -> None:
    assert crisp.requests_by_purpose() == dict.fromkeys(PURPOSES, 0)
    assert set(PURPOSES) == {"start-up", "reconcile", "open", "history", "list", "backfill",
                             "search", "poll", "send",
                             "other"}


async def test_requests_count_under_the_innermost_purpose(crisp: CrispApi,
                                                          sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    sid = conversation_with_messages(sandbox, wid)
    mark = sandbox.requests.total
    await crisp.check_session()  # no purpose: other
    with purpose("start-up"):
        await crisp.connect_account()
        with purpose("open"):
            await crisp.get_messages(wid, sid)
            await crisp.list_pages(wid, sid)
        await crisp.get_website(wid)
    assert current_purpose() == "other"
    assert counts(crisp) == {"other": 1, "start-up": 2, "open": 2}
    assert [(r.method, r.path) for r in sandbox.requests.since(mark)] == [
        ("HEAD", "plugin/connect/session"), ("GET", "plugin/connect/account"),
        ("GET", f"website/{wid}/conversation/{sid}/messages"),
        ("GET", f"website/{wid}/conversation/{sid}/pages/1"), ("GET", f"website/{wid}")]
    assert crisp.requests.total == len(sandbox.requests.since(mark))


async def test_tasks_inherit_the_purpose_and_tagged_functions_set_their_own(
        crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)

    @tagged("poll")
    async def poll() -> None:
        await crisp.connect_websites_since(MIDNIGHT)

    async def website() -> None:
        await crisp.get_website(wid)

    mark = sandbox.requests.total
    with purpose("reconcile"):
        task = asyncio.get_running_loop().create_task(website())  # made here: reconcile
        await poll()
    await task
    await asyncio.gather(*(website() for _ in range(3)))  # here: other
    assert counts(crisp) == {"reconcile": 1, "poll": 1, "other": 3}
    assert len(sandbox.requests.since(mark)) == 5


async def test_retries_count_as_requests(make_api: ApiFactory, sandbox: Sandbox,
                                         admin: httpx.AsyncClient) -> None:
    crisp = make_api()
    wid = bound_website(sandbox)
    await set_faults(admin, error_rate=1.0)
    mark = sandbox.requests.total
    with purpose("poll"), pytest.raises(ServerError):
        await crisp.get_website(wid)
    assert counts(crisp) == {"poll": FAST.max_attempts}
    assert len(sandbox.requests.since(mark)) == FAST.max_attempts
    await set_faults(admin, error_rate=0.0, burst_429=2, retry_after=0.02)
    with purpose("open"):
        await crisp.get_website(wid)  # two rate-limited answers, then the real one
    assert counts(crisp) == {"poll": FAST.max_attempts, "open": 3}
    assert len(sandbox.requests.since(mark)) == FAST.max_attempts + 3


async def test_requests_the_gate_refuses_are_not_counted(make_api: ApiFactory,
                                                         sandbox: Sandbox,
                                                         admin: httpx.AsyncClient) -> None:
    clock = FakeClock()
    crisp = make_api(**clock.kwargs())
    seen: list[tuple[Purpose, int]] = []
    crisp.requests.observe(lambda name, n: seen.append((name, n)))
    await set_faults(admin, burst_429=1)  # no Retry-After: the quota is spent
    mark = sandbox.requests.total
    with purpose("send"):
        with pytest.raises(QuotaExceededError):
            await crisp.check_session()
        for _ in range(3):
            with pytest.raises(QuotaExceededError) as local:
                await crisp.get_website(bound_website(sandbox))
            assert local.value.local
    assert counts(crisp) == {"send": 1} and seen == [("send", 1)]
    assert len(sandbox.requests.since(mark)) == 1
    clock.advance(crisp.gate.probe_interval)  # the probe slot: it goes out and counts
    with purpose("send"):
        await crisp.connect_account()
    assert seen == [("send", 1), ("send", 2)]
    assert len(sandbox.requests.since(mark)) == 2


async def test_attempts_that_never_connected_are_not_counted() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with CrispApi(f"http://127.0.0.1:{port}", Credentials("i", "k"),
                        retry=FAST) as crisp:
        with purpose("send"), pytest.raises(TransportError) as err:
            await crisp.create_conversation("w")
        assert err.value.sent is False
        assert crisp.requests.total == 0


async def test_an_attempt_the_server_dropped_counts(make_api: ApiFactory, sandbox: Sandbox,
                                                    admin: httpx.AsyncClient) -> None:
    crisp = make_api()
    await set_faults(admin, reset_rate=1.0)
    mark = sandbox.requests.total
    with purpose("send"), pytest.raises(TransportError) as err:
        await crisp.create_conversation(bound_website(sandbox))  # a POST: never repeated
    assert err.value.sent is True
    assert counts(crisp) == {"send": 1} and len(sandbox.requests.since(mark)) == 1


async def test_an_unknown_purpose_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown request purpose"), \
            purpose("browse"):  # type: ignore[arg-type]
        pass
    with pytest.raises(ValueError, match="unknown request purpose"):
        tagged("browse")  # type: ignore[arg-type]

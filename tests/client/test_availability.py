"""Crisp's availability of "me": one read per connect, kept current by its RTM event, a 403
in words, and a read that raced an event never wins over it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from crisp_console.client.availability import MyAvailability, availability_type
from crisp_console.client.identity import Identity
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client, until
from tests.client.test_denied import revoke

pytestmark = pytest.mark.asyncio

ROUTE = "/availability/operators"


def reads(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests.entries
               if r.method == "GET" and r.path.endswith(ROUTE))


async def test_one_read_per_connect_and_events_in_between(sandbox: Sandbox,
                                                          admin: httpx.AsyncClient) -> None:
    async with make_client(sandbox) as client:
        await client.start()
        me = client.me
        assert me is not None
        op = sandbox.state.operator(me)
        assert op is not None
        await until(lambda: client.availability.since_ms is not None, what="the first read")
        assert reads(sandbox) == client.availability.requests == 1
        assert client.store.operators[me].availability == op.availability
        first = sandbox.state.websites[client.websites.ids()[0]]
        assert client.availability.since_ms == (op.availability_since or first.created_at)
        assert client.availability.problem == ""

        # Live: the event changes the store and the "since", without a request.
        website_id = sandbox.state.subscribed_website_ids()[0]
        sandbox.state.set_operator_availability(website_id, op, "away")
        await until(lambda: client.store.operators[me].availability == "away",
                    what="the event")
        assert reads(sandbox) == 1

        # A reconnect moments later reads nothing (a flaky network must not spend the
        # quota on this).
        assert (await admin.post("sockets/drop")).status_code == 200
        await until(lambda: client.availability.skipped == 1, timeout=10,
                    what="the reconnect")
        assert reads(sandbox) == client.availability.requests == 1
        # Later: a stale value (what a warm start shows from its cache) is corrected by
        # the read that follows the next connect.
        client.availability.min_interval = 0.0
        client.store.update_operator(me, {"availability": "online"})
        ours = client.availability.requests
        assert (await admin.post("sockets/drop")).status_code == 200
        await until(lambda: client.availability.requests == ours + 1
                    and client.store.operators[me].availability == "away",
                    timeout=10, what="the read after the reconnect")
        assert client.connection_state is ConnectionState.CONNECTED
        assert reads(sandbox) == 2


async def test_a_refused_read_is_said_in_words(sandbox: Sandbox,
                                               admin: httpx.AsyncClient) -> None:
    await revoke(admin, "website:availability")
    async with make_client(sandbox) as client:
        await client.start()  # start-up does not depend on it
        await until(lambda: client.availability.problem != "", what="the refusal")
        assert "not allow" in client.availability.problem.lower()
        assert client.availability.since_ms is None


class HeldApi:
    """operator_availabilities waits until the test answers it."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[list[dict[str, Any]]] | None = None
        self.asked = asyncio.Event()

    async def operator_availabilities(self, website_id: str) -> list[dict[str, Any]]:
        self.answer = asyncio.get_running_loop().create_future()
        self.asked.set()
        return await self.answer


def held(store: Store) -> tuple[MyAvailability, HeldApi]:
    store.set_operators([{"details": {"user_id": "op-me", "availability": "online"}}])
    api = HeldApi()
    mine = MyAvailability(api, store, Identity(store, None), lambda: ["w1"],  # type: ignore[arg-type]
                          TaskOwner(), lambda: 5_000, lambda: 1.0)
    return mine, api


async def test_an_event_during_the_read_wins() -> None:
    store = Store()
    mine, api = held(store)
    reading = asyncio.ensure_future(mine.refresh())
    await api.asked.wait()
    store.update_operator("op-me", {"availability": "away"})  # as the handler does
    mine.on_event("website:update_operators_availability",
                  {"user_id": "op-me", "availability": {"type": "away"}})
    assert api.answer is not None
    api.answer.set_result([{"user_id": "op-me", "type": "online", "time": {"since": 10}}])
    await reading
    assert store.operators["op-me"].availability == "away"
    assert mine.since_ms == 5_000


async def test_hostile_answers_change_nothing_they_should_not() -> None:
    store = Store()
    mine, api = held(store)
    heard: list[int | None] = []
    mine.observe(lambda: heard.append(mine.since_ms))
    reading = asyncio.ensure_future(mine.refresh())
    await api.asked.wait()
    assert api.answer is not None
    api.answer.set_result([{"user_id": "op-me", "type": "x" * 500, "time": {"since": True}}])
    await reading
    assert store.operators["op-me"].availability == "online"
    assert mine.since_ms is None and heard == []  # nothing changed: nobody told
    mine.on_event("website:update_operators_availability", {"user_id": "someone-else"})
    mine.on_event("website:update_operators_availability", "not an object")
    assert heard == []


async def test_availability_type() -> None:
    assert availability_type("Away") == "away"
    assert availability_type("") is None
    assert availability_type("on\nline") is None
    assert availability_type(3) is None

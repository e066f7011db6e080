"""ConsoleClient's requests counted by purpose (api/purpose.py), against the sandbox's own
log of what it received: each part of the client counts under its purpose, and the client's
total is every request the sandbox saw from it."""

from __future__ import annotations

import pytest

from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FAST, FakeTime, make_client, until
from tests.client.test_catchup import new_conversation, visitor_says
from tests.client.test_details import Spent, extra_paths, of_a_contact

pytestmark = pytest.mark.asyncio


async def test_each_part_counts_under_its_purpose(sandbox: Sandbox) -> None:
    time = FakeTime()
    client = make_client(sandbox, clock=time.clock, sleep=time.sleep)
    try:
        await client.start()
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        assert client.api.requests.total == sandbox.requests.total  # the start-up, all of it
        assert client.api.requests_by_purpose()["reconcile"] > 0  # its catch-up

        sid = of_a_contact(client)
        conv = client.store.conversations[sid]
        messages = f"website/{conv.website_id}/conversation/{sid}/messages"
        spent = Spent(sandbox, client)
        await client.loader.open_conversation(sid)
        assert spent.paths() == [messages] and spent.counted() == {"open": 1}

        spent = Spent(sandbox, client)
        await client.loader.load_older(sid)
        assert spent.paths() == [messages] and spent.counted() == {"history": 1}

        spent = Spent(sandbox, client)
        await client.details.load(sid)
        assert spent.paths() == extra_paths(client, sid)
        assert spent.counted() == {"open": len(spent.paths())}

        spent = Spent(sandbox, client)
        await until(lambda: FAST.websites_refresh in time.sleeping, what="the websites poll")
        time.advance(FAST.websites_refresh)
        await until(lambda: spent.counted() == {"poll": 1}, what="the poll's refresh")
        assert spent.paths() == ["plugin/connect/websites/since"]

        # A conversation the live feed names before the store knows it: fetched as owed work.
        spent = Spent(sandbox, client)
        fresh = new_conversation(sandbox, "hello?")
        await until(lambda: fresh in client.store.conversations and not len(client.fetches),
                    what="the owed fetch")
        assert spent.paths() == [f"website/{conv.website_id}/conversation/{fresh}"]
        assert spent.counted() == {"reconcile": 1}

        # A drop of the live feed: the catch-up that follows reconciles.
        spent = Spent(sandbox, client)
        done = client.catchup.completed
        assert sandbox.rtm is not None
        await sandbox.rtm.drop_all()
        visitor_says(sandbox, sid, "during the gap")
        await until(lambda: client.catchup.completed > done
                    and not client.health.catching_up, timeout=10, what="the catch-up")
        assert spent.paths() and set(spent.counted()) == {"reconcile"}
        assert sum(spent.counted().values()) == len(spent.paths())

        assert client.api.requests.total == sandbox.requests.total
    finally:
        await client.aclose()

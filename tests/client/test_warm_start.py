"""Warm start against the sandbox (strict profile) over real sockets, with a real SQLite file:
a second client on the same database shows the inbox before any request, reconciles what
changed while it was away for a handful of requests, and reads its cache offline.

Requests are counted on the sandbox's side (its quota counter counts every /v1 request).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from crisp_console.client import ConsoleClient
from crisp_console.client.team_settings import TeamSettings
from crisp_console.errors import CrispError, NotFoundError
from crisp_console.realtime import ConnectionState
from crisp_console.sandbox.model import Conversation as SandboxConversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.world import now_ms
from tests.client.conftest import FAST, assert_store_matches, make_client, until
from tests.client.db_runner import ThreadRunner
from tests.sandbox.conftest import make_config

pytestmark = pytest.mark.asyncio


def used(sb: Sandbox) -> int:
    """Requests the sandbox has served to the token so far."""
    return int(sb.faults.quota(sb.state.token.identifier)["used"])


@dataclasses.dataclass
class FirstRun:
    ids: set[str]  # the conversations the first client held when it closed
    opened: list[str]  # the conversations it opened (their timelines are cached)
    messages: dict[str, list[int]]


async def first_run(sb: Sandbox, db: Path, opens: int = 3) -> FirstRun:
    """A cold start on an empty database, a few conversations opened, a clean quit."""
    runner = ThreadRunner(db)
    client = make_client(sb, cache=runner)
    try:
        assert await client.restore_cache() is not None  # nothing yet: a cold start follows
        await client.start()
        await until(lambda: client.catchup.completed >= 1, what="the start-up catch-up")
        # Quiet ones (the reconcile's margin cannot reach them), with a few messages each.
        old = now_ms() - 120_000
        candidates = [sid for sid, c in client.store.conversations.items()
                      if c.updated_at < old and len(sb.state.conversations[sid].messages) > 3]
        opened = sorted(candidates)[:opens]
        for sid in opened:
            await client.loader.open_conversation(sid)
        client.save_view(last_open=opened[0], filter="mine", scope=None)
        return FirstRun(set(client.store.conversations), opened,
                        {sid: [m.fingerprint for m in client.store.messages(sid)]
                         for sid in opened})
    finally:
        await client.aclose()
        runner.close()


@pytest_asyncio.fixture
async def second(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[tuple[ConsoleClient, FirstRun]]:
    db = tmp_path / "console.db"
    run = await first_run(sandbox, db)
    runner = ThreadRunner(db)
    client = make_client(sandbox, cache=runner)
    try:
        yield client, run
    finally:
        await client.aclose()
        runner.close()


def visitor_writes(sb: Sandbox, conv: SandboxConversation, text: str) -> None:
    sb.state.add_message(conv, type="text", from_="user", origin="chat", content=text,
                         user=conv.visitor)


async def test_the_cached_inbox_shows_before_any_request_then_reconciles(
        sandbox: Sandbox, second: tuple[ConsoleClient, FirstRun]) -> None:
    client, run = second
    before = used(sandbox)
    restored = await client.restore_cache()
    assert used(sandbox) == before  # not one request
    assert restored is not None and restored.saved_at is not None
    assert set(client.store.conversations) == run.ids
    assert restored.timelines == len(run.opened) and restored.skipped == 0
    assert restored.view == {"last_open": run.opened[0], "filter": "mine", "scope": None,
                             "saved_views": None}
    for sid in run.opened:
        assert client.store.timeline_loaded(sid)
        assert [m.fingerprint for m in client.store.messages(sid)] == run.messages[sid]
    assert set(client.store.websites) == set(sandbox.state.subscribed_website_ids())
    assert client.store.operators

    # While the console was away: a visitor wrote in an opened conversation, a new one began.
    state = sandbox.state
    visitor_writes(sandbox, state.conversations[run.opened[0]], "written while away")
    website_id = state.subscribed_website_ids()[0]
    fresh = state.create_conversation(website_id)
    visitor_writes(sandbox, fresh, "a new conversation while away")

    await client.start()
    await until(lambda: client.catchup.completed >= 1 and not client.catchup.owed,
                what="the reconcile")
    assert client.store.conversations[fresh.session_id].last_message == \
        "a new conversation while away"
    assert "written while away" in [m.content for m in client.store.messages(run.opened[0])]
    assert_store_matches(sandbox, client)


async def test_the_restored_rows_share_their_meta_once_started(
        second: tuple[ConsoleClient, FirstRun]) -> None:
    """The restore leaves the sharing of heavy meta values to after the first frame: once
    started, equal device values of restored rows are one object, as after a REST load."""
    client, _ = second
    await client.restore_cache()
    by_json: dict[str, list[str]] = {}
    for sid, conv in client.store.conversations.items():
        device = conv.meta.get("device")
        if device:
            by_json.setdefault(json.dumps(device, sort_keys=True), []).append(sid)
    a, b = next(ids for ids in by_json.values() if len(ids) > 1)[:2]
    before = dict(client.store.conversations[a].meta)
    await client.start()
    convs = client.store.conversations
    await until(lambda: convs[a].meta["device"] is convs[b].meta["device"],
                what="the restored meta shared")
    assert convs[a].meta == before


async def test_an_unchanged_inbox_costs_at_most_five_requests(
        sandbox: Sandbox, second: tuple[ConsoleClient, FirstRun]) -> None:
    client, _ = second
    await client.restore_cache()
    before = used(sandbox)
    await client.start()
    await until(lambda: client.catchup.completed >= 1 and not client.catchup.owed,
                what="the reconcile")
    assert client.connection_state is ConnectionState.CONNECTED
    # Get Connect Endpoints, List Connect Websites Since, one List Conversations a website,
    # and one List Website Operator Availabilities (the cached availability of "me" may be
    # hours old: client/availability.py).
    await until(lambda: client.availability.since_ms is not None, what="my availability read")
    assert used(sandbox) - before <= 5
    assert used(sandbox) - before == 2 + len(sandbox.state.subscribed_website_ids()) + 1


async def test_team_settings_come_from_the_cache_then_the_reconcile(
        sandbox: Sandbox, second: tuple[ConsoleClient, FirstRun]) -> None:
    """No Get Subscription Settings for the team settings: the cache has them, and the
    reconcile's websites since reads those of a website that changed while away."""
    client, _ = second
    state = sandbox.state
    changed = state.websites[state.subscribed_website_ids()[0]]
    hello = {"shortcut": "hello", "title": "Greeting", "text": "Hi! How can I help?"}
    state.save_settings(changed, {**changed.settings, "canned_responses": [hello]})
    await client.restore_cache()
    mark = sandbox.requests.total
    await client.start()
    team = TeamSettings(client)
    assert set(await team.load_all()) == set(client.websites.ids())
    await until(lambda: client.catchup.completed >= 1 and not client.catchup.owed,
                what="the reconcile")
    assert team.canned(changed.website_id) == [hello]
    reads = [r.path for r in sandbox.requests.since(mark)
             if r.method == "GET" and r.path.startswith("plugins/subscription/")]
    assert reads == [f"plugins/subscription/{changed.website_id}/{client.websites.plugin_id}"
                     "/settings"]  # the reconcile's payload of the changed website, only
    team.close()


async def test_opening_a_cached_conversation_costs_one_request_when_nothing_changed(
        sandbox: Sandbox, second: tuple[ConsoleClient, FirstRun]) -> None:
    client, run = second
    await client.restore_cache()
    await client.start()
    await until(lambda: not client.catchup.owed, what="the reconcile")
    sid = run.opened[1]
    shown = [m.fingerprint for m in client.store.messages(sid)]
    before = used(sandbox)
    await client.loader.open_conversation(sid)
    assert used(sandbox) - before == 1
    assert [m.fingerprint for m in client.store.messages(sid)] == shown
    await client.loader.open_conversation(sid)  # verified now: none
    assert used(sandbox) - before == 1


async def test_a_conversation_removed_while_away_goes_when_opened(
        sandbox: Sandbox, second: tuple[ConsoleClient, FirstRun]) -> None:
    client, run = second
    sid = run.opened[2]
    sandbox.state.remove_conversation(sandbox.state.conversations[sid])
    await client.restore_cache()
    await client.start()
    await until(lambda: not client.catchup.owed, what="the reconcile")
    assert sid in client.store.conversations  # not in the reconcile's pages: still shown
    with pytest.raises(NotFoundError):
        await client.loader.open_conversation(sid)
    assert sid not in client.store.conversations
    assert client.persister is not None
    await client.persister.flush()
    runner = client.persister.cache.runner
    assert isinstance(runner, ThreadRunner)
    assert runner.run(lambda conn: conn.execute(
        "SELECT count(*) FROM conversations WHERE session_id = ?", (sid,)).fetchone()[0]) == 0


async def test_the_cache_is_evicted_to_its_cap_in_the_background_after_the_restore(
        sandbox: Sandbox, tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    run = await first_run(sandbox, db)
    runner = ThreadRunner(db)
    size = runner.run(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0]
                      * conn.execute("PRAGMA page_size").fetchone()[0])
    client = make_client(sandbox, cache=runner,
                         config=dataclasses.replace(FAST, cache_cap_bytes=size * 3 // 4))
    try:
        restored = await client.restore_cache()
        assert restored is not None
        assert set(client.store.conversations) == run.ids  # painted first, all of it
        warm = client.warm
        assert warm is not None
        await asyncio.wait_for(warm.eviction_done.wait(), 10)
        assert warm.evicted > 0
        assert client.persister is not None
        assert await client.persister.cache.used_bytes() <= size * 3 // 4
        left = set(runner.run(lambda conn: [r[0] for r in conn.execute(
            "SELECT session_id FROM conversations")]))
        assert len(left) == len(run.ids) - warm.evicted
        assert run.opened[0] in left  # the last open one (and the restored threads) stay
        assert set(restored.timeline_ids) <= left
    finally:
        await client.aclose()
        runner.close()


async def test_an_offline_start_shows_the_cache_and_catches_up_when_crisp_is_back(
        tmp_path: Path) -> None:
    sb = Sandbox(make_config())
    await sb.start()
    try:
        db = tmp_path / "console.db"
        run = await first_run(sb, db)
        await sb.stop()  # the network is gone
        runner = ThreadRunner(db)
        client = make_client(sb, cache=runner)
        try:
            await client.restore_cache()
            await client.start()  # a warm start does not fail for want of Crisp
            assert client.connection_state is not ConnectionState.CONNECTED
            assert "could not be reached" in client.health.catchup_problem
            assert client.health.catching_up
            assert set(client.store.conversations) == run.ids
            for sid in run.opened:
                assert [m.fingerprint for m in client.store.messages(sid)] == run.messages[sid]
            with pytest.raises(CrispError):
                await client.loader.open_conversation(run.opened[0])
            assert [m.fingerprint for m in client.store.messages(run.opened[0])] == \
                run.messages[run.opened[0]]

            await sb.start()  # back, on the same port
            visitor_writes(sb, sb.state.conversations[run.opened[1]], "while offline")
            await until(lambda: client.connection_state is ConnectionState.CONNECTED
                        and not client.catchup.owed, timeout=20, what="back online")
            assert "while offline" in [m.content for m in client.store.messages(run.opened[1])]
            assert client.health.catchup_problem == ""
        finally:
            await client.aclose()
            runner.close()
    finally:
        await sb.stop()

"""The views as server queries: paging each quick filter from the sandbox (strict profile),
exactness, the page-shift guard, the backfill's order, budget and quota floor."""

from __future__ import annotations

import dataclasses

import pytest

from crisp_console.client import ConsoleClient
from crisp_console.core.views import Filter, ListQuery, matches, quick_query
from crisp_console.errors import CrispError
from crisp_console.sandbox.config import Sizes
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FAST, make_client, until

pytestmark = pytest.mark.asyncio

SMALL_PAGES = dataclasses.replace(FAST, per_page=20)


async def server_answer(client: ConsoleClient, website_id: str, query: ListQuery) -> set[str]:
    """Every session id Crisp answers for ``query``, read apart from the pager."""
    return {c["session_id"] async for c in client.api.iter_conversations(
        website_id, per_page=50, **query.as_params())}


async def read_to_end(client: ConsoleClient, query: ListQuery, website_id: str) -> int:
    pages = 0
    while not client.pager.listing(query, website_id).done:
        await client.pager.read_next(query, website_id)
        pages += 1
    return pages


@pytest.mark.sandbox_config(sizes=Sizes(conversations=150, messages=1200))
async def test_each_filter_pages_to_the_servers_answer(sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=SMALL_PAGES)
    try:
        await client.start()
        me = client.identity.me
        assert me is not None
        ids = client.websites.ids()
        assert not any(client.pager.exact(quick_query(kind, me), ids) for kind in Filter)
        for wid in ids:
            for kind in Filter:
                query = quick_query(kind, me)
                assert query is not None
                answer = await server_answer(client, wid, query)
                await read_to_end(client, query, wid)
                assert client.pager.exact(query, [wid])
                shown = {sid for sid, c in client.store.conversations.items()
                         if c.website_id == wid and matches(kind, c, me)}
                expected = {sid for sid in answer
                            if matches(kind, client.store.conversations[sid], me)}
                assert shown == expected, kind
                assert client.pager.members(query) >= answer
    finally:
        await client.aclose()


async def test_reading_more_costs_one_request_a_page(sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=SMALL_PAGES)
    try:
        await client.start()
        wid = client.websites.ids()[0]
        before = client.api.requests_by_purpose()["list"]
        query = quick_query(Filter.ALL, None)
        assert query is not None
        pages = await read_to_end(client, query, wid)
        total = len([c for c in sandbox.state.website_conversations(wid) if c.messages])
        # page 1 came with start-up; the rest, then one empty page that says "the end"
        assert pages == -(-total // 20) - 1 + 1
        assert client.api.requests_by_purpose()["list"] - before == pages
        assert client.pager.state(query, [wid]).exhausted
    finally:
        await client.aclose()


async def test_a_row_leaving_the_query_makes_the_next_read_start_a_page_back(
        sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=SMALL_PAGES)
    try:
        await client.start()
        wid = client.websites.ids()[0]
        query = quick_query(Filter.UNRESOLVED, None)
        assert query is not None
        await client.pager.read_next(query, wid)  # page 1
        listing = client.pager.listing(query, wid)
        first = next(iter(listing.members))
        # Resolved elsewhere while the operator scrolls: every row below moves up one.
        conv = next(c for c in sandbox.state.website_conversations(wid)
                    if c.session_id == first)
        sandbox.state.set_state(conv, "resolved")
        await until(lambda: client.store.conversations[first].state == "resolved",
                    what="the resolve heard live")
        assert listing.shifted
        assert listing.next_page == 2
        await client.pager.read_next(query, wid)
        assert listing.next_page == 2  # page 1 was read again
        await read_to_end(client, query, wid)
        answer = await server_answer(client, wid, query)
        assert answer <= set(client.store.conversations)
    finally:
        await client.aclose()


async def test_a_failed_page_is_said_and_retried_only_when_asked(sandbox: Sandbox) -> None:
    client = make_client(sandbox, config=SMALL_PAGES)
    try:
        await client.start()
        wid = client.websites.ids()[0]
        query = quick_query(Filter.RESOLVED, None)
        assert query is not None

        async def refuse(*_a: object, **_k: object) -> list[object]:
            raise CrispError(None, "server_error", "Crisp is down")

        real = client.api.list_conversations
        client.api.list_conversations = refuse  # type: ignore[method-assign]
        with pytest.raises(CrispError):
            await client.pager.read_next(query, wid)
        state = client.pager.state(query, [wid])
        assert state.problem and not state.loading and not state.exhausted
        assert not client.pager.can_fetch_more(query, [wid])  # paused after a failure
        client.api.reach.unreachable()
        client.api.reach.answered()  # Crisp answers again: the pause ends
        assert client.pager.can_fetch_more(query, [wid])
        assert client.pager.state(query, [wid]).problem  # still said until a read succeeds
        client.api.list_conversations = real  # type: ignore[method-assign]
        assert client.pager.fetch_more(query, [wid], now=True)
        await until(lambda: client.pager.listing(query, wid).next_page == 2,
                    what="the retried page")
        assert not client.pager.state(query, [wid]).problem
    finally:
        await client.aclose()


@pytest.mark.sandbox_config(sizes=Sizes(conversations=120, messages=900))
async def test_the_backfill_makes_every_count_exact(sandbox: Sandbox) -> None:
    config = dataclasses.replace(SMALL_PAGES, backfill=True, backfill_interval=0.0,
                                 backfill_delay=0.0)
    client = make_client(sandbox, config=config)
    try:
        await client.start()
        ids = client.websites.ids()
        me = client.identity.me
        await until(lambda: all(client.pager.exact(quick_query(k, me), ids) for k in Filter),
                    timeout=20.0, what="every count exact")
        # Pages launched past the end may still be out: they land (or are dropped) first.
        await until(lambda: not client.tasks.running("backfill"), what="the backfill's end")
        assert client.api.requests_by_purpose()["backfill"] == client.backfill.spent
        assert not client.backfill.stopped
    finally:
        await client.aclose()


async def test_the_backfill_stops_at_its_budget_and_at_the_quota_floor(
        sandbox: Sandbox) -> None:
    config = dataclasses.replace(SMALL_PAGES, backfill=False, backfill_budget=2,
                                 backfill_interval=0.0, backfill_delay=0.0)
    client = make_client(sandbox, config=config)
    try:
        await client.start()
        await client.backfill.run()
        assert client.backfill.spent == 2
        assert client.api.requests_by_purpose()["backfill"] == 2
        assert "budget" in client.backfill.stopped

        low = dataclasses.replace(config, backfill_budget=100, daily_quota=10)
        other = make_client(sandbox, config=low)
        try:
            await other.start()  # more than half of a quota of 10 is spent by start-up
            await other.backfill.run()
            assert other.backfill.spent == 0
            assert "quota" in other.backfill.stopped
        finally:
            await other.aclose()
    finally:
        await client.aclose()


async def test_mine_without_me_asks_nothing(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    try:
        await client.start()
        assert quick_query(Filter.MINE, None) is None
        assert client.pager.exact(None, client.websites.ids())
        assert not client.pager.fetch_more(None, client.websites.ids())
    finally:
        await client.aclose()


@pytest.mark.sandbox_config(sizes=Sizes())
async def test_the_backfill_ends_the_small_views_first(sandbox: Sandbox) -> None:
    config = dataclasses.replace(SMALL_PAGES, backfill_budget=40, backfill_interval=0.0,
                                 backfill_delay=0.0)
    client = make_client(sandbox, config=config)
    try:
        await client.start()
        await client.backfill.run()
        ids, me = client.websites.ids(), client.identity.me
        assert client.backfill.spent == 40
        assert client.pager.exact(quick_query(Filter.MENTIONS, me), ids)
        assert client.pager.exact(quick_query(Filter.MINE, me), ids)
        assert not client.pager.exact(quick_query(Filter.ALL, me), ids)
    finally:
        await client.aclose()


async def test_a_page_goes_into_the_store_a_slice_per_turn_and_a_drop_stops_it(
        sandbox: Sandbox) -> None:
    """A page of 20 rows enters the store APPLY_SLICE at a time, the loop free in between
    (live frames go there); a listing forgotten meanwhile applies no more of it, and the
    page counts as dropped."""
    from crisp_console.client.listing import DROPPED
    from crisp_console.client.page_slices import APPLY_SLICE
    from crisp_console.client.views import VIEW

    client = make_client(sandbox, config=SMALL_PAGES)
    try:
        await client.start()
        await until(lambda: not client.health.catching_up, what="the start-up catch-up")
        wid = client.websites.ids()[0]
        query = quick_query(Filter.ALL, None)
        assert query is not None
        sizes: list[int] = []  # conversations in the store at each upsert of the page
        store = client.store
        upsert = store.upsert_conversations

        forget_after_a_slice = True

        def counting(payloads: list[dict[str, object]]) -> object:
            sizes.append(len(payloads))
            answer = upsert(payloads)
            if forget_after_a_slice:  # between two slices: the listings start over
                client.pager.forget(wid)
            return answer

        store.upsert_conversations = counting  # type: ignore[method-assign]
        reader = client.pager.launch(query, wid, why="list", rank=VIEW)  # a full page
        assert reader is not None
        assert await reader == DROPPED
        assert sizes == [APPLY_SLICE]  # the rest of the page never went in
        sizes.clear()
        forget_after_a_slice = False
        assert await client.pager.read_next(query, wid) == 20  # read again, whole
        assert sizes == [APPLY_SLICE, 20 - APPLY_SLICE]  # two slices, nothing applied twice
    finally:
        await client.aclose()

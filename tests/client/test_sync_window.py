"""Parallel paging (client/window.py, views.py, backfill.py) against the real sandbox over
loopback, strict profile: at most ``list_window`` list pages in flight per website, as the
sandbox sees them; the view looked at first, its pages in order, the view's own read before
the read-ahead; answers applied in page order whichever comes back first, to the store a
single reader would make; the end of a list stops launching; a 429 stops launching until
its Retry-After is waited out (on the client's clock)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from crisp_console.client import ConsoleClient
from crisp_console.core.views import ALL_QUERY, Filter, ListQuery, quick_query
from crisp_console.sandbox.config import Sizes
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import FAST, FakeTime, make_client, until

pytestmark = pytest.mark.asyncio

WINDOW = 3
CONFIG = dataclasses.replace(FAST, per_page=20, list_window=WINDOW, backfill_delay=0.0,
                             backfill_interval=0.0)
ONE_SITE = Sizes(websites=1, unsubscribed=0, operators=3, conversations=130, messages=400)
PAGE = re.compile(r"website/[^/]+/conversations/(\d+)/?$")


class Gate:
    """The sandbox's latency sleep as a gate: a list page ``hold`` takes waits there until
    released. ``held`` are those waiting (in flight, as the sandbox sees them) by page."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._log = sandbox.requests
        sandbox.faults.config.latency_ms = 1.0  # every /v1 request passes the sleep
        sandbox.faults.sleep = self._sleep
        self.hold: Callable[[int], bool] = lambda page: False
        self.held: list[tuple[int, asyncio.Future[None]]] = []
        self.most = 0
        self.pages: list[int] = []  # every list page the sandbox received, in order

    async def _sleep(self, _seconds: float) -> None:
        match = PAGE.search(self._log.entries[-1].path)  # the request being served
        if match is None:
            return
        page = int(match.group(1))
        self.pages.append(page)
        if not self.hold(page):
            return
        entry = (page, asyncio.get_running_loop().create_future())
        self.held.append(entry)
        self.most = max(self.most, len(self.held))
        try:
            await entry[1]
        finally:
            self.held.remove(entry)

    def release(self, page: int | None = None) -> None:
        """The held page ``page`` (None: every one) goes on."""
        for held, future in self.held:
            if (page is None or held == page) and not future.done():
                future.set_result(None)


class Sent(httpx.AsyncBaseTransport):
    """The real transport, recording each list page's (page, query) as it is sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.pages: list[tuple[int, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        match = PAGE.search(request.url.path)
        if match:
            params = {k: v for k, v in request.url.params.items() if k != "per_page"}
            self.pages.append((int(match.group(1)), params))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def started(sandbox: Sandbox, **kw: Any) -> ConsoleClient:
    client = make_client(sandbox, config=CONFIG, **kw)
    await client.start()
    await until(lambda: not client.health.catching_up, what="the start-up catch-up")
    return client


async def sequential(sandbox: Sandbox, query: ListQuery) -> tuple[ConsoleClient, int]:
    """A client that read ``query`` one page at a time, and the pages it took."""
    client = await started(sandbox)
    wid = client.websites.ids()[0]
    pages = 0
    while not client.pager.listing(query, wid).done:
        await client.pager.read_next(query, wid)
        pages += 1
    return client, pages


def rows(client: ConsoleClient) -> dict[str, tuple[Any, ...]]:
    return {sid: (c.state, c.updated_at, c.unread_operator, c.assigned, c.mentions)
            for sid, c in client.store.conversations.items()}


@pytest.mark.sandbox_config(sizes=ONE_SITE)
async def test_the_window_keeps_k_pages_in_flight_and_stops_at_the_end(
        sandbox: Sandbox) -> None:
    single, pages = await sequential(sandbox, ALL_QUERY)
    gate = Gate(sandbox)
    client = await started(sandbox)
    try:
        wid = client.websites.ids()[0]
        client.pager.focus(ALL_QUERY)
        gate.pages.clear()
        gate.hold = lambda page: True
        backfill = asyncio.ensure_future(client.backfill.run())
        await until(lambda: len(gate.held) == WINDOW, what="a full window")
        assert sorted(page for page, _ in gate.held) == [2, 3, 4]  # page 1: start-up's
        while not backfill.done():  # one answer at a time: each frees one slot
            if gate.held:
                gate.release(min(page for page, _ in gate.held))
            await asyncio.sleep(0.01)
        await backfill
        assert gate.most == WINDOW and client.pager.window.most == WINDOW
        assert client.pager.listing(ALL_QUERY, wid).exhausted
        assert rows(client) == rows(single)
        # The same pages as one at a time (start-up's first included), and at most the
        # window less one past the end.
        asked = len(gate.pages) + 1
        assert pages <= asked <= pages + WINDOW - 1
    finally:
        gate.release()
        await client.aclose()
        await single.aclose()


@pytest.mark.sandbox_config(sizes=ONE_SITE)
async def test_answers_out_of_order_are_applied_in_page_order(sandbox: Sandbox) -> None:
    single, _pages = await sequential(sandbox, ALL_QUERY)
    gate = Gate(sandbox)
    client = await started(sandbox)
    try:
        wid = client.websites.ids()[0]
        listing = client.pager.listing(ALL_QUERY, wid)
        client.pager.focus(ALL_QUERY)
        gate.hold = lambda page: page == 2
        backfill = asyncio.ensure_future(client.backfill.run())
        await until(lambda: {3, 4} <= set(listing.answers), what="pages 3 and 4 back first")
        # Held back until page 2 lands: nothing after it is in the store or the listing.
        assert listing.next_page == 2 and len(listing.members) == CONFIG.per_page
        assert len(client.store.conversations) == len(rows(client))
        later = {c["session_id"] for c in listing.answers[3]}
        assert not later & listing.members
        gate.release(2)
        await backfill
        assert listing.exhausted and not listing.answers
        assert rows(client) == rows(single)
        assert listing.members == single.pager.listing(ALL_QUERY, wid).members
    finally:
        gate.release()
        await client.aclose()
        await single.aclose()


@pytest.mark.sandbox_config(sizes=ONE_SITE)
async def test_the_view_looked_at_goes_first_and_its_own_read_before_the_read_ahead(
        sandbox: Sandbox) -> None:
    gate = Gate(sandbox)
    sent = Sent()
    client = await started(sandbox, transport=sent)
    try:
        wid = client.websites.ids()[0]
        unread = quick_query(Filter.UNREAD, client.identity.me)
        assert unread is not None
        client.pager.focus(unread)
        sent.pages.clear()
        gate.hold = lambda page: True
        backfill = asyncio.ensure_future(client.backfill.run())
        await until(lambda: len(gate.held) == WINDOW, what="a full window")
        assert sent.pages == [(page, unread.as_params()) for page in (1, 2, 3)]
        # The list on screen asks All's next page: it waits for a slot, ahead of the backfill.
        assert client.pager.fetch_more(ALL_QUERY, [wid])
        gate.release(1)
        await until(lambda: len(sent.pages) == WINDOW + 1, what="the next launch")
        assert sent.pages[-1] == (2, {})
        gate.hold = lambda page: False
        gate.release()
        await backfill
        assert client.pager.exact(unread, [wid])
    finally:
        gate.release()
        await client.aclose()


@pytest.mark.sandbox_config(sizes=ONE_SITE)
async def test_a_429_stops_launching_until_its_retry_after_is_waited_out(
        sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    time = FakeTime()
    gate = Gate(sandbox)
    client = await started(sandbox, sleep=time.sleep, clock=time.clock)
    try:
        wid = client.websites.ids()[0]
        client.pager.focus(ALL_QUERY)
        gate.pages.clear()
        gate.hold = lambda page: True
        backfill = asyncio.ensure_future(client.backfill.run())
        await until(lambda: len(gate.held) == WINDOW, what="a full window")
        answer = await admin.patch("faults", json={"burst_429": 1, "retry_after": 5})
        answer.raise_for_status()
        gate.hold = lambda page: False
        gate.release()
        # One page was answered 429: it waits out its Retry-After, and so does every launch
        # since (the window hands out no slot while the pause lasts).
        await until(lambda: time.sleeping.count(5.0) == WINDOW, what="every slot paused")
        assert len(gate.pages) == WINDOW
        assert not backfill.done()
        time.advance(5.0)
        await backfill
        assert client.pager.listing(ALL_QUERY, wid).exhausted
        listed = {c.session_id for c in sandbox.state.website_conversations(wid) if c.messages}
        assert set(client.store.conversations) == listed
    finally:
        gate.release()
        await client.aclose()

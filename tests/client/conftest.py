"""ConsoleClient against a real sandbox on loopback, with the delays shrunk for tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest_asyncio

from crisp_console.api import RetryPolicy
from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.realtime import Backoff, ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.sandbox.conftest import admin, rtm, sandbox  # noqa: F401 - fixtures reused here

FAST = ClientConfig(
    retry=RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.05,
                      rate_limit_min_delay=0.05, rate_limit_max_wait=30.0),
    reconnect=ReconnectPolicy(Backoff(base=0.05, cap=0.3), auth_timeout=5.0,
                              connect_timeout=5.0),
    rebind_interval=0.1, send_retry_delay=0.01, send_retry_window=60.0,
    websites_refresh=3600.0, catchup_margin_ms=2000, compose_interval=5.0,
    rtm_connect_timeout=10.0, bucket_timeout=5.0,
    catchup_retry_base=0.01, catchup_retry_cap=0.1, backfill=False,
    owed_fetch_gather=0.0,  # the default; tests/client/test_owed_fetches.py tests a gather
)


def make_client(sb: Sandbox, *, key: str | None = None, config: ClientConfig = FAST,
                **kw: Any) -> ConsoleClient:
    """A client of ``sb``; ``kw`` goes to ConsoleClient (transport, sleep, clock...)."""
    info = sb.info()
    return ConsoleClient(info["rest"], Credentials(info["identifier"], key or info["key"]),
                         config=config, **kw)


def assert_store_matches(sandbox: Sandbox, client: ConsoleClient) -> None:  # noqa: F811
    """Every conversation the client holds agrees with the server; loaded timelines too."""
    server = sandbox.state.conversations
    for session_id, row in client.store.conversations.items():
        conv = server[session_id]
        assert (row.state, row.updated_at, row.unread_operator, row.assigned) == \
            (conv.state, conv.updated_at, conv.unread_operator, conv.assigned), session_id
        if client.store.timeline_loaded(session_id):
            mine = {m.fingerprint for m in client.store.messages(session_id)}
            assert {m.fingerprint for m in conv.messages[-40:]} <= mine, session_id


class CountingTransport(httpx.AsyncBaseTransport):
    """The real HTTP transport, recording (method, path) of every request it sends."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class FakeTime:
    """A monotonic clock that moves only when ``advance()`` is called, and a ``sleep`` that
    waits for it. ``sleeping`` lists the pending sleeps' lengths (what the code is waiting
    for is an event a test can wait on)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleeps: list[tuple[float, float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if delay <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleeps.append((self.now + delay, delay, future))
        try:
            await future
        finally:
            self._sleeps = [s for s in self._sleeps if s[2] is not future]

    @property
    def sleeping(self) -> list[float]:
        return [delay for _, delay, future in self._sleeps if not future.done()]

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for due, _, future in self._sleeps:
            if due <= self.now and not future.done():
                future.set_result(None)


@pytest_asyncio.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ConsoleClient]:  # noqa: F811
    """A started client."""
    c = make_client(sandbox)
    await c.start()
    try:
        yield c
    finally:
        await c.aclose()


async def until(pred: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``pred`` on the running loop until it is true (events arrive asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not pred():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or pred}")
        await asyncio.sleep(0.01)

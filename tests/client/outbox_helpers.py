"""A client that can "crash" in-process: its HTTP answers and its database writes stop for
good at once, as when the process is killed (nothing it does afterwards reaches anything),
and a database file that a new client opens after it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.outbox import InlineRunner, Outbox, OutboxItem
from tests.client.conftest import make_client

T = TypeVar("T")


class KillableTransport(httpx.AsyncBaseTransport):
    """The real transport until ``kill()``; then no answer ever comes back (a request in
    flight may still reach the server, as when a process dies mid-request)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.killed = asyncio.Event()
        self.sent: list[tuple[str, str]] = []

    def kill(self) -> None:
        self.killed.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.killed.is_set():
            await asyncio.Event().wait()
        self.sent.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        if self.killed.is_set():
            await response.aclose()
            await asyncio.Event().wait()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class FreezableRunner:
    """An InlineRunner on a file whose writes stop at ``freeze()``: what the dead process
    would have written never is."""

    def __init__(self, path: Path) -> None:
        self.inner = InlineRunner.open(path)
        self.frozen = False

    def freeze(self) -> None:
        self.frozen = True

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        if self.frozen:
            future: concurrent.futures.Future[T] = concurrent.futures.Future()
            future.cancel()
            return future
        return self.inner.write(fn)

    async def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self.frozen:
            await asyncio.Event().wait()
        return await self.inner.awrite(fn)

    async def aread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self.inner.aread(fn)

    def close(self) -> None:
        self.inner.close()


async def rows(path: Path) -> list[OutboxItem]:
    """The outbox as a new process would read it."""
    runner = InlineRunner.open(path)
    try:
        return await Outbox(runner).unsent()
    finally:
        runner.close()


def conversations(sb: Sandbox, count: int) -> list[Conversation]:
    """Open conversations with messages, of the first subscribed website."""
    website = sb.state.subscribed_website_ids()[0]
    found = [c for c in sb.state.website_conversations(website)
             if c.state != "resolved" and c.messages]
    assert len(found) >= count
    return found[:count]


async def offline_client(sb: Sandbox, runner: Any, convs: list[Conversation],
                         **kw: Any) -> ConsoleClient:
    """A client that knows ``convs`` (as a warm start would show them) without start():
    it is built while the sandbox is up, so the payloads are the server's."""
    client = make_client(sb, database=runner, **kw)
    payloads = [await client.api.get_conversation(c.website_id, c.session_id) for c in convs]
    client.store.upsert_conversations(payloads)
    return client


def stored(conv: Conversation, prefix: str) -> list[tuple[int, Any]]:
    """(fingerprint, content) of the conversation's messages starting with ``prefix``, in
    the server's order."""
    return [(m.fingerprint, m.content) for m in conv.messages
            if str(m.content).startswith(prefix)]

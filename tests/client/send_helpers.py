"""A fake Crisp conversation behind httpx.MockTransport, for unit tests of the send path.

It stores messages as the strict profile does (a repeated fingerprint is a second message)
and answers each POST by a script of outcomes, so a test can place a fault before or after
the message is stored (the sandbox cannot, yet, for every kind).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from crisp_console.api import RetryPolicy
from crisp_console.client.sending import Outgoing, Sender, SendPolicy
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from tests.api.helpers import FakeClock, Mock, envelope, mock_api
from tests.core import factories

SID = factories.session_id()
WEBSITE = factories.WEBSITE
BATCH = 40
ONE_TRY = RetryPolicy(max_attempts=1, base_delay=0.01, max_delay=0.05)  # the API layer's


def _error(status: int, reason: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=envelope({"message": reason}, reason, error=True),
                          headers=headers)


@dataclass
class FakeCrisp:
    """``posts``/``reads``: outcomes of the next POSTs/GETs (then "ok"). ``log`` lists
    every request as "POST", "GET" or "HEAD"."""

    clock: FakeClock
    posts: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    probe_ok: bool = True
    reachable: bool = True  # False: every request is refused at connect (Crisp is away)
    flood_after_store: int = 0  # visitor messages that arrive right after ours is stored
    on_store: Callable[[dict[str, Any]], None] | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def add(self, fingerprint: int, content: Any, *, type: str = "text",
            from_: str = "operator", timestamp: int | None = None) -> dict[str, Any]:
        last = self.messages[-1]["timestamp"] if self.messages else 0
        ts = timestamp if timestamp is not None else max(int(self.clock.wall() * 1000),
                                                         last + 1)
        msg = factories.message(SID, fingerprint=fingerprint, content=content, type=type,
                                from_=from_, timestamp=ts)
        self.messages.append(msg)
        self.messages.sort(key=lambda m: m["timestamp"])
        return msg

    def stored(self, fingerprint: int) -> list[Any]:
        return [m["content"] for m in self.messages if m["fingerprint"] == fingerprint]

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request.method)
        if not self.reachable:
            raise httpx.ConnectError("connection refused")
        if request.method == "HEAD":
            return httpx.Response(200 if self.probe_ok else 429)
        if request.method == "GET":
            return self._read(request)
        return await self._post(request)

    def _read(self, request: httpx.Request) -> httpx.Response:
        outcome = self.reads.pop(0) if self.reads else "ok"
        if outcome == "503":
            return _error(503, "service_unavailable")
        if outcome == "403":
            return _error(403, "not_allowed")
        if outcome == "quota":
            return _error(429, "rate_limited")
        before = request.url.params.get("timestamp_before")
        older = [m for m in self.messages
                 if before is None or m["timestamp"] < int(before)]
        batch = older[-BATCH:]
        return httpx.Response(206 if len(older) > BATCH else 200,
                              content=envelope(batch))

    async def _post(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        outcome = self.posts.pop(0) if self.posts else "ok"
        early = {"early503": lambda: _error(503, "service_unavailable"),
                 "quota": lambda: _error(429, "rate_limited"),
                 "rate0": lambda: _error(429, "rate_limited", {"Retry-After": "0"}),
                 "invalid": lambda: _error(400, "invalid_data"),
                 "forbidden": lambda: _error(403, "not_allowed")}
        if outcome in early:
            return early[outcome]()
        if outcome == "refused":
            raise httpx.ConnectError("connection refused")
        if outcome == "early_reset":
            raise httpx.ReadError("connection reset by peer")
        if outcome == "hang_early":
            await asyncio.Event().wait()
        msg = self.add(body["fingerprint"], body["content"], type=body["type"])
        for i in range(self.flood_after_store):
            self.add(10 ** 15 + len(self.messages) + i, f"visitor line {i}", from_="user")
        if self.on_store is not None:
            self.on_store(msg)
        if outcome == "late503":
            return _error(503, "service_unavailable")
        if outcome == "late_reset":
            raise httpx.ReadError("connection reset by peer")
        if outcome == "hang":
            await asyncio.Event().wait()
        if outcome == "garbled":
            return httpx.Response(202, content=envelope({"fingerprint": "twelve"}))
        assert outcome == "ok", outcome
        return httpx.Response(202, content=envelope({"fingerprint": body["fingerprint"]},
                                                    "dispatched"))


@dataclass
class Rig:
    """A Sender on a FakeCrisp, with its store, clock and task owner."""

    crisp: FakeCrisp
    mock: Mock
    store: Store
    tasks: TaskOwner
    sender: Sender
    clock: FakeClock
    _next_fp: int = 7_000_000_000_000_000

    def pending(self, content: Any = "Hello, how can I help?", *,
                type: str = "text") -> Outgoing:
        """A reply shown PENDING in the store, ready to deliver."""
        self._next_fp += 1
        now = int(self.clock.wall() * 1000)
        self.store.add_pending(SID, fingerprint=self._next_fp, type=type, content=content,
                               user_id=factories.OPERATOR, nickname="Ada", timestamp=now)
        return Outgoing(WEBSITE, SID, self._next_fp, type, content, None, started_ms=now)

    def status(self, out: Outgoing) -> tuple[str, str | None]:
        msg = self.store.message(SID, out.fingerprint)
        assert msg is not None
        return msg.status.value, msg.error


def rig(*, policy: SendPolicy | None = None, retry: RetryPolicy = ONE_TRY,
        real_time: bool = False, manual: bool = False, probe_interval: float = 60.0,
        history: int = 50) -> Rig:
    """``history``: messages of an hour ago, so that one batch reaches below the floor of
    a read (a conversation that began minutes ago costs a read more batches). ``manual``:
    the fake clock moves only when the test advances it."""
    clock = FakeClock(manual=manual)
    crisp = FakeCrisp(clock)
    hour_ago = int(clock.wall() * 1000) - 3_600_000
    for i in range(history):
        crisp.add(10 ** 14 + i, f"earlier {i}", from_="user", timestamp=hour_ago + i)
    kwargs: dict[str, Any] = {} if real_time else clock.kwargs(probe_interval)
    mock = mock_api(crisp, retry=retry, **kwargs)
    store = Store()
    store.upsert_conversation(factories.conversation(SID))
    tasks = TaskOwner()
    timing: dict[str, Any] = {} if real_time else {"clock": clock.monotonic,
                                                   "sleep": clock.sleep}
    sender = Sender(mock.api, store, policy or SendPolicy(), tasks.spawn,
                    rng=random.Random(5), **timing)
    return Rig(crisp, mock, store, tasks, sender, clock)

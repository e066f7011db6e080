"""Shared bits of the api/ tests: fast retry settings, fault control, a recording transport,
injectable clocks and a MockTransport-backed CrispApi for unit tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from crisp_console.api import CrispApi, QuotaGate, RetryPolicy
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials

FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, jitter=0.5,
                   rate_limit_min_delay=0.05, rate_limit_max_wait=5.0)
# 2024-05-01 12:00:00 UTC: twelve hours before the quota's reset.
NOON = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()
MIDNIGHT = datetime(2024, 5, 2, 0, 0, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic and wall time that move only when someone sleeps or ``advance`` is called.

    Automatic (default): a sleep returns at once and moves the clock; concurrent sleeps
    overlap as real ones do (a sleep of ``d`` started at ``t`` leaves the clock at least at
    ``t + d``, not at the sum of every sleeper's delay). Manual: a sleep returns only once
    the test has advanced the clock past its end; ``sleeping`` counts the sleepers.
    """

    def __init__(self, wall: float = NOON, *, manual: bool = False) -> None:
        self.now = 1000.0
        self.manual = manual
        self._wall_offset = wall - self.now
        self.delays: list[float] = []
        self.sleeping = 0
        self._moved = asyncio.Event()

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + self._wall_offset

    def wall_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()
        self._moved = asyncio.Event()

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        target = self.now + delay
        if not self.manual:
            await asyncio.sleep(0)
            self.now = max(self.now, target)
            return
        self.sleeping += 1
        try:
            while self.now < target:
                await self._moved.wait()
        finally:
            self.sleeping -= 1

    def kwargs(self, probe_interval: float = 60.0) -> dict[str, Any]:
        """CrispApi keyword arguments wiring this clock (and a gate on it) in."""
        return {"clock": self.monotonic, "wall": self.wall, "sleep": self.sleep,
                "gate": QuotaGate(probe_interval=probe_interval, wall=self.wall,
                                  clock=self.monotonic)}


async def until(condition: Callable[[], bool], what: str = "condition",
                timeout: float = 5.0) -> None:
    """Wait (polling the loop) until ``condition()`` holds; fail after ``timeout`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.001)


def envelope(data: Any = None, reason: str = "resolved", *, error: bool = False) -> bytes:
    return json.dumps({"error": error, "reason": reason, "data": data}).encode()


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Mock:
    """A CrispApi on an httpx.MockTransport, and the requests it sent."""

    api: CrispApi
    requests: list[httpx.Request] = field(default_factory=list)

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]


def mock_api(handler: Handler, **kwargs: Any) -> Mock:
    """A CrispApi whose every request is answered by ``handler`` (unit tests only)."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    kwargs.setdefault("retry", FAST)
    api = CrispApi("http://127.0.0.1:9", Credentials("id", "key"),
                   transport=httpx.MockTransport(record), **kwargs)
    return Mock(api, sent)


async def set_faults(admin: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    """PATCH /_sandbox/faults (``seed`` reseeds the fault RNG)."""
    resp = await admin.patch("faults", json=changes)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


async def quota_used(admin: httpx.AsyncClient) -> int:
    """Requests the sandbox counted against the token's daily quota."""
    resp = await admin.get("quota")
    assert resp.status_code == 200, resp.text
    used: int = resp.json()["data"]["used"]
    return used


def bound_website(sb: Sandbox, index: int = 0) -> str:
    return sb.state.subscribed_website_ids()[index]


def unbound_website(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


def conversation_with_messages(sb: Sandbox, website_id: str, at_least: int = 1) -> str:
    """A session_id of ``website_id`` holding at least ``at_least`` messages."""
    convs = [c for c in sb.state.website_conversations(website_id)
             if len(c.messages) >= at_least]
    assert convs, f"no conversation with {at_least} messages"
    return max(convs, key=lambda c: len(c.messages)).session_id


@dataclass
class Sent:
    """One request as it left the client, and how it ended."""

    method: str
    path: str
    headers: httpx.Headers
    content: bytes  # the request body
    started: float  # time.monotonic() when handed to the network
    ended: float = 0.0  # when the answer (or the failure) came back
    status: int | None = None  # None: the network failed
    error: str = ""


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real httpx transport (real sockets) that keeps a log of every attempt."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # A streamed body (an upload) is read here first, so that it can be recorded.
        entry = Sent(request.method, request.url.path, request.headers, await request.aread(),
                     time.monotonic())
        self.sent.append(entry)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            entry.error = type(exc).__name__
            raise
        finally:
            entry.ended = time.monotonic()
        entry.status = response.status_code
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def paths(self, method: str | None = None) -> list[str]:
        return [s.path for s in self.sent if method is None or s.method == method]

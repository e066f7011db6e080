"""Fixtures for sandbox tests: a real server on a free loopback port, real clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio
import socketio

from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox


def make_config(**overrides: Any) -> SandboxConfig:
    base: dict[str, Any] = {"seed": 1, "sizes": Sizes.tiny(), "auth_timeout": 10.0,
                            "faults": FaultConfig(daily_quota=0)}
    base.update(overrides)
    return SandboxConfig(**base)


@pytest_asyncio.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A started sandbox. Override its config with ``@pytest.mark.sandbox_config(**kw)``."""
    marker = request.node.get_closest_marker("sandbox_config")
    sb = Sandbox(make_config(**(marker.kwargs if marker else {})))
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


def auth_headers(sb: Sandbox, tier: str = "plugin") -> dict[str, str]:
    token = sb.state.token
    basic = httpx.BasicAuth(token.identifier, token.key)
    header = basic._auth_header  # noqa: SLF001 - the header httpx would send
    return {"Authorization": header, "X-Crisp-Tier": tier}


@pytest_asyncio.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated httpx client rooted at ``/v1/`` (use relative paths: ``website/W``)."""
    async with httpx.AsyncClient(base_url=sandbox.rest_url, headers=auth_headers(sandbox),
                                 timeout=10.0) as client:
        yield client


def admin_headers(sb: Sandbox) -> dict[str, str]:
    return {"X-Sandbox-Token": sb.admin_token}


@pytest_asyncio.fixture
async def admin(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the admin routes under ``/_sandbox/``, with the admin token."""
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/",
                                 headers=admin_headers(sandbox), timeout=10.0) as client:
        yield client


class HeldSleep:
    """Stands in for the fault middleware's sleep: records each latency and holds every
    request there until ``release()``."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.changed = asyncio.Event()
        self._release = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.changed.set()
        await self._release.wait()

    async def until_held(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.slept) < count:
                self.changed.clear()
                await self.changed.wait()

    def release(self) -> None:
        self._release.set()


BARRIER = "sandbox:settled"  # an event name no Crisp event has


class RtmProbe:
    """A python-socketio client that records every event it receives."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.received: list[tuple[str, Any]] = []
        self._arrived = asyncio.Event()
        self._barrier: asyncio.Future[None] | None = None
        self.sio.on("*", self._record)

    async def _record(self, event: str, data: Any = None) -> None:
        if event == BARRIER:  # settle()'s marker, not the server's own
            if self._barrier is not None and not self._barrier.done():
                self._barrier.set_result(None)
            return
        self.received.append((event, data))
        self._arrived.set()

    async def connect(self, url: str | None = None) -> None:
        """Connect to ``url`` (default: the sandbox's main RTM URL) as node does: its origin,
        with its path as the socket path. python-engineio asks for ``//`` when that is ``/``."""
        parts = urlsplit(url or self.sb.rtm_url)
        await self.sio.connect(f"{parts.scheme}://{parts.netloc}", socketio_path=parts.path,
                               transports=["websocket"], wait_timeout=5)

    async def authenticate(self, events: list[str], rooms: list[str] | None = None,
                           **overrides: Any) -> Any:
        token = self.sb.state.token
        payload: dict[str, Any] = {"username": token.identifier, "password": token.key,
                                   "tier": token.tier, "events": events}
        if rooms is not None:
            payload["rooms"] = rooms
        payload.update(overrides)
        return await self.answer("authentication", payload)

    async def answer(self, event: str, payload: Any) -> Any:
        """Emit ``event``; the (name, data) of the next ``authenticated`` or ``unauthorized``."""
        start = len(self.received)
        await self.sio.emit(event, payload)
        return await self.wait_for(lambda n, d: n in ("authenticated", "unauthorized"),
                                   start=start)

    async def wait_for(self, pred: Callable[[str, Any], bool], timeout: float = 5.0,
                       start: int = 0) -> Any:
        """The first (event, data) recorded from index ``start`` on that matches ``pred``,
        waiting up to ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for name, data in self.received[start:]:
                if pred(name, data):
                    return name, data
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching event; got {[n for n, _ in self.received]}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def names(self) -> list[str]:
        return [n for n, _ in self.received]

    async def settle(self) -> None:
        """Every event the server queued for this probe so far has reached it: the server's
        queue is drained, then a marker it sends after them on the same socket comes back.
        A socket the server has let go of gets nothing more: then its disconnect is what
        comes after the last event."""
        rtm = self.sb.rtm
        if rtm is None:
            return
        await rtm.flush()
        async with asyncio.timeout(5):
            if self.sio.get_sid() not in rtm.clients:
                while self.sio.connected:
                    await asyncio.sleep(0.01)
                return
            self._barrier = asyncio.get_running_loop().create_future()
            await rtm.sio.emit(BARRIER, {}, to=self.sio.get_sid())
            await self._barrier

    async def close(self) -> None:
        await self.sio.shutdown()


@pytest_asyncio.fixture
async def rtm(sandbox: Sandbox) -> AsyncIterator[Callable[..., Awaitable[RtmProbe]]]:
    """A factory of connected RTM probes (``await rtm(url=None)``), all closed at teardown."""
    probes: list[RtmProbe] = []

    async def make(url: str | None = None) -> RtmProbe:
        probe = RtmProbe(sandbox)
        probes.append(probe)
        await probe.connect(url)
        return probe

    yield make
    for probe in probes:
        await probe.close()

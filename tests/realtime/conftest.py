"""Fixtures for realtime tests: a real sandbox on loopback and gateways that record everything."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from crisp_console.realtime import (
    NO_LIVENESS,
    Backoff,
    ConnectionState,
    RealtimeGateway,
    ReconnectPolicy,
)
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.clock import VirtualClock
from tests.sandbox.conftest import admin, sandbox  # noqa: F401 - fixtures re-exported

# Small delays keep reconnect tests fast: retries at 0, ~0.05, ~0.1, ~0.2, ~0.2 ... s. No
# watchdog and no probes: their sleeps would mix with the ones these tests count
# (test_liveness.py tests them).
FAST = ReconnectPolicy(Backoff(base=0.05, factor=2.0, cap=0.2, jitter=0.3), auth_timeout=2.0,
                       connect_timeout=2.0, liveness=NO_LIVENESS)
SEED = 7


class Recorder:
    """The sink, state observer and sleep of one gateway, recording every call."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.states: list[ConnectionState] = []
        self.sleeps: list[float] = []
        self._changed = asyncio.Event()

    def sink(self, name: str, payload: Any) -> None:
        self.events.append((name, payload))
        self._changed.set()

    def observe(self, state: ConnectionState) -> None:
        self.states.append(state)
        self._changed.set()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    async def until(self, pred: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``pred()`` holds, re-checking on every recorded call (and every 50 ms)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pred():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; states={self.states} "
                                   f"events={self.names()[-10:]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def until_state(self, state: ConnectionState, timeout: float = 5.0) -> None:
        await self.until(lambda: bool(self.states) and self.states[-1] is state, timeout)

    async def until_count(self, state: ConnectionState, times: int,
                          timeout: float = 5.0) -> None:
        """Wait until ``state`` has been entered ``times`` times."""
        await self.until(lambda: self.states.count(state) == times, timeout)


GatewayFactory = Callable[..., tuple[RealtimeGateway, Recorder]]


def credentials_of(sb: Sandbox, **overrides: str) -> Credentials:
    token = sb.state.token
    fields = {"identifier": token.identifier, "key": token.key, "tier": token.tier}
    fields.update(overrides)
    return Credentials(**fields)


@pytest_asyncio.fixture
async def make_gateway(sandbox: Sandbox) -> AsyncIterator[GatewayFactory]:  # noqa: F811
    """``make_gateway(**kw)`` -> (gateway, recorder); every gateway is closed at teardown."""
    made: list[RealtimeGateway] = []

    def make(**kw: Any) -> tuple[RealtimeGateway, Recorder]:
        """``clock=VirtualClock()`` puts the gateway's sleep and monotonic on that clock."""
        rec = Recorder()
        credentials = kw.pop("credentials", None) or credentials_of(sandbox)
        clock: VirtualClock | None = kw.pop("clock", None)
        if clock is not None:
            kw.update(sleep=clock.sleep, monotonic=clock.monotonic)
        kw.setdefault("policy", FAST)
        kw.setdefault("rng", random.Random(SEED))
        kw.setdefault("sleep", rec.sleep)
        gw = RealtimeGateway(credentials, kw.pop("sink", rec.sink), **kw)
        gw.add_state_observer(rec.observe)
        made.append(gw)
        return gw, rec

    yield make
    for gw in made:
        await gw.aclose()


def subscribed(sb: Sandbox) -> list[str]:
    return sb.state.subscribed_website_ids()


def conversation_of(sb: Sandbox, website_id: str) -> Conversation:
    return next(c for c in sb.state.conversations.values() if c.website_id == website_id)


def visitors(sb: Sandbox, website_id: str, count: int) -> None:
    """Emit one ``website:update_visitors_count`` for ``website_id`` (a cheap event)."""
    sb.state.set_visitors_count(sb.state.websites[website_id], count)


class ServerSpy:
    """Records, on the sandbox's server, the path of every RTM connect (as the HTTP request
    named it) and every ``authentication`` and ``socket:bind`` payload."""

    def __init__(self, sb: Sandbox) -> None:
        assert sb.rtm is not None
        rtm = sb.rtm
        self.paths: list[str] = []
        self.auths: list[Any] = []
        self.binds: list[Any] = []

        async def on_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            self.paths.append(environ["PATH_INFO"])
            await rtm._on_connect(sid, environ, auth)  # noqa: SLF001 - spying on the sandbox

        async def on_authentication(sid: str, data: Any = None) -> None:
            self.auths.append(data)
            await rtm._on_authentication(sid, data)  # noqa: SLF001

        async def on_bind(sid: str, data: Any = None) -> None:
            self.binds.append(data)
            await rtm._on_bind(sid, data)  # noqa: SLF001

        rtm.sio.on("connect", on_connect)
        rtm.sio.on("authentication", on_authentication)
        rtm.sio.on("socket:bind", on_bind)

    @property
    def connects(self) -> int:
        return len(self.paths)

    def rooms(self) -> list[list[str] | None]:
        """The ``rooms`` of every authentication, None where the key was left out."""
        return [a.get("rooms") for a in self.auths]


@pytest.fixture
def spy(sandbox: Sandbox) -> ServerSpy:  # noqa: F811
    return ServerSpy(sandbox)


def authenticated_clients(sb: Sandbox) -> list[Any]:
    assert sb.rtm is not None
    return [c for c in sb.rtm.clients.values() if c.authenticated]


async def settle(sb: Sandbox) -> None:
    """Every event the sandbox queued has been handed to each gateway's sink, and whatever
    each socket queued for the server has reached it: the server's pump is drained, then
    the server asks each socket a question, answered after the events that came before it
    (in order: one socket, handlers started in arrival order) and after what it had queued.
    Nothing is left in flight that an assertion of absence could miss."""
    if sb.rtm is None:
        return
    await sb.rtm.flush()
    for sid in list(sb.rtm.clients):
        await sb.rtm.sio.call("sandbox:barrier", {}, to=sid, timeout=5)

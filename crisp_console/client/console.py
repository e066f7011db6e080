"""ConsoleClient: the facade the UI talks to. It composes api + realtime + core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable

import httpx

from crisp_console.api import CrispApi
from crisp_console.client.base import ClientConfig
from crisp_console.client.commands import CommandsMixin
from crisp_console.client.retry import Sleep
from crisp_console.client.support import SupportMixin
from crisp_console.client.sync import SyncMixin
from crisp_console.core import Store
from crisp_console.errors import ClosedError
from crisp_console.realtime import ConnectionState, RealtimeGateway
from crisp_console.types import Credentials

log = logging.getLogger("crisp_console.client")


class ConsoleClient(SyncMixin, CommandsMixin, SupportMixin):
    """``await start()``, use the store and the commands, ``await aclose()`` (idempotent)."""

    def __init__(self, rest_url: str, credentials: Credentials, *,
                 config: ClientConfig | None = None, store: Store | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 operator_id: str | None = None, sleep: Sleep = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        """``operator_id``: who the console acts as (``me``); it overrides
        ``config.operator_id``. ``sleep``, ``clock`` (monotonic) and ``wall`` (epoch) drive
        the REST layer's waits and quota gate and the owed work's backoff, and ``clock``
        the hold of optimistic changes in a store made here; tests inject them (they must
        agree, as the defaults do). The live feed keeps real time."""
        config = config or ClientConfig()
        api = CrispApi(rest_url, credentials, retry=config.retry, transport=transport,
                       sleep=sleep, clock=clock, wall=wall, rng=rng)
        super().__init__(api, store or Store(clock=clock), config, sleep=sleep, rng=rng)
        if operator_id is not None:
            self.operator_id = operator_id
        self.gateway = RealtimeGateway(credentials, self.on_event, policy=config.reconnect,
                                       rebind_interval=config.rebind_interval,
                                       on_refused=self.on_rtm_refused)
        self.gateway.add_state_observer(self.on_connection_state)
        self._closing: asyncio.Task[None] | None = None

    @property
    def connection_state(self) -> ConnectionState:
        return self.gateway.state

    async def aclose(self) -> None:
        """Stop the live feed, the background tasks and HTTP, in that order. Idempotent."""
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close(),
                                                                   name="client-close")
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        self._closed = True
        for waiter in self._bucket_waiters.values():
            if not waiter.done():
                waiter.set_exception(ClosedError("the client is closing"))
        self._bucket_waiters.clear()
        with contextlib.suppress(Exception):
            await self.gateway.aclose()
        await self.tasks.aclose()
        self.monitor.close()
        await self.api.aclose()

    async def __aenter__(self) -> ConsoleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

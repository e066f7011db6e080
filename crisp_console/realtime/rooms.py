"""The rooms an RTM feed is narrowed to, and the throttled ``socket:bind`` that tells the server.

``wanted`` is what the caller asked for (None: not narrowed, every subscribed website);
``bound`` is what the server holds for the current socket. An authentication carries
``wanted``; a change while connected goes out as ``socket:bind``, at most once per
``interval`` (a burst coalesces; the latest wins). Widening is no bind (what a bind without
rooms means is unconfirmed): the socket is ended so that a fresh one authenticates without
rooms, as after a drop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from crisp_console.realtime.attempt import Attempt, Rooms, normalize_rooms

log = logging.getLogger("crisp_console.realtime")

# The current attempt while it is CONNECTED (and the gateway not closing), else None.
Connected = Callable[[], Attempt | None]
Spawn = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]


class RoomBinding:
    def __init__(self, events: Sequence[str], *, interval: float,
                 sleep: Callable[[float], Awaitable[Any]], monotonic: Callable[[], float],
                 connected: Connected, spawn: Spawn) -> None:
        self._events, self._interval, self._spawn = events, interval, spawn
        self._sleep, self._monotonic, self._connected = sleep, monotonic, connected
        self.wanted: Rooms = None
        self.bound: frozenset[str] | None = None  # what the server holds for our socket
        self._last_bind: float | None = None
        self._binder: asyncio.Task[None] | None = None

    def want(self, rooms: Sequence[str] | None) -> None:
        """Narrow to ``rooms`` (None or empty: widen); bound if connected and it changed."""
        self.wanted = normalize_rooms(rooms)
        self.sync()

    def sync(self) -> None:
        """Bind if connected and ``wanted`` is not what the server holds."""
        if self._dirty() and self._connected() is not None and (
                self._binder is None or self._binder.done()):
            self._binder = self._spawn(self._bind_loop(), "rebind")

    def _dirty(self) -> bool:
        wanted = None if self.wanted is None else frozenset(self.wanted)
        return wanted != self.bound

    async def _bind_loop(self) -> None:
        # Reads the rooms only after waiting, so the latest want() wins; loops in case the
        # rooms changed again while a bind was being sent.
        from crisp_console.realtime.transport import RETRYABLE  # loaded by the connect

        while True:
            if self._last_bind is not None:
                wait = self._last_bind + self._interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            attempt = self._connected()
            if attempt is None or not self._dirty():
                return  # nothing to do, or the next authentication will carry the rooms
            rooms = self.wanted
            self._last_bind = self._monotonic()
            if rooms is None:  # widened: a fresh socket authenticates without rooms
                attempt.widen = True
                attempt.ended.set()
                return
            self.bound = frozenset(rooms)
            try:
                await attempt.sio.emit("socket:bind",
                                       {"events": list(self._events), "rooms": list(rooms)})
            except RETRYABLE as exc:
                log.info("RTM socket:bind not sent: %s", exc)  # re-auth will carry the rooms

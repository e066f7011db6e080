"""The pieces of one connection attempt: states, outcomes, the attempt itself, and rooms."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the socket library loads with the first connect (transport.py)
    import socketio


# Called once after a refusal: refresh the websites, answer the rooms to use (None: omit them).
RefusalHandler = Callable[[], Awaitable[Sequence[str] | None]]
Rooms = tuple[str, ...] | None


class ConnectionState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"  # first attempt only
    AUTHENTICATING = "authenticating"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # waiting to retry, or opening the socket of a retry
    UNAUTHORIZED = "unauthorized"  # final: the server refused the authentication
    CLOSED = "closed"  # final: aclose() ran


StateObserver = Callable[[ConnectionState], None]


class Outcome(enum.Enum):
    FAILED = enum.auto()  # never got to CONNECTED: keep backing off
    DROPPED = enum.auto()  # was CONNECTED, then lost: the backoff starts over
    REFUSED = enum.auto()  # unauthorized: on_refused may earn one more try
    WIDEN = enum.auto()  # rooms no longer narrowed: authenticate a fresh socket without them


class Attempt:
    """One socket. Handlers check they belong to the current attempt, so a late event of a
    socket being torn down can never reach the sink or move the state."""

    __slots__ = ("ended", "refusal", "reply", "rooms_sent", "sio", "widen")

    def __init__(self, sio: socketio.AsyncClient) -> None:
        self.sio = sio
        # True: authenticated; False: unauthorized; None: the socket dropped first.
        self.reply: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self.ended = asyncio.Event()
        self.rooms_sent: frozenset[str] | None = None
        self.refusal = ""  # the server's reason, once it answered unauthorized
        self.widen = False

    def answer(self, value: bool | None) -> None:
        if not self.reply.done():
            self.reply.set_result(value)


def normalize_rooms(rooms: Sequence[str] | None) -> Rooms:
    """De-duplicated rooms in their order; None or empty: not narrowed (Crisp refuses
    ``rooms: []``, and an empty feed is never what a caller means)."""
    if isinstance(rooms, str):
        raise TypeError("rooms should be a sequence of website ids, not one string")
    return tuple(dict.fromkeys(rooms)) if rooms else None

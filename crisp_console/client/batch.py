"""The live feed in whole frames: events wait for the next flush, typing coalesced on the way.

At 500 RTM events/s most events are a visitor typing (``message:compose:send``, MagicType's
growing excerpt) and a CPU shared with other work makes the console fall behind: handling and
repainting each one meant a backlog that only grew. So the gateway's sink is ``FrameBatch.push``:

- events wait in arrival order and go to ``deliver`` (the EventSink) together, at most once per
  ``interval`` (the first after a quiet spell on the next turn of the loop: an isolated event
  waits for nothing). A burst, or a backlog read at once after the process was starved, is one
  pass through the store and one model flush, not one per event: after the pass, ``done``
  (the store's ``end_frame``) lets the list and the timeline flush, and the list paint, in
  the same turn of the loop (ui/models/coalesce.py), so an event waits for one interval at
  most, not two. A change from outside the feed that the rows wait for (an owed fetch's
  answer) takes the next frame too (``changed``): one flush and one paint per interval;
- typing events still waiting are coalesced per *typist*: the conversation, and for an
  operator's (``message:compose:receive``) also which operator and whether automated. A later
  one of the same typist replaces the waiting one and takes its place in the order (the last),
  so the latest excerpt, or a "stop", wins; a colleague's stop is never lost behind another
  colleague's start. Moving a typing event later keeps every conversation's final state: a
  ``message:send`` that came between still comes before the typing that followed it (as it
  did), and nothing else moves. A typing event that is not well formed is never coalesced
  (the store counts it as malformed, as before).

``settled()`` is where background work waits its turn (page_slices.py): it returns once no
frame is waiting, so a page being read never holds a frame of live events back.

``note(name, payload)`` hears every event on arrival (the client's REST watches: an answer
that comes back while its event waits here still counts as older than it). Nothing here is
allocated per event beyond the queue's own slots.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

VISITOR_TYPING = "message:compose:send"
OPERATOR_TYPING = "message:compose:receive"
_KINDS = frozenset(("start", "stop"))
_TYPING = frozenset((VISITOR_TYPING, OPERATOR_TYPING))
# Half a 60 Hz frame: a visitor typing shows within a frame, and at most one store pass
# (and, through ``done``, one list model flush) per interval.
DEFAULT_INTERVAL = 0.008

Deliver = Callable[[str, Any], None]


class Cancellable(Protocol):
    def cancel(self) -> None: ...


# ``schedule(delay_s, callback)``: the loop's call_later by default; tests drive a fake.
Schedule = Callable[[float, Callable[[], None]], Cancellable]


def _loop_schedule(delay: float, callback: Callable[[], None]) -> Cancellable:
    loop = asyncio.get_running_loop()
    return loop.call_soon(callback) if delay <= 0 else loop.call_later(delay, callback)


class FrameBatch:
    """``push`` queues an event (coalescing typing); ``flush`` hands the queue to
    ``deliver`` in order, then calls ``done`` (when it delivered something, or ``changed()``
    was called since the last flush). Counters:
    ``events`` pushed, ``coalesced`` replaced before their flush, ``flushes`` that
    delivered something."""

    def __init__(self, deliver: Deliver, *, note: Deliver | None = None,
                 done: Callable[[], None] | None = None,
                 interval: float = DEFAULT_INTERVAL, clock: Callable[[], float] = time.monotonic,
                 schedule: Schedule = _loop_schedule) -> None:
        self._deliver = deliver
        self._note = note
        self._done = done
        self._interval = interval
        self._clock = clock
        self._schedule = schedule
        self._last = -math.inf  # clock of the last flush
        self._handle: Cancellable | None = None
        # The queue as two parallel lists (no tuple per event); a coalesced slot's name is "".
        self._names: list[str] = []
        self._payloads: list[Any] = []
        self._visitor: dict[str, int] = {}  # session_id -> slot of its waiting typing event
        self._operator: dict[tuple[str, str, bool], int] = {}  # (session, user, automated)
        self._closed = False
        self._changed = False  # changed(): end a frame with the next flush
        self._settled: list[asyncio.Future[None]] = []  # settled()'s waiters
        self.events = 0
        self.coalesced = 0
        self.flushes = 0

    def __len__(self) -> int:
        """Events waiting (coalesced ones not counted)."""
        return len(self._names) - sum(1 for n in self._names if not n)

    @property
    def scheduled(self) -> bool:
        return self._handle is not None

    def push(self, name: str, payload: Any) -> None:
        """The gateway's sink: synchronous, never raising on the payload's shape."""
        if self._closed:
            return
        self.events += 1
        if self._note is not None:
            self._note(name, payload)
        if name in _TYPING:
            self._coalesce(name, payload)
        self._names.append(name)
        self._payloads.append(payload)
        self._schedule_flush()

    def changed(self) -> None:
        """The store changed outside the feed (an owed fetch's answer): end a frame with the
        next flush, as if an event waited, so that its rows are shown in the same flush and
        paint as the feed's (at most one per interval), not in one of their own."""
        if self._closed:
            return
        self._changed = True
        self._schedule_flush()

    async def settled(self) -> None:
        """Return once no frame waits: at once when no flush is scheduled, else after the
        next flush (or close). Background work (page_slices.py) takes its turn here, so a
        frame of live events never waits behind it."""
        if self._handle is None or self._closed:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._settled.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._settled:
                self._settled.remove(waiter)

    def _release(self) -> None:
        waiters, self._settled = self._settled, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _schedule_flush(self) -> None:
        if self._handle is None:
            wait = self._interval - (self._clock() - self._last)
            self._handle = self._schedule(max(0.0, wait), self._fire)

    def _coalesce(self, name: str, payload: Any) -> None:
        """Empty the slot of the typist's waiting event; this one takes the next slot."""
        if not isinstance(payload, dict) or payload.get("type") not in _KINDS:
            return
        sid = payload.get("session_id")
        if not isinstance(sid, str):
            return
        slots: dict[Any, int]
        key: Any
        if name == VISITOR_TYPING:
            slots, key = self._visitor, sid
        else:
            user = payload.get("user")
            uid = user.get("user_id") if isinstance(user, dict) else None
            slots, key = self._operator, (sid, uid if isinstance(uid, str) else "",
                                          payload.get("automated") is True)
        at = slots.get(key)
        if at is not None:
            self._names[at] = ""
            self._payloads[at] = None
            self.coalesced += 1
        slots[key] = len(self._names)

    def _fire(self) -> None:
        self._handle = None
        self.flush()

    def flush(self) -> None:
        """Deliver every waiting event now, in order (also a scheduled flush's work)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._last = self._clock()
        try:
            self._deliver_all()
        finally:
            self._release()  # after the frame's flush and paint (done), not before

    def _deliver_all(self) -> None:
        names, payloads = self._names, self._payloads
        changed, self._changed = self._changed, False
        if not names and not changed:
            return
        if names:
            # Fresh lists for what arrives while delivering (a sink may run the loop's
            # callbacks only after returning, but a re-entrant push must not land in the
            # list being read).
            self._names, self._payloads = [], []
            self._visitor.clear()
            self._operator.clear()
            self.flushes += 1
            deliver = self._deliver
            for name, payload in zip(names, payloads, strict=True):
                if name:
                    deliver(name, payload)
        if self._done is not None:
            self._done()

    def close(self) -> None:
        """Drop what waits and stop (the client is closing: no store to apply it to)."""
        self._closed = True
        self._changed = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._names.clear()
        self._payloads.clear()
        self._visitor.clear()
        self._operator.clear()
        self._release()

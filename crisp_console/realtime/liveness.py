"""Is the relay answering? The live socket's watchdog, the probes of a reconnect wait, and
the silence they both report.

engine.io's own check is slow: the server pings every pingInterval, and the client gives up
after pingInterval + pingTimeout without a frame: 45 s with socket.io's defaults (what the
sandbox announces, and Crisp's node relay unless configured otherwise). Until then a frozen
relay (its process stopped: TCP stays open, the kernel still acknowledges, nothing answers)
looks connected.

RFC 6455 section 5.5.2: an endpoint must answer a Ping frame with a Pong. Every websocket
layer does, Crisp's node relay included, and a stopped process cannot. ``Watchdog`` sends a
Ping once the socket has been quiet ``ping_interval`` seconds; every frame from the relay
counts as an answer. Quiet for ``stall_after``: silent; quiet for ``drop_after``: the socket is
given up. A ping is a few bytes, on the socket already open, and costs no REST quota.

While a reconnect waits out its backoff, ``probe_until_answered`` asks the relay a cheap
question (transport.probe) every ``probe_interval`` and returns once it answers, so that the
wait ends then rather than when the backoff says (up to its 30 s cap later). One probe at a
time, each bounded by ``probe_timeout``: against a relay that is really down that is a
refused connection (a SYN and a RST) every ~2 s, jittered so that many consoles spread out.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from crisp_console.observers import Observed
from crisp_console.realtime.backoff import Liveness
from crisp_console.realtime.urls import Answer

if TYPE_CHECKING:  # the socket library loads with the first connect
    from crisp_console.realtime.transport import WatchedWebSocket

log = logging.getLogger("crisp_console.realtime")

# A watchdog that wakes this much later than it planned was not running (our own loop was
# busy): frames may be waiting unread, so the relay gets a fresh ping before it is blamed.
LAG = 1.0

Sleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]
SilenceObserver = Callable[[float | None], None]


def unanswered(exc: BaseException) -> bool:
    """Whether a failed connect waited for an answer that never came (a timeout somewhere in
    its chain: python-socketio wraps aiohttp's errors), rather than being told no."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class Silence(Observed[[float | None]]):
    """Since when (``monotonic``) the relay has answered nothing; None while it answers.

    Owned by the gateway: its watchdog and probes set it, any answer clears it. Observers
    get the new value on every change."""

    def __init__(self) -> None:
        super().__init__(log, "RTM silence observer")
        self.since: float | None = None

    def began(self, since: float) -> None:
        """Nothing answered since ``since`` (kept if the silence began earlier)."""
        if self.since is None:
            self.since = since
            log.warning("RTM: the relay is not answering")
            self._observers.notify(since)

    def ended(self) -> None:
        if self.since is not None:
            self.since = None
            log.info("RTM: the relay answers again")
            self._observers.notify(None)


class Watchdog:
    """Pings one socket while it is quiet and says when it has been quiet too long.

    ``frame()`` is called for every frame the relay sends (transport.WatchedWebSocket).
    ``run()`` returns when the socket should be given up (quiet for ``drop_after``), else
    runs until cancelled. ``on_silent(last_frame)`` is called once quiet for
    ``stall_after``; ``on_heard()`` when a frame ends that silence.
    """

    def __init__(self, policy: Liveness, ping: Callable[[], Awaitable[None]], *,
                 sleep: Sleep, monotonic: Clock, on_silent: Callable[[float], None],
                 on_heard: Callable[[], None]) -> None:
        if policy.ping_interval is None:
            raise ValueError("a watchdog needs a ping_interval")
        self._interval = policy.ping_interval
        self._policy = policy
        self._ping = ping
        self._sleep = sleep
        self._monotonic = monotonic
        self._on_silent = on_silent
        self._on_heard = on_heard
        self._last = monotonic()  # the last frame (the start counts as one)
        self._pinged: float | None = None
        self.silent = False

    def frame(self) -> None:
        self._last = self._monotonic()
        if self.silent:
            self.silent = False
            self._on_heard()

    async def run(self) -> None:
        policy = self._policy
        while True:
            now = self._monotonic()
            quiet = now - self._last
            if policy.drop_after is not None and quiet >= policy.drop_after:
                return
            if quiet >= policy.stall_after and not self.silent:
                self.silent = True
                self._on_silent(self._last)
            if now - max(self._last, self._pinged or self._last) >= self._interval:
                self._pinged = now
                try:
                    await self._ping()
                except Exception as exc:  # noqa: BLE001 - a closing socket: its read loop ends it
                    log.debug("RTM ping not sent: %s", type(exc).__name__)
            wake = self._next(self._monotonic())
            await self._sleep(max(0.0, wake - self._monotonic()))
            woke = self._monotonic()
            if woke - wake > LAG:  # we were not looking: ping now, then judge
                self._last = max(self._last, woke - self._interval)

    def _next(self, now: float) -> float:
        """When something is due: the next ping, the stall, the drop."""
        policy = self._policy
        due = [max(self._last, self._pinged or self._last) + self._interval]
        if not self.silent:
            due.append(self._last + policy.stall_after)
        if policy.drop_after is not None:
            due.append(self._last + policy.drop_after)
        later = [t for t in due if t > now]
        return min(later) if later else now


async def watch_socket(ws: WatchedWebSocket, policy: Liveness, silence: Silence, *,
                       sleep: Sleep, monotonic: Clock, give_up: Callable[[], None]) -> None:
    """Watch one connected socket until cancelled; its silence goes to ``silence``. Quiet
    for ``drop_after``: ``give_up()`` (the gateway opens a fresh socket)."""
    def silent(last_frame: float) -> None:
        log.warning("RTM: no answer from the relay for %.0f s", monotonic() - last_frame)
        silence.began(last_frame)

    dog = Watchdog(policy, ws.ping, sleep=sleep, monotonic=monotonic, on_silent=silent,
                   on_heard=silence.ended)
    ws.on_frame = dog.frame
    try:
        await dog.run()
    finally:
        ws.on_frame = None
    log.warning("RTM: no answer for %.0f s; opening a fresh socket", policy.drop_after)
    give_up()


async def probe_until_answered(ask: Callable[[], Awaitable[Answer]], policy: Liveness, *,
                               sleep: Sleep, rng: random.Random) -> None:
    """``ask()`` every ``probe_interval`` (jittered), one at a time, until the relay answers."""
    interval = policy.probe_interval
    if interval is None:
        raise ValueError("probes are off (probe_interval is None)")
    while True:
        await sleep(interval * (1 + rng.uniform(-policy.probe_jitter, policy.probe_jitter)))
        if await ask() is Answer.ANSWERED:
            return

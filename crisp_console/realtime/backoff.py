"""When to retry a lost RTM connection, how long one attempt may take, and how the gateway
tells a relay that answers from one that does not (``Liveness``, liveness.py).

Crisp's advice (crisp-api.md section 3.1): retry immediately once, then back off with growing
intervals, and reset the counter once a connection succeeds. ``Backoff.delays()`` yields
exactly that sequence; the gateway asks for a fresh iterator after every successful
authentication, which is the reset (and once per outage after a REST answer: gateway.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """The waits between attempts (seconds).

    Attributes:
        first_delay: wait before the first retry after a drop (0: immediately).
        base: nominal wait before the second retry; each later retry multiplies it by
            ``factor``, up to ``cap``.
        factor: growth of the nominal wait per retry (>= 1).
        cap: largest nominal wait. Jitter applies around the capped value, so a wait lies in
            ``[nominal * (1 - jitter), nominal * (1 + jitter)]``.
        jitter: +/- fraction of randomness so that many clients do not retry in lockstep.
    """

    first_delay: float = 0.0
    base: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.3

    def __post_init__(self) -> None:
        for name in ("first_delay", "base", "cap"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} should be >= 0")
        if self.factor < 1:
            raise ValueError("factor should be >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter should be in [0, 1)")

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """Endless waits before retry 1, 2, 3...: ``first_delay``, then ~base, ~base*factor...

        The first retry is not jittered (an immediate retry stays immediate). ``rng`` makes
        the jitter reproducible; by default a fresh ``random.Random()`` is used.
        """
        rand = rng if rng is not None else random.Random()
        yield self.first_delay
        nominal = min(self.base, self.cap)
        while True:
            spread = nominal * self.jitter
            yield max(0.0, nominal + rand.uniform(-spread, spread))
            nominal = min(nominal * self.factor, self.cap)


@dataclass(frozen=True)
class Liveness:
    """The watchdog of the live socket and the probes of a reconnect wait (seconds; None: off).

    Attributes:
        ping_interval: a WebSocket ping goes out once the socket has been quiet this long
            (any frame from the relay is an answer: a pong, an event, engine.io's ping).
        stall_after: quiet this long, the relay is silent: the console says "Not responding".
            With the defaults a freeze shows within 7 s; a link whose round trip is under
            ``stall_after - ping_interval`` never looks silent.
        drop_after: quiet this long, the socket is given up and a fresh one opened. Before
            engine.io's own verdict (pingInterval + pingTimeout: 45 s with socket.io's
            defaults), and after most freezes have ended: a socket that wakes up in time
            goes on with nothing lost and no catch-up.
        probe_interval: while a reconnect waits longer than this, the relay is probed this
            often (jittered by ``probe_jitter``); an answer ends the wait.
        probe_timeout: how long one probe may wait for its answer.
    """

    ping_interval: float | None = 2.5
    stall_after: float = 7.0
    drop_after: float | None = 30.0
    probe_interval: float | None = 2.0
    probe_timeout: float = 2.0
    probe_jitter: float = 0.25

    def __post_init__(self) -> None:
        for name in ("ping_interval", "probe_interval"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} should be > 0 (or None: off)")
        if self.probe_timeout <= 0:
            raise ValueError("probe_timeout should be > 0")
        if self.ping_interval is not None and self.stall_after <= self.ping_interval:
            raise ValueError("stall_after should be longer than ping_interval")
        if self.drop_after is not None and self.drop_after <= self.stall_after:
            raise ValueError("drop_after should be longer than stall_after")
        if not 0 <= self.probe_jitter < 1:
            raise ValueError("probe_jitter should be in [0, 1)")


# No watchdog, no probes: the socket lives as long as engine.io's own check lets it, and a
# reconnect waits out its backoff (tests of other things; the "before" of bench_freeze.py).
NO_LIVENESS = Liveness(ping_interval=None, drop_after=None, probe_interval=None)


@dataclass(frozen=True)
class ReconnectPolicy:
    """How the gateway retries (``backoff``) and the limits of one attempt (seconds).

    Attributes:
        backoff: the waits between attempts.
        auth_timeout: how long to wait for ``authenticated`` after sending ``authentication``.
        connect_timeout: how long the socket (TCP + WebSocket + Socket.IO) may take to open.
        rescue_after: consecutive failed attempts on one URL before the next attempt uses the
            other one (Get Connect Endpoints' ``rescue.socket.app``, or back to the main).
        liveness: the socket's watchdog and the reconnect's probes.
    """

    backoff: Backoff = field(default_factory=Backoff)
    auth_timeout: float = 10.0
    connect_timeout: float = 10.0
    rescue_after: int = 3
    liveness: Liveness = field(default_factory=Liveness)

    def __post_init__(self) -> None:
        for name in ("auth_timeout", "connect_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} should be > 0")
        if self.rescue_after < 1:
            raise ValueError("rescue_after should be >= 1")

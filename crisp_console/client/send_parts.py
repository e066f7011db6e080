"""The send path's parts (sending.py): its policy, one reply owed, the counters, the journal
that keeps the replies durable, and one delivery's send window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

SendKey = tuple[str, int]  # (session_id, fingerprint)


@dataclass(frozen=True)
class SendPolicy:
    """How hard one reply is tried; seconds unless named otherwise."""

    window: float = 120.0  # from the first attempt to FAILED, time inside calls included
    first_delay: float = 0.5  # backoff before the second attempt; doubles per failure
    max_delay: float = 8.0
    jitter: float = 0.5  # fraction of a delay that is randomised (down)
    max_attempts: int = 40  # per window, whatever the delays (a read + its POST is one)
    skew_ms: int = 120_000  # read back this far before the first attempt (clock skew)
    max_pages: int = 50  # history batches one read may take (2,000 messages at 40)
    concurrency: int = 16  # send-path calls in flight at once (the window opens in a slot)


@dataclass
class Outgoing:
    """One reply the console owes Crisp, from its first attempt until it is confirmed."""

    website_id: str
    session_id: str
    fingerprint: int
    type: str
    content: Any
    mentions: list[str] | None
    started_ms: int  # the console's clock at the first attempt (the floor of reads)
    ambiguous: bool = False  # an attempt may be stored: read before posting again

    @property
    def key(self) -> SendKey:
        return self.session_id, self.fingerprint


@dataclass
class SendStats:
    """Counters for tests and the soak figures."""

    posts: int = 0  # POST attempts (the quota gate may refuse one without a request)
    reads: int = 0  # read-before-retry passes
    pages: int = 0  # Get Messages calls they made
    found: int = 0  # ambiguous sends a read proved stored
    echoed: int = 0  # ... that Crisp's echo (RTM, a REST page) proved stored first
    confirmed: int = 0
    failed: int = 0


class SendJournal(Protocol):
    """Who keeps a durable record of the replies (client/outbox.py). ``order`` is the
    reply's place among the client's outgoing actions (None: unknown, its fingerprint)."""

    def order(self, out: Outgoing) -> int | None: ...

    def sending(self, out: Outgoing) -> None: ...

    def waiting(self, out: Outgoing, why: str) -> None: ...

    def failed(self, out: Outgoing, why: str) -> None: ...

    def sent(self, out: Outgoing) -> None: ...


class NoJournal:
    """Nothing kept: the reply lives as long as the client."""

    def order(self, out: Outgoing) -> int | None:
        return None

    def sending(self, out: Outgoing) -> None:
        pass

    def waiting(self, out: Outgoing, why: str) -> None:
        pass

    def failed(self, out: Outgoing, why: str) -> None:
        pass

    def sent(self, out: Outgoing) -> None:
        pass


class WindowOver(Exception):
    """The send window ended inside (or before) a call."""


class Window:
    """One delivery's send window. It opens at its first call, not when the reply starts
    waiting for a free slot behind thousands of others: queueing inside the console is
    not Crisp failing to answer."""

    def __init__(self, span: float, clock: Callable[[], float]) -> None:
        self.span = span
        self._clock = clock
        self._deadline: float | None = None

    def open(self) -> float:
        if self._deadline is None:
            self._deadline = self._clock() + self.span
        return self._deadline

    @property
    def deadline(self) -> float:
        return self._deadline if self._deadline is not None else self._clock() + self.span

"""A clock for code that takes ``sleep`` and ``monotonic``: time that moves only when the test
says so, so that waits, throttles and backoffs are counted, never timed."""

from __future__ import annotations

import asyncio


class VirtualClock:
    """``monotonic`` and ``sleep`` on time that moves only by ``advance()``: a sleep ends when
    the clock reaches its end (a sleep of 0 just yields), so throttles, backoffs and ticks
    wait exactly as long as the test says, and never on the wall clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken = asyncio.get_running_loop().create_future()
        entry = (self.now + seconds, woken)
        self._sleepers.append(entry)
        try:
            await woken
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        """Move the clock on; the sleeps that end by then wake (on the next loop turn)."""
        self.now += seconds
        for end, woken in self._sleepers:
            if end <= self.now and not woken.done():
                woken.set_result(None)

    @property
    def sleeping(self) -> int:
        """How many sleeps are waiting for the clock."""
        return sum(not woken.done() for _, woken in self._sleepers)

    async def run_out(self, step: float = 1.0, limit: int = 10_000) -> None:
        """Advance ``step`` at a time until nothing sleeps on the clock any more (each woken
        sleeper takes its next step, and maybe sleeps again, before the clock looks)."""
        for _ in range(limit):
            await asyncio.sleep(0)
            if not self.sleeping:
                return
            self.advance(step)
        raise AssertionError(f"still {self.sleeping} sleeper(s) after {limit} steps")

    async def elapse(self, seconds: float, step: float = 0.1) -> None:
        """Let ``seconds`` pass ``step`` at a time, with a turn of the loop after each step:
        whatever waits on the clock wakes, and runs, as it would as time goes by."""
        for _ in range(round(seconds / step)):
            self.advance(step)
            await asyncio.sleep(0)

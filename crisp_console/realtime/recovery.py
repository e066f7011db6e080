"""The waits between RTM attempts: the backoff, cut short when the relay is back.

A wait lasts what ``Backoff.delays()`` says, unless
- a probe finds the relay answering (liveness.probe_until_answered): the wait ends at once.
  Not after a refusal (the relay answered: a probe says nothing new), nor right after an
  early retry that failed (a relay that answers probes but fails attempts would otherwise
  get a retry per probe): that wait is served in full, and the backoff keeps growing;
- Crisp's REST API answers (``rest_answered()``, the client wires it): the backoff starts
  over and a waiting retry goes now. Once per outage: the REST traffic must not pace the
  retries against a relay that is down while the API is up.

The probes also tell the gateway's ``Silence``: a probe that gets no answer means the relay
is silent, one that is answered or refused means it is not (down is not silent).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping

from crisp_console.realtime.backoff import ReconnectPolicy
from crisp_console.realtime.liveness import Silence, Sleep, probe_until_answered
from crisp_console.realtime.urls import Answer

log = logging.getLogger("crisp_console.realtime")


Ask = Callable[[str, float], Awaitable[Answer]]  # transport.probe's signature


class Recovery:
    def __init__(self, policy: ReconnectPolicy, silence: Silence, url: Callable[[], str], *,
                 rng: random.Random, sleep: Sleep, monotonic: Callable[[], float],
                 ask: Ask | None = None) -> None:
        """``url()``: the RTM URL the next attempt uses (the one to probe); ``ask``: one
        probe of it (tests give their own)."""
        self._policy = policy
        self._ask = ask if ask is not None else _probe
        self._silence = silence
        self._url = url
        self._rng = rng
        self._probe_rng = random.Random()  # its own: the backoff's sequence stays seeded
        self._sleep = sleep
        self._monotonic = monotonic
        self._delays: Iterator[float] = policy.backoff.delays(rng)
        self._early = False  # the last wait ended early: the next one is served in full
        self._wake: asyncio.Event | None = None  # set: the current wait ends now
        self._rest_armed = True
        self._shortcuts: Counter[str] = Counter()
        self.retry_at: float | None = None  # when the current wait ends (monotonic)

    @property
    def shortcuts(self) -> Mapping[str, int]:
        """How many waits ended early, by cause: ``probe`` or ``rest``."""
        return dict(self._shortcuts)

    def connected(self) -> None:
        """Authenticated: the next outage may restart the backoff on a REST answer."""
        self._rest_armed = True

    def restart(self) -> None:
        """A connected socket was lost: the backoff starts over (Crisp's advice)."""
        self._delays = self._policy.backoff.delays(self._rng)
        self._early = False

    def rest_answered(self) -> None:
        """The REST API answered during an outage: restart the backoff, end the wait."""
        if not self._rest_armed:
            return
        self._rest_armed = False
        log.info("RTM: Crisp's REST API answers; the reconnect backoff starts over")
        self._delays = self._policy.backoff.delays(self._rng)
        if self._wake is not None:
            self._shortcuts["rest"] += 1
            self._wake.set()

    async def wait(self, *, refused: bool) -> None:
        """Wait before the next attempt; ``refused``: the last one was refused."""
        delay = next(self._delays)
        log.info("RTM connection lost; retrying in %.2fs", delay)
        liveness = self._policy.liveness
        probing = (not refused and not self._early and liveness.probe_interval is not None
                   and delay > liveness.probe_interval)
        self._early = await self._wait(delay, probing)

    async def _wait(self, delay: float, probing: bool) -> bool:
        """True when the wait ended early."""
        now = self._monotonic()
        self.retry_at = now + delay
        wake = self._wake = asyncio.Event()
        waits = [asyncio.ensure_future(self._sleep(delay)), asyncio.ensure_future(wake.wait())]
        if probing:
            waits.append(asyncio.ensure_future(probe_until_answered(
                self._probe, self._policy.liveness, sleep=self._sleep, rng=self._probe_rng)))
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.retry_at = self._wake = None
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        if waits[0] in done:
            waits[0].result()  # a failing sleep is a bug: the supervisor reports it
            return False
        if probing and waits[2] in done:
            failure = waits[2].exception()
            if failure is not None:  # our bug: an early retry, and its traceback
                log.error("RTM probes stopped", exc_info=failure)
            self._shortcuts["probe"] += 1
            why = "the relay answers a probe"
        else:
            why = "the backoff started over"
        log.info("RTM: %s; retrying now rather than in %.1f s", why,
                 max(0.0, now + delay - self._monotonic()))
        return True

    async def _probe(self) -> Answer:
        started = self._monotonic()
        answer = await self._ask(self._url(), self._policy.liveness.probe_timeout)
        if answer is Answer.SILENT:
            self._silence.began(started)
        else:  # answered, or refused outright: down is not silent
            self._silence.ended()
        return answer


async def _probe(url: str, wait: float) -> Answer:
    """transport.probe, imported when a reconnect first probes (not at start-up)."""
    from crisp_console.realtime.transport import probe

    return await probe(url, wait)

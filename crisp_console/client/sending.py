"""The send path: one retry loop per reply, owned by the client, that never loses a reply
and never posts one twice.

Crisp may not de-duplicate fingerprints (crisp-api.md §10 row 4): a repeated POST can store a
second message. So an attempt's outcome decides what may follow:

- not processed (TransportError with ``sent`` False, a RateLimitError): post again;
- ambiguous (TransportError with ``sent``, ServerError, a call the send window cut short):
  the reply may be stored. Before any new POST the conversation's latest messages are read
  (send_lookup.py); found means confirmed, and only a complete read that does not find it
  allows the next POST. A failed read keeps it ambiguous: read again later, never post blind;
- a spent daily quota: FAILED with the reset time, and queued; when the quota gate reopens
  the queue is sent again in order, through this same loop;
- any other refusal: FAILED in words, no retry.

The loop is bounded by ``SendPolicy.window`` including the time inside each API call (a call
cannot outlive it), and in attempts; its backoff is jittered and capped. The window opens
at the reply's first call: at most ``SendPolicy.concurrency`` calls are in flight, and
waiting for a slot behind thousands of other replies is not Crisp failing. When the window
ends the reply is FAILED in words and stays ambiguous if it was: Retry reads first.
The API layer never repeats a send (``retry_safe=False``); this is the only loop that does.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from crisp_console import errors
from crisp_console.api import CrispApi
from crisp_console.client import send_words as words
from crisp_console.client.send_lookup import LookupIncomplete, Sought, find_sent, same_content
from crisp_console.core import Store
from crisp_console.log import ThrottledReporter

log = logging.getLogger("crisp_console.client")

T = TypeVar("T")
SendKey = tuple[str, int]  # (session_id, fingerprint)
Spawn = Callable[..., "asyncio.Task[Any] | None"]  # TaskOwner.spawn(coro, name, key=...)


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


class _Failed(Exception):
    """The loop gave up: ``words`` for the thread, ``cause`` for the caller."""

    def __init__(self, text: str, cause: BaseException) -> None:
        super().__init__(text)
        self.text = text
        self.cause = cause


class _WindowOver(Exception):
    """The send window ended inside (or before) a call."""


class _Window:
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


class Sender:
    """Delivers replies for one client. ``spawn`` is the client's TaskOwner.spawn, so every
    delivery is owned and cancelled on close; ``clock``/``sleep``/``rng`` are injectable."""

    def __init__(self, api: CrispApi, store: Store, policy: SendPolicy, spawn: Spawn, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rng: random.Random | None = None) -> None:
        self.api = api
        self.store = store
        self.policy = policy
        self.stats = SendStats()
        self.failures = ThrottledReporter(log)
        self._spawn = spawn
        self._clock = clock
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._owed: dict[SendKey, Outgoing] = {}  # not confirmed yet (FAILED ones included)
        self._queue: dict[SendKey, None] = {}  # waiting for the quota; sent in fingerprint order
        self._flights: dict[SendKey, asyncio.Task[Any]] = {}  # one delivery per reply at a time
        # Calls in flight at once: thousands of concurrent sends must queue here, in order,
        # not in httpx's pool (which slows down quadratically with its queue, and times out).
        self._slots = asyncio.Semaphore(policy.concurrency)

    # ---- public --------------------------------------------------------------------------

    def owed(self, session_id: str, fingerprint: int) -> Outgoing | None:
        return self._owed.get((session_id, fingerprint))

    def queued(self) -> list[Outgoing]:
        """Replies waiting for the daily quota to reset, in the order they will go."""
        return [self._owed[k] for k in sorted(self._queue, key=lambda k: k[1])
                if k in self._owed]

    async def deliver(self, out: Outgoing) -> None:
        """Send ``out`` (or join its delivery in flight); raises what made it FAILED.

        The delivery is a task of the client: cancelling the caller does not cancel it."""
        known = self._owed.setdefault(out.key, out)
        task = self._flights.get(out.key)
        if task is None or task.done():
            task = self._spawn(self._run(known), f"send {out.fingerprint}")
            if task is None:
                raise errors.ClosedError("the client is closing")
            self._flights[out.key] = task
            task.add_done_callback(lambda done: self._landed(out.key, done))
        await asyncio.wait({task})
        if task.cancelled():
            raise errors.ClosedError("the client closed while sending")
        error = task.result()
        if error is not None:
            raise error

    def _landed(self, key: SendKey, task: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]

    # ---- one delivery --------------------------------------------------------------------

    async def _run(self, out: Outgoing) -> BaseException | None:
        self.store.retry_pending(out.session_id, out.fingerprint)  # FAILED -> PENDING
        try:
            await self._attempts(out)
        except errors.QuotaExceededError as exc:
            if not self._echoed(out):
                self._fail(out, words.quota_spent(exc), exc)
                self._enqueue(out)
                return exc
        except _Failed as failed:
            if not self._echoed(out):
                self._fail(out, failed.text, failed.cause)
                self._queue.pop(out.key, None)
                return failed.cause
        except asyncio.CancelledError:
            self._fail(out, words.interrupted(ambiguous=out.ambiguous), None)
            raise
        self._confirm(out)
        return None

    async def _attempts(self, out: Outgoing) -> None:
        """Attempts until confirmed; raises QuotaExceededError or _Failed. ``out.ambiguous``
        is set before each POST (its body may leave at any moment, a cut included) and
        cleared only by an answer saying it was not processed, or by a complete read."""
        policy = self.policy
        window = _Window(policy.window, self._clock)
        last: BaseException | None = None
        for attempt in range(1, policy.max_attempts + 1):
            posting = False
            wait = 0.0
            try:
                if out.ambiguous and (self._echoed(out)
                                      or await self._call(self._find(out), window)):
                    return
                posting = True  # proved absent, or never tried: one POST may go
                await self._call(self._post(out), window)
                return
            except _WindowOver:
                raise self._give_up(out, last) from None
            except errors.QuotaExceededError:
                out.ambiguous = out.ambiguous and not posting  # refused: not processed
                raise
            except errors.RateLimitError as exc:  # refused at the edge: not processed
                out.ambiguous = out.ambiguous and not posting
                last, wait = exc, exc.retry_after or 0.0
            except errors.TransportError as exc:  # ``sent`` False: it never left
                out.ambiguous = out.ambiguous and (exc.sent or not posting)
                last = exc
            except (errors.ServerError, LookupIncomplete) as exc:  # processed or not: unknown
                last = exc
            except errors.ProtocolError as exc:
                last = exc
                if posting:  # a 2xx Crisp answered unreadably: it was accepted
                    raise _Failed(words.refused(exc, ambiguous=True), exc) from exc
                # an unreadable history batch: read again later
            except errors.ClosedError as exc:  # the client closed mid-call: the outcome is unknown
                raise _Failed(words.refused(exc, ambiguous=out.ambiguous), exc) from exc
            except errors.CrispError as exc:  # refused for good: invalid, gone, not allowed...
                if posting:  # a 4xx: Crisp did not store it
                    out.ambiguous = False
                elif isinstance(exc, errors.NotAllowedError):
                    raise _Failed(words.cannot_check(exc), exc) from exc
                raise _Failed(words.refused(exc, ambiguous=out.ambiguous), exc) from exc
            log.info("send %d: attempt %d failed (%s)%s", out.fingerprint, attempt,
                     type(last).__name__, ", read before retry" if out.ambiguous else "")
            delay = max(wait, self._backoff(attempt))
            if self._clock() + delay >= window.deadline:
                break
            await self._sleep(delay)
        raise self._give_up(out, last)

    def _give_up(self, out: Outgoing, last: BaseException | None) -> _Failed:
        text = words.window_over(self.policy.window, last, ambiguous=out.ambiguous)
        cause = last if last is not None else errors.TransportError(
            f"no answer from Crisp within the send window ({self.policy.window:g} s)",
            sent=True)
        return _Failed(text, cause)

    async def _post(self, out: Outgoing) -> None:
        # From here the body may leave at any moment: in doubt until an answer says
        # otherwise (a cut by the window included).
        out.ambiguous = True
        self.stats.posts += 1
        answered = await self.api.send_message(
            out.website_id, out.session_id, type=out.type, content=out.content,
            fingerprint=out.fingerprint, mentions=out.mentions)
        if answered != out.fingerprint:  # the echo will not merge with the local copy
            log.warning("send %d: Crisp answered fingerprint %d", out.fingerprint, answered)

    async def _find(self, out: Outgoing) -> bool:
        self.stats.reads += 1

        async def fetch(before: int | None) -> list[dict[str, Any]]:
            self.stats.pages += 1
            return await self.api.get_messages(out.website_id, out.session_id, before=before)

        sought = Sought(out.fingerprint, out.type, out.content, out.started_ms)
        found = await find_sent(fetch, sought, skew_ms=self.policy.skew_ms,
                                max_pages=self.policy.max_pages)
        if found:
            self.stats.found += 1
            log.info("send %d: found in the conversation after an ambiguous attempt",
                     out.fingerprint)
        return found

    def _echoed(self, out: Outgoing) -> bool:
        """Whether the store already holds Crisp's copy (its RTM echo or a REST page merged
        into the local echo), with our type and content: proof that it is stored."""
        msg = self.store.message(out.session_id, out.fingerprint)
        echoed = (msg is not None and not msg.is_pending and msg.type == out.type
                  and same_content(out.content, msg.content))
        self.stats.echoed += echoed
        return echoed

    async def _call(self, call: Coroutine[Any, Any, T], window: _Window) -> T:
        """``await call`` in a free slot, cut when the send window ends (a cut POST is
        ambiguous: its body may have left). The window opens with the first slot."""
        try:
            async with self._slots:
                return await self._bounded(call, window.open())
        finally:
            call.close()  # never awaited if cancelled while waiting for a slot

    async def _bounded(self, call: Coroutine[Any, Any, T], deadline: float) -> T:
        left = deadline - self._clock()
        if left <= 0:
            call.close()
            raise _WindowOver
        timeout = asyncio.timeout(left)
        try:
            async with timeout:
                return await call
        except TimeoutError:
            if timeout.expired():
                raise _WindowOver from None
            raise

    def _backoff(self, attempt: int) -> float:
        policy = self.policy
        delay = min(policy.max_delay, policy.first_delay * 2 ** min(attempt - 1, 30))
        return delay * (1.0 - policy.jitter * self._rng.random())

    def _confirm(self, out: Outgoing) -> None:
        self._owed.pop(out.key, None)
        self._queue.pop(out.key, None)
        self.stats.confirmed += 1
        self.store.confirm_pending(out.session_id, out.fingerprint)

    def _fail(self, out: Outgoing, text: str, cause: BaseException | None) -> None:
        self.stats.failed += 1
        # One line per kind, then counts: a spent quota can fail hundreds of replies at once.
        kind = f"reply not sent ({type(cause).__name__ if cause else 'interrupted'})"
        self.failures.report(kind, f"{out.fingerprint}: {text}")
        self.store.fail_pending(out.session_id, out.fingerprint, text)

    # ---- the quota queue -----------------------------------------------------------------

    def _enqueue(self, out: Outgoing) -> None:
        self._queue[out.key] = None
        self._spawn(self._drain(), "send queue", key="send-queue")

    async def _drain(self) -> None:
        """Send the queued replies again, in order, each time the quota gate opens."""
        while self._queue:
            try:
                await self.api.wait_quota()  # at most one probe per probe interval
            except errors.CrispError as exc:  # the token was refused, or the client closed
                self._abandon(exc)
                return
            spent = False
            for out in self.queued():
                if out.key not in self._queue:
                    continue  # sent meanwhile (the operator's Retry)
                try:
                    await self.deliver(out)
                except errors.QuotaExceededError:
                    spent = True
                    break
                except errors.ClosedError as exc:  # the client is closing: nothing more goes out
                    self._abandon(exc)
                    return
                except errors.CrispError:
                    pass  # FAILED in words and out of the queue (see _run)
            if spent and not self.api.gate.spent:  # cannot happen; never spin if it does
                await self._sleep(self.policy.max_delay)

    def _abandon(self, exc: errors.CrispError) -> None:
        log.warning("queued replies stay unsent: %s", exc)
        for out in self.queued():
            self._fail(out, words.refused(exc, ambiguous=out.ambiguous), exc)
        self._queue.clear()

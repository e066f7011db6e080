"""The send path: one retry loop per reply, owned by the client, that never loses a reply
and never posts one twice.

Crisp may not de-duplicate fingerprints (crisp-api.md §10 row 4): a repeated POST can store a
second message. So an attempt's outcome decides what may follow:

- not processed (TransportError with ``sent`` False, a RateLimitError): post again;
- ambiguous (TransportError with ``sent``, ServerError, a call the send window cut short):
  the reply may be stored. Before any new POST the conversation's latest messages are read
  (send_lookup.py); found means confirmed, and only a complete read that does not find it
  allows the next POST. A failed read keeps it ambiguous: read again later, never post blind;
- a spent daily quota, or a window that ended without reaching Crisp: the reply waits
  (PENDING, its words saying until when) in the client's Waiting (waiting.py), which
  delivers it again through this same loop, in order per conversation, when the quota
  gate reopens or the connection returns. While Crisp cannot be reached, or an earlier
  reply of its conversation waits, a new reply waits at once without trying;
- any other refusal: FAILED in words, no retry.

The loop is bounded by ``SendPolicy.window`` including the time inside each API call (a call
cannot outlive it), and in attempts; its backoff is jittered and capped. The window opens
at the reply's first call: at most ``SendPolicy.concurrency`` calls are in flight, and
waiting for a slot behind thousands of other replies is not Crisp failing. When the window
ends the reply is FAILED in words and stays ambiguous if it was: Retry reads first.
The API layer never repeats a send (``retry_safe=False``); this is the only loop that does.

A ``SendJournal`` hears each reply's states (the durable outbox: client/outbox.py); a reply
interrupted by the client closing is not reported failed to it: it is sent at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

from crisp_console import errors
from crisp_console.api import CrispApi, tagged
from crisp_console.client import send_words as words
from crisp_console.client.retry import Retrier
from crisp_console.client.send_lookup import LookupIncomplete, Sought, find_sent, same_content
from crisp_console.client.send_parts import (
    NoJournal,
    Outgoing,
    SendJournal,
    SendKey,
    SendPolicy,
    SendStats,
    Window,
    WindowOver,
)
from crisp_console.client.waiting import Parked, QueuedError, Waiting, unreachable, waits
from crisp_console.core import Store
from crisp_console.log import ThrottledReporter

log = logging.getLogger("crisp_console.client")

T = TypeVar("T")
Spawn = Callable[..., "asyncio.Task[Any] | None"]  # TaskOwner.spawn(coro, name, key=...)


class _Failed(Exception):
    """The loop gave up: ``words`` for the thread, ``cause`` for the caller."""

    def __init__(self, text: str, cause: BaseException) -> None:
        super().__init__(text)
        self.text = text
        self.cause = cause


class Sender:
    """Delivers replies for one client. ``spawn`` is the client's TaskOwner.spawn, so every
    delivery is owned and cancelled on close; ``clock``/``sleep``/``rng`` are injectable.
    ``waiting`` is the client's (shared with the commands); by default one of its own."""

    def __init__(self, api: CrispApi, store: Store, policy: SendPolicy, spawn: Spawn, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rng: random.Random | None = None, waiting: Waiting | None = None,
                 journal: SendJournal | None = None) -> None:
        self.api = api
        self.store = store
        self.policy = policy
        self.stats = SendStats()
        self.failures = ThrottledReporter(log)
        self.journal: SendJournal = journal if journal is not None else NoJournal()
        self._spawn = spawn
        self._clock = clock
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self.waiting = waiting if waiting is not None else Waiting(
            api, Retrier(api, base=policy.first_delay, cap=policy.max_delay, sleep=sleep,
                         rng=self._rng), spawn, sleep=sleep)
        self._owed: dict[SendKey, Outgoing] = {}  # not confirmed yet (FAILED ones included)
        self._flights: dict[SendKey, asyncio.Task[Any]] = {}  # one delivery per reply at a time
        # Calls in flight at once: thousands of concurrent sends must queue here, in order,
        # not in httpx's pool (which slows down quadratically with its queue, and times out).
        self._slots = asyncio.Semaphore(policy.concurrency)

    # ---- public --------------------------------------------------------------------------

    def owed(self, session_id: str, fingerprint: int) -> Outgoing | None:
        return self._owed.get((session_id, fingerprint))

    def queued(self) -> list[Outgoing]:
        """Replies waiting (for the quota, the connection, an earlier reply), in the order
        they will go per conversation."""
        return [out for key in self.waiting.order()
                if isinstance(key, tuple) and (out := self._owed.get(key)) is not None]

    def adopt(self, out: Outgoing) -> Outgoing:
        """Know ``out`` as owed (a reply resumed from the outbox); the one already known
        under its key wins."""
        return self._owed.setdefault(out.key, out)

    def forget(self, session_id: str, fingerprint: int) -> bool:
        """Drop an unsent reply (the operator discarded it); False while it is in flight."""
        key = (session_id, fingerprint)
        task = self._flights.get(key)
        if task is not None and not task.done():
            return False
        self._owed.pop(key, None)
        self.waiting.unpark(key)
        return True

    async def deliver(self, out: Outgoing, *, now: bool = False) -> None:
        """Send ``out`` (or join its delivery in flight); raises what made it FAILED, or
        QueuedError / QuotaExceededError when it waits (it goes out by itself).

        ``now``: try at once even if it would wait (the operator's Retry). The delivery is
        a task of the client: cancelling the caller does not cancel it."""
        known = self._owed.setdefault(out.key, out)
        task = self._flights.get(out.key)
        if (task is None or task.done()) and not now \
                and self.waiting.blocks(out.session_id, self._order(known)):
            self._wait(known, None)
            raise self.waiting.error(self._queued_words(known))
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

    @tagged("send")
    async def _run(self, out: Outgoing) -> BaseException | None:
        self.store.retry_pending(out.session_id, out.fingerprint)  # FAILED -> PENDING
        self.journal.sending(out)
        try:
            await self._attempts(out)
        except errors.QuotaExceededError as exc:
            if not self._echoed(out):
                self._wait(out, exc)
                return exc
        except _Failed as failed:
            if not self._echoed(out):
                if unreachable(failed.cause):  # Crisp cannot be reached: wait for it
                    self._wait(out, failed.cause)
                    return QueuedError(self._queued_words(out), failed.cause)
                self._fail(out, failed.text, failed.cause)
                self.waiting.unpark(out.key)
                return failed.cause
        except asyncio.CancelledError:  # the client is closing: sent at the next start
            self._fail(out, words.interrupted(ambiguous=out.ambiguous), None)
            raise
        self._confirm(out)
        return None

    async def _attempts(self, out: Outgoing) -> None:
        """Attempts until confirmed; raises QuotaExceededError or _Failed (at once when
        Crisp cannot be reached: the API layer tried to connect already). ``out.ambiguous``
        is set before each POST (its body may leave at any moment, a cut included) and
        cleared only by an answer saying it was not processed, or by a complete read."""
        policy = self.policy
        window = Window(policy.window, self._clock)
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
            except WindowOver:
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
                if unreachable(exc):  # the API layer could not connect: wait for the link
                    raise _Failed(words.unreachable(ambiguous=out.ambiguous), exc) from exc
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

    async def _call(self, call: Coroutine[Any, Any, T], window: Window) -> T:
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
            raise WindowOver
        timeout = asyncio.timeout(left)
        try:
            async with timeout:
                return await call
        except TimeoutError:
            if timeout.expired():
                raise WindowOver from None
            raise

    def _backoff(self, attempt: int) -> float:
        policy = self.policy
        delay = min(policy.max_delay, policy.first_delay * 2 ** min(attempt - 1, 30))
        return delay * (1.0 - policy.jitter * self._rng.random())

    def _confirm(self, out: Outgoing) -> None:
        self._owed.pop(out.key, None)
        self.waiting.unpark(out.key)
        self.stats.confirmed += 1
        self.store.confirm_pending(out.session_id, out.fingerprint)
        self.journal.sent(out)

    def _fail(self, out: Outgoing, text: str, cause: BaseException | None) -> None:
        self.stats.failed += 1
        # One line per kind, then counts: a spent quota can fail hundreds of replies at once.
        kind = f"reply not sent ({type(cause).__name__ if cause else 'interrupted'})"
        self.failures.report(kind, f"{out.fingerprint}: {text}")
        self.store.fail_pending(out.session_id, out.fingerprint, text)
        if cause is not None and not isinstance(cause, errors.ClosedError):
            self.journal.failed(out, text)  # closing is no failure: it goes next start

    # ---- waiting (waiting.py) -----------------------------------------------------------

    def _order(self, out: Outgoing) -> int:
        order = self.journal.order(out)
        return order if order is not None else out.fingerprint

    def _queued_words(self, out: Outgoing) -> str:
        waiting = self.waiting
        if waiting.offline:
            return words.unreachable(ambiguous=out.ambiguous)
        if waiting.quota_spent and isinstance(waiting.reason, errors.QuotaExceededError):
            return words.quota_spent(waiting.reason)
        return words.behind()

    def _wait(self, out: Outgoing, cause: BaseException | None) -> None:
        """Park ``out`` (it goes again in order when Crisp can take it) and say so;
        ``cause`` None: it waits behind others without trying."""
        offline = unreachable(cause)
        self.waiting.park(self._parked(out), cause, offline=offline)
        text = self._queued_words(out)
        self.store.queue_pending(out.session_id, out.fingerprint, text)
        self.journal.waiting(out, text)

    def _parked(self, out: Outgoing) -> Parked:
        return Parked(out.key, self._order(out), out.session_id, partial(self._again, out),
                      partial(self._give_up_waiting, out))

    async def _again(self, out: Outgoing) -> None:
        """One more delivery of a waiting reply (the drain's run): Wait when it must wait
        again; over when confirmed or FAILED in words."""
        if self._owed.get(out.key) is None:
            return  # confirmed meanwhile (the operator's Retry), or discarded
        try:
            await self.deliver(self._owed[out.key])
        except errors.CrispError as exc:
            wait = waits(exc)
            if wait is not None:
                raise wait from exc
            if isinstance(exc, errors.ClosedError):
                raise  # closing: it stays parked (and in the outbox)

    def _give_up_waiting(self, out: Outgoing, exc: BaseException) -> None:
        """Waiting cannot help (the token was refused): FAILED in the thread, so Retry can
        send it; the outbox keeps it queued for the next start."""
        self.stats.failed += 1
        self.store.fail_pending(out.session_id, out.fingerprint,
                                words.refused(exc, ambiguous=out.ambiguous))

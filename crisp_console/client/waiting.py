"""Outgoing actions that wait for Crisp: the quota is spent, or Crisp cannot be reached.

Replies and commands that cannot go now are parked here, per conversation, in the order they
were taken (their outbox ids), and one drain task sends them again, in that order, when the
quota gate reopens (``api.wait_quota()``: one probe per interval) or the connection returns
(one probe per delay of the owed work's shared backoff, retry.py; or at once when the live
feed connects again: ``wake()``). While one action of a conversation waits, the later ones of
that conversation wait behind it (``blocks``), and while Crisp cannot be reached every new
action waits at once rather than spend a send window on a dead link.

This is the send path's quota queue, generalised: it does not retry by itself. A parked
action's ``run`` is one more go through its owner's path (a reply: ``Sender.deliver``, the
one retry loop of messages; a command: its PATCH), and ``Wait`` says it must wait again.
Nothing here marks an action failed or forgets one: a closing client leaves them parked and
the outbox keeps them for the next start.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from crisp_console import errors
from crisp_console.api import CrispApi
from crisp_console.client.retry import Retrier, Sleep

log = logging.getLogger("crisp_console.client")

Spawn = Callable[..., "asyncio.Task[Any] | None"]  # TaskOwner.spawn(coro, name, key=...)


class QueuedError(errors.CrispError):
    """The action did not go now and waits in the outbox: it goes out by itself when Crisp
    can be reached again (the message says so, in words). ``cause`` is the last failure."""

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause


class Wait(Exception):  # a signal to the drain, not an error
    """A parked action's run could not go yet: park it again. ``offline``: Crisp could not
    be reached (wait for the connection), else wait for the quota or a backoff delay."""

    def __init__(self, cause: BaseException, *, offline: bool) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.offline = offline


def unreachable(exc: BaseException | None) -> bool:
    """Nothing reached Crisp (refused, no route, connect timeout): the link is down. A cut
    or a reset after the request left is ambiguous, not offline."""
    return isinstance(exc, errors.TransportError) and not exc.sent


def waits(exc: BaseException) -> Wait | None:
    """The Wait a failure of a parked action's run means, or None when it is over (sent,
    or refused for good: its owner said so in words)."""
    if isinstance(exc, QueuedError):
        return Wait(exc.cause or exc, offline=unreachable(exc.cause))
    if isinstance(exc, errors.QuotaExceededError):
        return Wait(exc, offline=False)
    return None


@dataclass(eq=False)
class Parked:
    """One waiting action. ``run`` raises Wait to stay parked; returning (or raising
    anything else, which its owner logged) ends it. ``give_up`` is told when waiting is
    pointless for this client (the token was refused): say so where it shows."""

    key: Hashable
    order: int
    session_id: str
    run: Callable[[], Awaitable[None]]
    give_up: Callable[[BaseException], None] = field(default=lambda exc: None)


class Waiting:
    """``spawn`` is the client's TaskOwner.spawn; ``retrier`` paces the probes for the
    connection (shared with the owed work); ``sleep`` waits between passes that found Crisp
    reachable but an action still waiting (a 5xx on its route, no bucket URL yet)."""

    def __init__(self, api: CrispApi, retrier: Retrier, spawn: Spawn, *,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._api = api
        self._retrier = retrier
        self._spawn = spawn
        self._sleep = sleep
        self._lanes: dict[str, list[Parked]] = {}  # session_id -> parked, by order
        self._keys: dict[Hashable, Parked] = {}
        self._offline = False
        self.reason: BaseException | None = None  # why the last action had to wait
        self._woken: asyncio.Event | None = None

    # ---- public --------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        """Crisp could not be reached, and has not answered since."""
        return self._offline

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys

    def order(self) -> list[Hashable]:
        """The parked actions' keys, in the order they will go (per conversation)."""
        return [p.key for lane in self._lanes.values() for p in lane]

    def blocks(self, session_id: str, order: int) -> bool:
        """Whether an action taken now (``order``) must wait without trying: Crisp cannot be
        reached, or an earlier action of its conversation waits."""
        if self._offline:
            return True
        lane = self._lanes.get(session_id)
        return lane is not None and bool(lane) and lane[0].order < order

    def park(self, parked: Parked, cause: BaseException | None, *, offline: bool) -> None:
        """Make ``parked`` wait (once per key: a key parked already keeps its place), and
        make sure the drain runs. ``cause``: why (None: behind others, or resumed)."""
        if cause is not None:
            self.reason = cause
        self._offline = self._offline or offline
        if parked.key not in self._keys:
            self._keys[parked.key] = parked
            lane = self._lanes.setdefault(parked.session_id, [])
            bisect.insort(lane, parked, key=lambda p: p.order)
        self._spawn(self._drain(), "outbox: waiting actions", key="outbox-waiting")

    def unpark(self, key: Hashable) -> bool:
        """Take an action out (sent another way, or discarded); False when not parked."""
        parked = self._keys.pop(key, None)
        if parked is None:
            return False
        lane = self._lanes.get(parked.session_id, [])
        if parked in lane:
            lane.remove(parked)
        if not lane:
            self._lanes.pop(parked.session_id, None)
        return True

    @property
    def quota_spent(self) -> bool:
        """Actions wait for the daily quota (and not for the connection)."""
        return (isinstance(self.reason, errors.QuotaExceededError) and not self._offline
                and self._api.gate.spent)

    def error(self, words: str) -> BaseException:
        """What an action that waits raises to its caller: the quota's own error while the
        quota is spent (the UI says when it resets), else QueuedError with ``words``."""
        if self.quota_spent:
            assert self.reason is not None
            return self.reason
        return QueuedError(words, self.reason)

    def wake(self) -> None:
        """Crisp may be reachable again (the live feed connected): try at once."""
        if self._woken is not None:
            self._woken.set()

    # ---- the drain -----------------------------------------------------------------------

    async def _drain(self) -> None:
        """Until nothing waits: wait for the quota and the connection, then one pass."""
        failures = 0
        while self._keys:
            try:
                await self._api.wait_quota()  # at most one probe per probe interval
                if self._offline:
                    await self._until_reachable()
            except errors.ClosedError:
                return  # closing: everything stays parked, and in the outbox
            except errors.CrispError as exc:  # the token was refused: waiting cannot help
                self._abandon(exc)
                return
            if not await self._pass():
                failures = 0
            elif not (self._api.gate.spent or self._offline):
                failures += 1  # reachable, yet an action waits: back off, then again
                await self._sleep(self._retrier.delay(failures))

    async def _pass(self) -> bool:
        """Each conversation's actions in order, the conversations side by side; True when
        one had to wait."""
        results = await asyncio.gather(*(self._lane(s) for s in list(self._lanes)))
        return any(results)

    async def _lane(self, session_id: str) -> bool:
        while True:
            lane = self._lanes.get(session_id)
            if not lane:
                return False
            head = lane[0]
            try:
                await head.run()
            except Wait as wait:
                self.reason = wait.cause
                self._offline = self._offline or wait.offline
                return True
            except errors.ClosedError:
                return True  # the client is closing: it stays, in the outbox too
            except Exception:  # a bug in a run: logged; the outbox still has the action
                log.exception("a waiting action of %s failed", session_id)
            if self._keys.get(head.key) is head:
                self.unpark(head.key)

    async def _until_reachable(self) -> None:
        """Probe (HEAD session) on the owed work's backoff until Crisp answers, or until
        ``wake()``; raises ClosedError or AuthError (the token is refused)."""
        woken = self._woken = asyncio.Event()
        probe = asyncio.ensure_future(self._retrier.run(
            self._api.check_session, what="reach Crisp for the waiting actions",
            final=(errors.AuthError,), loud=False))
        wake = asyncio.ensure_future(woken.wait())
        try:
            await asyncio.wait({probe, wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            wake.cancel()
            if not probe.done():
                probe.cancel()
            await asyncio.gather(probe, return_exceptions=True)
            self._woken = None
        failure = None if probe.cancelled() else probe.exception()
        if failure is not None:
            raise failure
        self._offline = False

    def _abandon(self, exc: errors.CrispError) -> None:
        log.warning("waiting actions stay unsent (kept in the outbox): %s", exc)
        parked = list(self._keys.values())
        self._keys.clear()
        self._lanes.clear()
        for item in parked:
            try:
                item.give_up(exc)
            except Exception:  # one owner's bug must not keep the others from hearing
                log.exception("giving up a waiting action failed")

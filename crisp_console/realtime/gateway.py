"""RealtimeGateway: one Crisp RTM connection that stays up, re-authenticates and rebinds.

Built for the pessimistic reading of Crisp (crisp-api.md §10): ``rooms`` is sent only when
narrowed; after ``unauthorized`` the caller may refresh its websites once (``on_refused``);
the rescue endpoint takes over when the main one keeps failing (endpoints.py).

python-socketio's own reconnection is off (``reconnection=False``): its loop knows nothing of
``unauthorized`` (a revoked token would reconnect forever), its delays cannot be "immediately,
then growing" (a zero first delay stays zero), and cancelling it does not stop it (socketio
#1333). Instead a supervisor task owned by the gateway opens a fresh socket per attempt,
authenticates it, waits for it to drop, and retries on ``Backoff.delays()`` (backoff.py).

A live socket is watched (liveness.py: ``silent_since``, the console's "Not responding"),
and a reconnect's wait ends as soon as the relay is back (recovery.py). What each message
from the relay does, and the feed that hands events to the sink, are in handlers.py.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from crisp_console.errors import ClosedError, RealtimeUnauthorized
from crisp_console.observers import Observers
from crisp_console.realtime.attempt import (
    Attempt,
    ConnectionState,
    Outcome,
    RefusalHandler,
    Rooms,
    StateObserver,
)
from crisp_console.realtime.backoff import ReconnectPolicy
from crisp_console.realtime.endpoints import Endpoints
from crisp_console.realtime.events import DEFAULT_EVENTS
from crisp_console.realtime.handlers import Feed, Sink, brief, install_handlers
from crisp_console.realtime.liveness import Silence, SilenceObserver, unanswered, watch_socket
from crisp_console.realtime.recovery import Recovery
from crisp_console.realtime.rooms import RoomBinding
from crisp_console.types import Credentials

log = logging.getLogger("crisp_console.realtime")


class RealtimeGateway:
    """Keeps one authenticated RTM socket and hands every subscribed event to ``sink``.

    ``sink(name, payload)`` and the state observers are called synchronously, in order, from
    socket handlers. The payload is always a JSON object (an event carrying anything else is
    dropped). What a sink raises, and every frame the peer gets wrong, is logged once per kind
    at WARNING and counted (``problems``); observers' errors are logged and swallowed.

    ``on_refused``: see ``RefusalHandler``. Without it every ``unauthorized`` is final.
    """

    def __init__(self, credentials: Credentials, sink: Sink, *,
                 events: Sequence[str] = DEFAULT_EVENTS,
                 policy: ReconnectPolicy = ReconnectPolicy(),  # noqa: B008 - frozen, shared
                 rebind_interval: float = 2.5, rng: random.Random | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic,
                 on_refused: RefusalHandler | None = None) -> None:
        self._credentials = credentials
        self._events = tuple(dict.fromkeys(events))
        self._feed = Feed(sink, self._events)
        self._policy = policy
        self._rng = rng if rng is not None else random.Random()
        self._sleep = sleep
        self._monotonic = monotonic
        self._silence = Silence()
        self._recovery = Recovery(policy, self._silence, lambda: self.url or "",
                                  rng=self._rng, sleep=sleep, monotonic=monotonic)
        self._state = ConnectionState.IDLE
        self._observers: Observers[[ConnectionState]] = Observers(log, "RTM state observer")
        self._on_refused = on_refused
        self._rooms = RoomBinding(self._events, interval=rebind_interval, sleep=sleep,
                                  monotonic=monotonic, connected=self._connected,
                                  spawn=self._spawn)
        self._attempt: Attempt | None = None
        self._endpoints: Endpoints | None = None
        self._refusal = ""  # the last refusal's reason (peer text, clipped)
        self._refusals = 0  # refusals since the last successful authentication
        self._ready: asyncio.Future[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._closed: asyncio.Event | None = None

    # ---- public API -----------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def running(self) -> bool:
        """Whether the connection loop runs (connect() until a final refusal or aclose()):
        once False, no connection attempt is left to come."""
        return self._supervisor is not None and not self._supervisor.done()

    @property
    def retry_at(self) -> float | None:
        """When (``monotonic`` clock) the next reconnect attempt starts, while one is waiting."""
        return self._recovery.retry_at

    @property
    def silent_since(self) -> float | None:
        """Since when (``monotonic``) the relay has answered nothing (liveness.Silence)."""
        return self._silence.since

    def add_silence_observer(self, cb: SilenceObserver) -> Callable[[], None]:
        """Call ``cb(silent_since)`` when it changes; returns the function that unsubscribes."""
        return self._silence.observe(cb)

    @property
    def shortcuts(self) -> Mapping[str, int]:
        """Reconnect waits ended early, by cause: ``probe`` or ``rest`` (recovery.py)."""
        return self._recovery.shortcuts

    def rest_answered(self) -> None:
        """Crisp's REST API answered: the network works. While reconnecting, the backoff
        starts over and a waiting retry goes now, once per outage (recovery.py)."""
        if not self._closing and self._state is ConnectionState.RECONNECTING:
            self._recovery.rest_answered()

    @property
    def rooms(self) -> Rooms:
        """The rooms used on the next (re-)authentication and by pending binds; None: not
        narrowed (``authentication`` carries no ``rooms``: every subscribed website)."""
        return self._rooms.wanted

    @property
    def url(self) -> str | None:
        """The RTM URL the current (or next) attempt uses; None before connect()."""
        return self._endpoints.url if self._endpoints is not None else None

    @property
    def problems(self) -> Mapping[str, int]:
        """How often each kind of peer problem (bad frame, failing sink...) happened."""
        return self._feed.problems.counts()

    def add_state_observer(self, cb: StateObserver) -> Callable[[], None]:
        """Call ``cb(state)`` on every transition; returns the function that unsubscribes."""
        return self._observers.add(cb)

    async def connect(self, urls: str | Sequence[str], rooms: Sequence[str] | None = None) -> None:
        """Connect to ``socket.app`` or ``[socket.app, rescue.socket.app]`` and authenticate.

        ``rooms``: website ids to narrow the feed to; None (or empty) leaves ``rooms`` out:
        every subscribed website, including ones bound later. Returns once authenticated.
        Failed attempts are retried per the policy, a refusal as ``on_refused`` allows;
        cancelling this call does not stop those retries (``aclose()`` does).

        Raises:
            RealtimeUnauthorized: the server refused, finally (no retry follows).
            ClosedError: the gateway was closed before or while connecting.
            RuntimeError: connect() was already called on this gateway.
            ValueError: a URL is not an http(s)/ws(s) URL.
        """
        if self._closing:
            raise ClosedError("the realtime gateway is closed")
        if self._supervisor is not None:
            raise RuntimeError("connect() may be called once per gateway")
        self._endpoints = Endpoints(urls, self._policy.rescue_after)
        self._rooms.want(rooms)
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Mark a failure retrieved even if the caller gave up waiting (timeout, cancel).
        ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._ready = ready
        self._set_state(ConnectionState.CONNECTING)
        self._supervisor = self._spawn(self._supervise(self._endpoints), "supervisor")
        await asyncio.shield(ready)

    def set_rooms(self, rooms: Sequence[str] | None) -> None:
        """Narrow the feed to ``rooms`` (website ids), or widen it again with None (or empty);
        while connected, the server is told at most once per ``rebind_interval`` (rooms.py)."""
        self._rooms.want(rooms)

    async def aclose(self) -> None:
        """Disconnect, stop retrying, and wait for every task the gateway started.

        Idempotent; a concurrent second call waits for the first to finish.
        """
        if self._closed is not None:
            await self._closed.wait()
            return
        self._closed = asyncio.Event()
        self._closing = True
        try:
            # Our tasks stop by cancellation; the socket itself by sio.shutdown(), which the
            # supervisor's cleanup runs on its way out (see _attempt_once).
            while self._tasks:
                tasks = list(self._tasks)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._fail_ready(ClosedError("the realtime gateway was closed while connecting"))
            self._set_state(ConnectionState.CLOSED)
            self._closed.set()

    # ---- the connection loop --------------------------------------------------------------

    async def _supervise(self, endpoints: Endpoints) -> None:
        try:
            while True:
                outcome = await self._attempt_once(*endpoints.current)
                if self._closing:
                    return
                if outcome is Outcome.REFUSED:
                    # The backoff goes on: a peer that accepts and then refuses, over and
                    # over, must not get an immediate retry (and a REST refresh) each time.
                    if not await self._recover_from_refusal():
                        return
                elif outcome is Outcome.FAILED:
                    endpoints.failed()
                else:  # it was connected: the backoff starts over
                    self._recovery.restart()
                self._set_state(ConnectionState.RECONNECTING)
                if outcome is Outcome.WIDEN:
                    continue
                await self._recovery.wait(refused=outcome is Outcome.REFUSED)
        except Exception as exc:  # a bug here must not leave connect() waiting forever
            log.exception("RTM supervisor stopped")
            self._fail_ready(ClosedError("the realtime gateway stopped on an internal error"),
                             cause=exc)
            self._set_state(ConnectionState.CLOSED)

    async def _recover_from_refusal(self) -> bool:
        """After ``unauthorized``: True when ``on_refused`` earned one more try (with the
        rooms it answered); else the refusal is final."""
        reason = self._refusal
        if self._on_refused is not None and self._refusals == 1:
            log.warning("RTM refused the authentication (%s); refreshing the websites and "
                        "trying once more", reason)
            self._set_state(ConnectionState.RECONNECTING)
            try:
                self._rooms.want(await self._on_refused())
            except Exception as exc:  # noqa: BLE001 - any failure to refresh makes it final
                log.warning("RTM: refreshing the websites after the refusal failed (%s)",
                            brief(exc))
            else:
                return True
        elif self._refusals > 1:
            log.warning("RTM refused the authentication again (%s); giving up", reason)
        else:
            log.warning("RTM refused the authentication (%s)", reason)
        self._set_state(ConnectionState.UNAUTHORIZED)
        self._fail_ready(RealtimeUnauthorized(f"Crisp RTM refused the authentication: {reason}"))
        return False

    async def _attempt_once(self, origin: str, path: str) -> Outcome:
        # The socket library (socketio, engineio, aiohttp) loads here, with the first
        # connect: after the first frame, never on its path.
        from crisp_console.realtime.transport import RETRYABLE, close_socket, open_socket

        timeout = self._policy.connect_timeout
        sio, session = open_socket(timeout, self._feed.malformed)
        attempt = Attempt(sio)
        self._install_handlers(attempt)
        self._attempt = attempt
        try:
            started = self._monotonic()
            try:
                await asyncio.wait_for(
                    sio.connect(origin, transports=["websocket"], socketio_path=path,
                                wait_timeout=timeout), timeout)
            except RETRYABLE as exc:
                log.info("RTM connect to %s%s failed: %s", origin, path,
                         exc or type(exc).__name__)
                if unanswered(exc):
                    self._silence.began(started)
                else:  # told no (refused, a handshake error): down, not silent
                    self._silence.ended()
                return Outcome.FAILED
            return await self._authenticate(attempt)
        finally:
            self._attempt = None
            await close_socket(sio, session)

    async def _authenticate(self, attempt: Attempt) -> Outcome:
        from crisp_console.realtime.transport import RETRYABLE, watched

        self._set_state(ConnectionState.AUTHENTICATING)
        rooms = self._rooms.wanted
        creds = self._credentials
        payload: dict[str, Any] = {"username": creds.identifier, "password": creds.key,
                                   "tier": creds.tier, "events": list(self._events)}
        if rooms is not None:  # omitted: every subscribed website, and nothing to refuse
            payload["rooms"] = list(rooms)
            attempt.rooms_sent = frozenset(rooms)
        sent_at = self._monotonic()
        try:
            await attempt.sio.emit("authentication", payload)
        except RETRYABLE as exc:
            log.info("RTM authentication could not be sent: %s", exc)
            return Outcome.FAILED
        done, _ = await asyncio.wait({attempt.reply}, timeout=self._policy.auth_timeout)
        if not done:
            attempt.reply.cancel()  # a late answer is ignored
            log.warning("RTM: no answer to authentication within %.1fs",
                        self._policy.auth_timeout)
            self._silence.began(sent_at)
            return Outcome.FAILED
        answer = attempt.reply.result()
        if answer is False:
            return Outcome.REFUSED
        if answer is None:
            return Outcome.FAILED
        ws, liveness = watched(attempt.sio), self._policy.liveness
        watchdog = None if ws is None or liveness.ping_interval is None else self._spawn(
            watch_socket(ws, liveness, self._silence, sleep=self._sleep,
                         monotonic=self._monotonic, give_up=attempt.ended.set), "watchdog")
        try:
            await attempt.ended.wait()  # a drop, a refusal, a widening, or the watchdog
        finally:
            if watchdog is not None:
                watchdog.cancel()
        if attempt.refusal:  # after a bind, or out of the blue
            return Outcome.REFUSED
        return Outcome.WIDEN if attempt.widen else Outcome.DROPPED

    # ---- what the socket handlers report (handlers.py) -----------------------------------

    def _install_handlers(self, attempt: Attempt) -> None:
        install_handlers(attempt, self._feed, mine=lambda: attempt is self._attempt,
                         closing=lambda: self._closing,
                         authenticated=lambda: self._authenticated(attempt),
                         refused=self._refused)

    def _authenticated(self, attempt: Attempt) -> None:
        self._rooms.bound = attempt.rooms_sent
        self._refusals = 0
        self._recovery.connected()
        self._silence.ended()
        if self._endpoints is not None:
            self._endpoints.succeeded()
        self._set_state(ConnectionState.CONNECTED)
        attempt.answer(True)
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        self._rooms.sync()  # set_rooms() may have run while we authenticated

    def _refused(self, reason: str) -> None:
        self._refusal = reason
        self._refusals += 1

    # ---- plumbing -------------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state is self._state or self._state is ConnectionState.CLOSED:
            return
        self._state = state
        self._observers.notify(state)

    def _connected(self) -> Attempt | None:
        """The current attempt while it is CONNECTED and the gateway not closing."""
        if self._closing or self._state is not ConnectionState.CONNECTED:
            return None
        return self._attempt

    def _fail_ready(self, exc: Exception, cause: BaseException | None = None) -> None:
        if self._ready is not None and not self._ready.done():
            exc.__cause__ = cause
            self._ready.set_exception(exc)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=f"crisp-rtm-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


"""RealtimeGateway: one Crisp RTM connection that stays up, re-authenticates and rebinds.

python-socketio's own reconnection is off (``reconnection=False``): its loop knows nothing of
``unauthorized`` (a revoked token would reconnect forever), its delays cannot be "immediately,
then growing" (a zero first delay stays zero), and cancelling it does not stop it (socketio
#1333). Instead a supervisor task owned by the gateway opens a fresh socket per attempt,
authenticates it, waits for it to drop, and retries on ``ReconnectPolicy.delays()``.

Every socket.io handler here is a plain function. python-socketio runs each incoming message
in its own task, but a synchronous handler runs in that task's first step and tasks start in
creation order, so the sink sees events in arrival order (style-anchors.md section 4).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import socketio

from crisp_console.errors import ClosedError, RealtimeUnauthorized
from crisp_console.realtime.backoff import ReconnectPolicy
from crisp_console.realtime.events import DEFAULT_EVENTS
from crisp_console.types import Credentials

log = logging.getLogger("crisp_console.realtime")

Sink = Callable[[str, Any], None]
# Failures of one connection attempt that a retry may cure.
_RETRYABLE = (socketio.exceptions.SocketIOError, aiohttp.ClientError, OSError, TimeoutError)


class ConnectionState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"  # first attempt only
    AUTHENTICATING = "authenticating"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # waiting to retry, or opening the socket of a retry
    UNAUTHORIZED = "unauthorized"  # final: the server refused the credentials
    CLOSED = "closed"  # final: aclose() ran


StateObserver = Callable[[ConnectionState], None]


class _Outcome(enum.Enum):
    FAILED = enum.auto()  # never got to CONNECTED: keep backing off
    DROPPED = enum.auto()  # was CONNECTED, then lost: the backoff starts over
    UNAUTHORIZED = enum.auto()


class _Attempt:
    """One socket. Handlers check they belong to the current attempt, so a late event of a
    socket being torn down can never reach the sink or move the state."""

    __slots__ = ("ended", "reply", "rooms_sent", "sio")

    def __init__(self, sio: socketio.AsyncClient) -> None:
        self.sio = sio
        # True: authenticated; False: unauthorized; None: the socket dropped first.
        self.reply: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self.ended = asyncio.Event()
        self.rooms_sent: frozenset[str] = frozenset()

    def answer(self, value: bool | None) -> None:
        if not self.reply.done():
            self.reply.set_result(value)


class RealtimeGateway:
    """Keeps one authenticated RTM socket and hands every subscribed event to ``sink``.

    ``sink(name, payload)`` and the state observers are called synchronously, in order, from
    socket handlers; an exception they raise is logged and swallowed.
    """

    def __init__(self, credentials: Credentials, sink: Sink, *,
                 events: Sequence[str] = DEFAULT_EVENTS,
                 policy: ReconnectPolicy = ReconnectPolicy(),  # noqa: B008 - frozen, shared
                 rebind_interval: float = 2.5, rng: random.Random | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._credentials = credentials
        self._sink = sink
        self._events = tuple(dict.fromkeys(events))
        self._event_set = frozenset(self._events)
        self._policy = policy
        self._rebind_interval = rebind_interval
        self._rng = rng if rng is not None else random.Random()
        self._sleep = sleep
        self._monotonic = monotonic
        self._retry_at: float | None = None
        self._state = ConnectionState.IDLE
        self._observers: list[StateObserver] = []
        self._rooms: tuple[str, ...] = ()
        self._bound_rooms: frozenset[str] = frozenset()  # what the server holds for our socket
        self._last_bind: float | None = None
        self._attempt: _Attempt | None = None
        self._refusal = ""
        self._ready: asyncio.Future[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._binder: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._closed: asyncio.Event | None = None

    # ---- public API -----------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def retry_at(self) -> float | None:
        """When (``monotonic`` clock) the next reconnect attempt starts, while one is waiting."""
        return self._retry_at

    @property
    def rooms(self) -> tuple[str, ...]:
        """The rooms used on the next (re-)authentication and by pending binds."""
        return self._rooms

    def add_state_observer(self, cb: StateObserver) -> Callable[[], None]:
        """Call ``cb(state)`` on every transition; returns the function that unsubscribes."""
        self._observers.append(cb)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._observers.remove(cb)

        return unsubscribe

    async def connect(self, url: str, rooms: Sequence[str]) -> None:
        """Connect to ``url`` (Get Connect Endpoints' ``socket.app``) and authenticate.

        Returns once authenticated. A refused or failed first attempt is retried per the
        policy; cancelling this call does not stop those retries (``aclose()`` does).

        Raises:
            RealtimeUnauthorized: the server refused the credentials (no retry follows).
            ClosedError: the gateway was closed before or while connecting.
            RuntimeError: connect() was already called on this gateway.
            ValueError: ``url`` is not an http(s)/ws(s) URL.
        """
        if self._closing:
            raise ClosedError("the realtime gateway is closed")
        if self._supervisor is not None:
            raise RuntimeError("connect() may be called once per gateway")
        origin, path = _split_url(url)
        self._rooms = tuple(dict.fromkeys(rooms))
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Mark a failure retrieved even if the caller gave up waiting (timeout, cancel).
        ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._ready = ready
        self._set_state(ConnectionState.CONNECTING)
        self._supervisor = self._spawn(self._supervise(origin, path), "supervisor")
        await asyncio.shield(ready)

    def set_rooms(self, rooms: Sequence[str]) -> None:
        """Bind to ``rooms`` (website ids; empty: every subscribed website).

        Sends ``socket:bind`` at most once per ``rebind_interval``; a burst of calls coalesces
        into one trailing bind with the latest rooms. Every later re-authentication uses them.
        """
        self._rooms = tuple(dict.fromkeys(rooms))
        if self._state is ConnectionState.CONNECTED and self._rooms_dirty():
            self._schedule_bind()

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

    async def _supervise(self, origin: str, path: str) -> None:
        delays = self._policy.delays(self._rng)
        try:
            while True:
                outcome = await self._attempt_once(origin, path)
                if self._closing:
                    return
                if outcome is _Outcome.UNAUTHORIZED:
                    self._fail_ready(RealtimeUnauthorized(
                        f"Crisp RTM refused the credentials: {self._refusal or 'unauthorized'}"))
                    return
                if outcome is _Outcome.DROPPED:
                    delays = self._policy.delays(self._rng)  # success resets the backoff
                self._set_state(ConnectionState.RECONNECTING)
                delay = next(delays)
                log.info("RTM connection lost; retrying in %.2fs", delay)
                self._retry_at = self._monotonic() + delay
                try:
                    await self._sleep(delay)
                finally:
                    self._retry_at = None
        except Exception as exc:  # a bug here must not leave connect() waiting forever
            log.exception("RTM supervisor stopped")
            self._fail_ready(ClosedError("the realtime gateway stopped on an internal error"),
                             cause=exc)
            self._set_state(ConnectionState.CLOSED)

    async def _attempt_once(self, origin: str, path: str) -> _Outcome:
        timeout = self._policy.connect_timeout
        # Our own session per attempt, closed by us: engine.io leaves its own one open when a
        # connect is refused (an unclosed-session ResourceWarning), and aiohttp's default 300 s
        # timeout would otherwise bound the WebSocket handshake.
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None,
                                                                      connect=timeout))
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, logger=False,
                                   engineio_logger=False, http_session=session)
        attempt = _Attempt(sio)
        self._install_handlers(attempt)
        self._attempt = attempt
        try:
            try:
                await asyncio.wait_for(
                    sio.connect(origin, transports=["websocket"], socketio_path=path,
                                wait_timeout=timeout), timeout)
            except _RETRYABLE as exc:
                log.info("RTM connect to %s failed: %s", origin, exc or type(exc).__name__)
                return _Outcome.FAILED
            return await self._authenticate(attempt)
        finally:
            self._attempt = None
            await _close_socket(sio, session)

    async def _authenticate(self, attempt: _Attempt) -> _Outcome:
        self._set_state(ConnectionState.AUTHENTICATING)
        rooms = self._rooms
        attempt.rooms_sent = frozenset(rooms)
        creds = self._credentials
        try:
            await attempt.sio.emit("authentication", {
                "username": creds.identifier, "password": creds.key, "tier": creds.tier,
                "events": list(self._events), "rooms": list(rooms)})
        except _RETRYABLE as exc:
            log.info("RTM authentication could not be sent: %s", exc)
            return _Outcome.FAILED
        done, _ = await asyncio.wait({attempt.reply}, timeout=self._policy.auth_timeout)
        if not done:
            attempt.reply.cancel()  # a late answer is ignored
            log.warning("RTM: no answer to authentication within %.1fs",
                        self._policy.auth_timeout)
            return _Outcome.FAILED
        answer = attempt.reply.result()
        if answer is False:
            return _Outcome.UNAUTHORIZED
        if answer is None:
            return _Outcome.FAILED
        await attempt.ended.wait()
        return _Outcome.UNAUTHORIZED if self._state is ConnectionState.UNAUTHORIZED \
            else _Outcome.DROPPED

    # ---- socket handlers (synchronous on purpose: see the module docstring) ---------------

    def _install_handlers(self, attempt: _Attempt) -> None:
        def current() -> bool:
            return attempt is self._attempt and not self._closing

        def on_authenticated(data: Any = None) -> None:
            if not current() or attempt.reply.done() or data is False:
                return
            self._bound_rooms = attempt.rooms_sent
            self._set_state(ConnectionState.CONNECTED)
            attempt.answer(True)
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(None)
            if self._rooms_dirty():  # set_rooms() ran while we authenticated
                self._schedule_bind()

        def on_unauthorized(data: Any = None) -> None:
            if not current():
                return
            message = data.get("message") if isinstance(data, dict) else data
            self._refusal = str(message) if message else "unauthorized"
            log.warning("RTM refused the credentials: %s", self._refusal)
            self._set_state(ConnectionState.UNAUTHORIZED)
            attempt.answer(False)
            attempt.ended.set()

        def on_disconnect(reason: Any = None) -> None:
            if attempt is self._attempt:
                log.info("RTM socket disconnected (%s)", reason)
                attempt.answer(None)
                attempt.ended.set()

        def on_event(event: str, *args: Any) -> None:
            if not current() or event not in self._event_set:
                return
            payload = args[0] if len(args) == 1 else (list(args) if args else None)
            try:
                self._sink(event, payload)
            except Exception:  # the sink's bug must not stop delivery of the next event
                log.exception("RTM sink failed on %s", event)

        sio = attempt.sio
        sio.on("authenticated", on_authenticated)
        sio.on("unauthorized", on_unauthorized)
        sio.on("disconnect", on_disconnect)
        sio.on("*", on_event)

    # ---- rooms ----------------------------------------------------------------------------

    def _rooms_dirty(self) -> bool:
        return frozenset(self._rooms) != self._bound_rooms

    def _schedule_bind(self) -> None:
        if not self._closing and (self._binder is None or self._binder.done()):
            self._binder = self._spawn(self._bind_loop(), "rebind")

    async def _bind_loop(self) -> None:
        # Reads the rooms only after waiting, so the latest set_rooms() wins; loops in case the
        # rooms changed again while a bind was being sent.
        while True:
            if self._last_bind is not None:
                wait = self._last_bind + self._rebind_interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            attempt = self._attempt
            if (attempt is None or self._state is not ConnectionState.CONNECTED
                    or not self._rooms_dirty()):
                return  # nothing to do, or the next authentication will carry the rooms
            rooms = self._rooms
            self._last_bind = self._monotonic()
            self._bound_rooms = frozenset(rooms)
            try:
                await attempt.sio.emit("socket:bind",
                                       {"events": list(self._events), "rooms": list(rooms)})
            except _RETRYABLE as exc:
                log.info("RTM socket:bind not sent: %s", exc)  # re-auth will carry the rooms

    # ---- plumbing -------------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state is self._state or self._state is ConnectionState.CLOSED:
            return
        self._state = state
        for cb in list(self._observers):
            try:
                cb(state)
            except Exception:
                log.exception("RTM state observer failed on %s", state.name)

    def _fail_ready(self, exc: Exception, cause: BaseException | None = None) -> None:
        if self._ready is not None and not self._ready.done():
            exc.__cause__ = cause
            self._ready.set_exception(exc)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=f"crisp-rtm-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


async def _close_socket(sio: socketio.AsyncClient, session: aiohttp.ClientSession) -> None:
    """Close one attempt's socket fully (also when cancelled midway), then its session."""
    try:
        with contextlib.suppress(*_RETRYABLE):
            await sio.shutdown()
            # shutdown() skips a socket whose namespace never connected (Engine.IO is up but
            # the connect was cancelled or timed out); disconnect() closes that one too.
            await sio.disconnect()
            await sio.eio.wait()  # the read loop has ended: no engine.io task outlives us
    finally:
        await session.close()


def _split_url(url: str) -> tuple[str, str]:
    """``http://host:port/rtm/`` -> (``http://host:port``, ``/rtm/``): origin and socket path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError(f"not an RTM URL: {url!r}")
    origin = f"{parts.scheme}://{parts.netloc}" + (f"?{parts.query}" if parts.query else "")
    return origin, parts.path or "/"

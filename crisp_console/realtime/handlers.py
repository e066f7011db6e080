"""The socket.io handlers of one RTM attempt: what each message from the relay does.

Split from gateway.py, which keeps the connection loop and the state these report to. This
is the only code that runs on the peer's messages, so what may arrive wrong is handled here:
a late message from a socket being torn down (each handler checks its attempt is still the
gateway's), a second answer to the authentication, an event without an object payload, a
sink that raises.

Every handler is a plain function. python-socketio runs each incoming message in its own
task, but a synchronous handler runs in that task's first step and tasks start in creation
order, so the sink sees events in arrival order (style-anchors.md section 4).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from crisp_console.log import ThrottledReporter, printable
from crisp_console.realtime.attempt import Attempt

log = logging.getLogger("crisp_console.realtime")
REFUSAL_CHARS = 160  # of the server's refusal text that is kept (it is the peer's)

Sink = Callable[[str, Any], None]


def brief(exc: BaseException) -> str:
    """``Type: message`` of an error whose text may be the peer's (the reporter cuts it)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Feed:
    """Hands every subscribed event to ``sink(name, payload)``, a JSON object; counts (and
    logs once per kind, ``problems``) every frame the peer gets wrong and what the sink
    raises."""

    def __init__(self, sink: Sink, events: Sequence[str]) -> None:
        self._sink = sink
        self._events = frozenset(events)
        self.problems = ThrottledReporter(log)

    def deliver(self, event: Any, *args: Any) -> None:
        if not isinstance(event, str) or event not in self._events:
            return
        if len(args) != 1 or not isinstance(args[0], dict):
            kinds = ", ".join(type(a).__name__ for a in args) or "nothing"
            self.problems.report(f"RTM {event} without an object payload", kinds)
            return
        try:
            self._sink(event, args[0])
        except Exception as exc:  # noqa: BLE001 - the sink's bug must not stop the feed
            # Our own bug, not the peer's: its traceback once, then counted.
            self.problems.report(f"RTM sink failed on {event}", brief(exc), exc_info=exc)

    def malformed(self, exc: Exception) -> None:
        self.problems.report("RTM frame that could not be read", brief(exc))


def install_handlers(attempt: Attempt, feed: Feed, *, mine: Callable[[], bool],
                     closing: Callable[[], bool], authenticated: Callable[[], None],
                     refused: Callable[[str], None]) -> None:
    """Wire ``attempt``'s socket. ``mine()``: it is still the gateway's attempt; while it is
    and the gateway is not ``closing()``, ``authenticated()`` runs on the first acceptance and
    ``refused(reason)`` on the first refusal (then the attempt ends)."""

    def current() -> bool:
        return mine() and not closing()

    def on_authenticated(data: Any = None) -> None:
        if not current() or attempt.reply.done() or data is False:
            return
        authenticated()

    def on_unauthorized(data: Any = None) -> None:
        if not current() or attempt.refusal:
            return  # the supervisor logs it, once
        message = data.get("message") if isinstance(data, dict) else data
        attempt.refusal = printable(str(message), REFUSAL_CHARS) if message else "unauthorized"
        refused(attempt.refusal)
        attempt.answer(False)
        attempt.ended.set()

    def on_disconnect(reason: Any = None) -> None:
        if mine():
            log.info("RTM socket disconnected (%s)", reason)
            attempt.answer(None)
            attempt.ended.set()

    def on_event(event: Any, *args: Any) -> None:
        if current():
            feed.deliver(event, *args)

    sio = attempt.sio
    sio.on("authenticated", on_authenticated)
    sio.on("unauthorized", on_unauthorized)
    sio.on("disconnect", on_disconnect)
    sio.on("*", on_event)

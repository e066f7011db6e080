"""What each REST request was for, counted: the quota is shared, so spending must be visible.

A purpose is set around the code that asks (``with purpose("open"):``, or ``@tagged("open")``
on an async function) and read by ``CrispApi`` when a request leaves, through a ContextVar:
no route method takes a parameter for it. The innermost purpose wins, and a task inherits
the purpose of the code that created it (asyncio copies the context), so a long-lived task
(a poll loop, the catch-up) sets its own. Requests asked for outside any purpose count as
``other``.

``RequestMeter`` counts real HTTP requests to Crisp's API: every attempt that may have
reached it, retries and rate-limited ones included. Requests the quota gate refuses
locally, and attempts that never connected, are not counted; neither are uploads to a
bucket's signed URL nor media downloads (they spend no API quota).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, ParamSpec, TypeVar, get_args

from crisp_console.observers import Observers

log = logging.getLogger("crisp_console.api")

Purpose = Literal["start-up", "reconcile", "open", "history", "list", "backfill", "search",
                  "poll", "send", "other"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)
RequestObserver = Callable[[Purpose, int], None]

P = ParamSpec("P")
T = TypeVar("T")

_current: ContextVar[Purpose] = ContextVar("crisp_console_request_purpose", default="other")


def current_purpose() -> Purpose:
    """The purpose requests asked for here count under."""
    return _current.get()


@contextmanager
def purpose(name: Purpose) -> Iterator[None]:
    """Requests asked for inside the block (and in tasks created there) count as ``name``."""
    if name not in PURPOSES:
        raise ValueError(f"unknown request purpose {name!r}")
    token = _current.set(name)
    try:
        yield
    finally:
        _current.reset(token)


def tagged(name: Purpose) -> Callable[[Callable[P, Awaitable[T]]],
                                      Callable[P, Coroutine[Any, Any, T]]]:
    """Decorate an async function: its requests count as ``name``."""
    if name not in PURPOSES:
        raise ValueError(f"unknown request purpose {name!r}")

    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            with purpose(name):
                return await fn(*args, **kwargs)
        return run

    return decorate


class RequestMeter:
    """Requests sent to Crisp's API since the client was made, by purpose."""

    def __init__(self) -> None:
        self._counts: dict[Purpose, int] = dict.fromkeys(PURPOSES, 0)
        self._observers: Observers[[Purpose, int]] = Observers(log, "request observer")

    def __repr__(self) -> str:
        return f"RequestMeter({self.by_purpose()})"

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def by_purpose(self) -> dict[str, int]:
        """Every purpose (0 for those with no request yet) -> requests sent."""
        return {name: count for name, count in self._counts.items()}

    def observe(self, callback: RequestObserver) -> Callable[[], None]:
        """Call ``callback(purpose, count of that purpose)`` after each counted request;
        returns the unsubscribe."""
        return self._observers.add(callback)

    def record(self, name: Purpose) -> None:
        """Count one request sent for ``name``, and tell the observers."""
        self._counts[name] += 1
        self._observers.notify(name, self._counts[name])

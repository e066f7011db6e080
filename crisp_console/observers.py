"""The callbacks an owner tells of its changes: the store's Changes and live events, the quota
meter and gate, the client's health, the crash handler's dialog.

An observer's bug must not fail the change it observed, nor keep the others from hearing of
it (one broken view must not leave the others half-updated): what one raises is logged on
the owner's logger, with its traceback, and swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


def call_logged(log: logging.Logger, failed: str, callback: Callable[P, object], /,
                *args: P.args, **kwargs: P.kwargs) -> None:
    """Call one ``callback``; what it raises is logged as ``failed``."""
    try:
        callback(*args, **kwargs)
    except Exception:  # its bug is its own: logged, never raised into the owner
        log.exception(failed)


class Observers(Generic[P]):
    """Callbacks called synchronously, in the order they were added. A failure is logged as
    ``"<what> failed: <callback> on <arguments>"``."""

    __slots__ = ("_callbacks", "_log", "_what")

    def __init__(self, log: logging.Logger, what: str) -> None:
        self._log = log
        self._what = what
        self._callbacks: tuple[Callable[P, object], ...] = ()

    def __len__(self) -> int:
        """How many listen (none: a note nobody reads need not be built)."""
        return len(self._callbacks)

    def add(self, callback: Callable[P, object]) -> Callable[[], None]:
        """Call ``callback`` on every ``notify()``; returns the function that takes it off
        (idempotent)."""
        self._callbacks = (*self._callbacks, callback)

        def remove() -> None:
            # Identity, not equality: two equal bound methods are still two subscriptions.
            callbacks = self._callbacks
            for i, cb in enumerate(callbacks):
                if cb is callback:
                    self._callbacks = callbacks[:i] + callbacks[i + 1:]
                    return

        return remove

    def clear(self) -> None:
        self._callbacks = ()

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        # A tuple, replaced on change: adding or removing inside a callback is safe.
        for callback in self._callbacks:
            try:
                callback(*args, **kwargs)
            except Exception:  # noqa: BLE001 - logged with its traceback: see the docstring
                self._log.exception("%s failed: %r on %r", self._what, callback, args)


class Observed(Generic[P]):
    """An owner whose changes are told to observers: ``observe(callback)`` adds one and
    returns the function that takes it off; the owner calls ``self._observers.notify``."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self._observers: Observers[P] = Observers(log, what)

    def observe(self, callback: Callable[P, object]) -> Callable[[], None]:
        return self._observers.add(callback)

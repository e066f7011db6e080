"""The callbacks an owner tells of its changes (quota, gate, health, crash...).

An observer's bug must not fail the change it observed, nor keep the others from hearing of
it: what one raises is logged on the owner's logger and swallowed. Each ``add()`` returns the
function that takes its callback off again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


def call_logged(log: logging.Logger, failed: str, callback: Callable[P, object], /,
                *args: P.args, **kwargs: P.kwargs) -> None:
    """Call ``callback``; what it raises is logged as ``failed`` (with its traceback)."""
    try:
        callback(*args, **kwargs)
    except Exception:  # an observer's bug is its own: log it, never raise it into the owner
        log.exception(failed)


class Observers(Generic[P]):
    """Callbacks, called in the order they were added; ``failed`` is what a failure logs."""

    def __init__(self, log: logging.Logger, failed: str) -> None:
        self._log = log
        self._failed = failed
        self._callbacks: list[Callable[P, object]] = []

    def __len__(self) -> int:
        return len(self._callbacks)

    def add(self, callback: Callable[P, object]) -> Callable[[], None]:
        """Call ``callback`` on every ``notify()``; returns the unsubscribe function."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def clear(self) -> None:
        self._callbacks.clear()

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        # A copy: a callback may unsubscribe itself or another one while being told.
        for callback in list(self._callbacks):
            call_logged(self._log, self._failed, callback, *args, **kwargs)

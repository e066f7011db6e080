"""What the operator is told: a line in the status bar, and the failure of a command in words.

Every client command the window starts runs as a task of the ui's one TaskOwner (the console
cancels and awaits it on close), through ``run`` or ``guard``: a failure becomes a status-bar
message, never an exception into Qt. ``report`` prefixes what failed ("Not assigned") to why,
in words (ui/failure_words.py): a 403 says the token may not do it, a spent quota when it
resets, an answer the console cannot read says so. An error no command raises on purpose is a
bug: its traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.failure_words import EXPECTED, describe

log = logging.getLogger(__name__)

T = TypeVar("T")

Show = Callable[[str, int], None]  # QStatusBar.showMessage(text, timeout_ms)


class Feedback:
    def __init__(self, show: Show, tasks: TaskOwner) -> None:
        self._show = show
        self._tasks = tasks

    def message(self, text: str, timeout_ms: int = 8000) -> None:
        self._show(text, timeout_ms)

    def report(self, failure: str, exc: BaseException) -> None:
        """``failure`` (what did not happen) and why, in words, in the status bar."""
        if isinstance(exc, EXPECTED):
            log.info("%s: %s", failure, describe(exc))
        else:
            log.error("%s: unexpected error", failure, exc_info=exc)
        self.message(f"{failure}: {describe(exc)}", 15_000)

    async def guard(self, command: Awaitable[object], failure: str) -> None:
        """Await a client command; a refusal becomes a status-bar message."""
        await self.result(command, failure)

    async def result(self, load: Awaitable[T], failure: str) -> T | None:
        """Await ``load``: what it gives, or None when it failed (reported as ``guard``
        does; a cancellation is not a failure, it goes through)."""
        try:
            return await load
        except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
            self.report(failure, exc)
            return None

    def run(self, command: Coroutine[Any, Any, object], failure: str) -> None:
        """``guard`` as an owned task; closing down, the command never starts."""
        if self._tasks.spawn(self.guard(command, failure), failure) is None:
            command.close()

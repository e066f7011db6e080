"""Owned background tasks: nothing is fire-and-forget, everything is awaited on close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("crisp_console.client")


class TaskOwner:
    """Keeps a strong reference to every task it starts, logs their failures, and cancels and
    awaits the survivors in ``aclose()``."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keys: dict[str, asyncio.Task[Any]] = {}
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str, *,
              key: str | None = None) -> asyncio.Task[Any] | None:
        """Start ``coro``. With ``key``, a task already running under that key wins and the
        new coroutine is dropped (dedupes follow-up fetches)."""
        if self._closed:
            coro.close()
            return None
        if key is not None:
            running = self._keys.get(key)
            if running is not None and not running.done():
                coro.close()
                return running
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        if key is not None:
            self._keys[key] = task
        task.add_done_callback(lambda t: self._done(t, key))
        return task

    def _done(self, task: asyncio.Task[Any], key: str | None) -> None:
        self._tasks.discard(task)
        if key is not None and self._keys.get(key) is task:
            del self._keys[key]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed: %r", task.get_name(), exc,
                      exc_info=(type(exc), exc, exc.__traceback__))

    def running(self, key: str) -> bool:
        """Whether a task spawned under ``key`` has not finished yet."""
        return key in self._keys

    def __len__(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._keys.clear()

"""The sandbox's own record of the API requests it received, for tests and benchmarks that
check what a client says it spent.

The middleware sits outermost, so it sees every ``/v1/`` request that reached the server:
those the fault middleware then resets, rate limits or fails too (a client's retries are
requests). Admin, bucket and RTM traffic is not recorded.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from aiohttp import web

from crisp_console.sandbox.web import API_PREFIX, Handler

MAX_ENTRIES = 100_000  # memory stays bounded during a long benchmark


class LoggedRequest(NamedTuple):
    method: str
    path: str  # after /v1/, without the query string


class RequestLog:
    """``total`` counts every request received; ``entries`` keeps the latest ones."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self.entries: deque[LoggedRequest] = deque(maxlen=limit)
        self.total = 0

    def __len__(self) -> int:
        return self.total

    def since(self, mark: int) -> list[LoggedRequest]:
        """The requests received after the ``total`` was ``mark`` (as many as are kept)."""
        count = min(self.total - mark, len(self.entries))
        return list(self.entries)[len(self.entries) - count:] if count > 0 else []

    def clear(self) -> None:
        self.entries.clear()
        self.total = 0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        prefix = API_PREFIX + "/"
        if request.path.startswith(prefix):
            self.entries.append(LoggedRequest(request.method, request.path[len(prefix):]))
            self.total += 1
        return await handler(request)

"""The sandbox's own record of the API requests it received, for tests and benchmarks that
check what a client says it spent.

The middleware sits outermost, so it sees every ``/v1/`` request that reached the server:
those the fault middleware then resets, rate limits or fails too (a client's retries are
requests). Admin, bucket and RTM traffic is not recorded.

A client that goes away before its answer (a console quitting with a request in flight)
makes aiohttp cancel the request's body with ConnectionResetError; unhandled, aiohttp logged
it with a traceback as a server error. Like any server, the sandbox takes it quietly: it is
counted (``gone``) and logged at debug level.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import NamedTuple

from aiohttp import web

from crisp_console.sandbox.web import API_PREFIX, Handler

log = logging.getLogger("crisp_console.sandbox")

MAX_ENTRIES = 100_000  # memory stays bounded during a long benchmark
CLIENT_GONE = 499  # nginx's "client closed request": never sent, there is nobody to read it


class LoggedRequest(NamedTuple):
    method: str
    path: str  # after /v1/, without the query string


class RequestLog:
    """``total`` counts every request received; ``entries`` keeps the latest ones;
    ``gone`` counts those whose client went away before the answer (any route)."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self.entries: deque[LoggedRequest] = deque(maxlen=limit)
        self.total = 0
        self.gone = 0

    def __len__(self) -> int:
        return self.total

    def since(self, mark: int) -> list[LoggedRequest]:
        """The requests received after the ``total`` was ``mark`` (as many as are kept)."""
        count = min(self.total - mark, len(self.entries))
        return list(self.entries)[len(self.entries) - count:] if count > 0 else []

    def clear(self) -> None:
        self.entries.clear()
        self.total = 0
        self.gone = 0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        prefix = API_PREFIX + "/"
        if request.path.startswith(prefix):
            self.entries.append(LoggedRequest(request.method, request.path[len(prefix):]))
            self.total += 1
        try:
            return await handler(request)
        except ConnectionResetError:
            self.gone += 1
            log.debug("%s %s: the client went away before the answer", request.method,
                      request.path)
            return web.Response(status=CLIENT_GONE)

"""Fault injection for /v1 requests: latency, 5xx answers, connection resets, rate-limit bursts
and Crisp's per-token daily quota.

The middleware runs inside ``web.envelope_middleware``, so it only sees requests whose token was
accepted, and a raised ``SandboxError`` becomes an envelope. Admin (``/_sandbox/``), bucket
upload and RTM paths never reach the checks below.

Order of the checks for one /v1 request (each stage is a different layer of the real service):
1. ``latency_ms`` is slept first, whatever happens next;
2. ``reset_rate``: the TCP connection is reset (RST, no answer): the network failed;
3. ``burst_429``: the edge rate limiter answers ``burst_status`` "rate_limited";
4. the daily quota counts the request, or refuses it once spent: under the ``opaque_quota``
   behaviour with ``quota_status`` (429 or 420) "rate_limited", the very body of a burst and
   no Retry-After (Crisp documents only "429 or 420"); otherwise 429 "quota_limited";
5. ``error_rate``: the API fails with 503 "service_unavailable" (the request was counted).
So resets and bursts do not spend quota (a late reset does, below), injected 5xx do.

``late_fraction`` of the injected resets and 5xx come late instead, so that a client meets
the ambiguous failure of real networks: the request goes through every stage above and the
handler (the change is made and its RTM events are emitted), then the client gets a reset
connection, or a 503 in place of the answer. A late reset spends quota (the request reached
the API); a late 503 replaces whatever the handler answered, errors included.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import random
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from crisp_console.sandbox.config import FaultConfig
from crisp_console.sandbox.web import (
    API_PREFIX,
    STATE,
    Handler,
    SandboxError,
    behaviours_of,
    error_response,
)
from crisp_console.sandbox.world import now_ms

log = logging.getLogger("crisp_console.sandbox.faults")

DAY_MS = 86_400_000
# Chosen statuses (Crisp documents neither the 5xx it sends nor the body of a limited answer).
ERROR_STATUS = 503
ERROR_REASON = "service_unavailable"
BURST_STATUSES = (429, 420)


def utc_day(epoch_ms: int) -> str:
    """``YYYY-MM-DD`` of the UTC day containing ``epoch_ms``."""
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC).date().isoformat()


def retry_after_header(seconds: float) -> str:
    """Whole seconds as RFC 9110 wants; a fraction is kept ("0.5") so tests can stay fast."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


class Faults:
    """Live fault settings (``config`` is mutated in place) plus the quota counters.

    ``rng`` drives every random decision; ``clock`` (epoch ms) decides the quota's UTC day;
    ``sleep`` waits out ``latency_ms``. All are attributes so tests can replace them.
    """

    def __init__(self, config: FaultConfig, *, seed: int = 0,
                 clock: Callable[[], int] = now_ms) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self.clock = clock
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self._day = ""
        self._used: dict[str, int] = {}

    # ---- settings -------------------------------------------------------------------------

    def update(self, changes: dict[str, Any]) -> None:
        """Apply already-validated field values (the admin route checks them)."""
        for name, value in changes.items():
            if name not in _FIELDS:
                raise ValueError(f"unknown fault setting: {name}")
            setattr(self.config, name, value)

    def reset(self) -> None:
        """No faults, the default quota, and a fresh quota count."""
        defaults = FaultConfig()
        for name in _FIELDS:
            setattr(self.config, name, getattr(defaults, name))
        self._used.clear()

    def reseed(self, seed: int) -> None:
        self.rng.seed(seed)

    # ---- quota ----------------------------------------------------------------------------

    def _today(self) -> str:
        day = utc_day(self.clock())
        if day != self._day:  # a new UTC day: every token starts again from zero
            self._day = day
            self._used.clear()
        return day

    def quota(self, identifier: str) -> dict[str, Any]:
        """``{limit, used, remaining, day, resets_at}``; remaining is null when the quota is off."""
        day = self._today()
        limit = self.config.daily_quota
        used = self._used.get(identifier, 0)
        start = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp() * 1000)
        return {
            "limit": limit,
            "used": used,
            "remaining": max(0, limit - used) if limit > 0 else None,
            "day": day,
            "resets_at": start + DAY_MS,
        }

    def reset_quota(self) -> None:
        self._used.clear()

    def _spend(self, identifier: str) -> bool:
        """Count one request; False (and not counted) when the day's quota is already spent."""
        self._today()
        used = self._used.get(identifier, 0)
        limit = self.config.daily_quota
        if limit > 0 and used >= limit:
            return False
        self._used[identifier] = used + 1
        return True

    # ---- the middleware -------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        cfg = self.config
        if cfg.latency_ms > 0:
            await self.sleep(cfg.latency_ms / 1000)
        if cfg.reset_rate > 0 and self.rng.random() < cfg.reset_rate:
            if self._late():  # carried out, answer lost: whatever it was, the link drops
                with contextlib.suppress(SandboxError, web.HTTPException):
                    await self._limited(request, handler)
            return _reset_connection(request)
        return await self._limited(request, handler)

    def _late(self) -> bool:
        """Whether this injected fault comes after the handler (no draw when never)."""
        fraction = self.config.late_fraction
        return fraction > 0 and self.rng.random() < fraction

    async def _limited(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Steps 3 to 5, then the handler (between them, unless the 5xx is late)."""
        cfg = self.config
        if cfg.burst_429 > 0:
            cfg.burst_429 -= 1  # the admin view shows how many are left
            headers = None
            if cfg.retry_after is not None:
                headers = {"Retry-After": retry_after_header(cfg.retry_after)}
            return error_response(rate_limited(cfg.burst_status), headers)
        if not self._spend(request.app[STATE].token.identifier):
            behaviours = behaviours_of(request)
            if behaviours is not None and behaviours.opaque_quota:
                raise rate_limited(cfg.quota_status)
            raise SandboxError(429, "quota_limited",
                               f"the daily quota of {cfg.daily_quota} requests is spent; "
                               "it resets at 00:00 UTC", namespace="quota")
        if cfg.error_rate > 0 and self.rng.random() < cfg.error_rate:
            if self._late():
                # Carried out, answer lost: whatever the handler said becomes the 503.
                with contextlib.suppress(SandboxError, web.HTTPException):
                    await handler(request)
            raise SandboxError(ERROR_STATUS, ERROR_REASON,
                               "the service is temporarily unavailable (injected fault)",
                               namespace="server")
        return await handler(request)


def rate_limited(status: int) -> SandboxError:
    """A burst's answer; a spent quota answers the same under ``opaque_quota``."""
    return SandboxError(status, "rate_limited", "too many requests, slow down", namespace="rate")


_FIELDS = tuple(f.name for f in dataclasses.fields(FaultConfig))

# SO_LINGER on, 0 s: close() sends RST instead of FIN, i.e. "connection reset by peer".
_LINGER_RESET = struct.pack("ii", 1, 0)


def _reset_connection(request: web.Request) -> web.StreamResponse:
    """Reset the request's TCP connection; the returned response is never written."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            except OSError:  # already closing: abort() below still drops it
                log.debug("SO_LINGER failed", exc_info=True)
        transport.abort()
    # aiohttp fails to write this to the closed transport, takes it as a client disconnect
    # and logs only at debug level; the server keeps serving other connections.
    return web.Response(status=ERROR_STATUS)

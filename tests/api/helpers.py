"""Shared bits of the api/ tests: fast retry settings, fault control, a recording transport."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from crisp_console.api import RetryPolicy
from crisp_console.sandbox.server import Sandbox

FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, jitter=0.5,
                   rate_limit_default=0.05, rate_limit_max_wait=5.0)


async def set_faults(admin: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    """PATCH /_sandbox/faults (``seed`` reseeds the fault RNG)."""
    resp = await admin.patch("faults", json=changes)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


async def quota_used(admin: httpx.AsyncClient) -> int:
    """Requests the sandbox counted against the token's daily quota."""
    resp = await admin.get("quota")
    assert resp.status_code == 200, resp.text
    used: int = resp.json()["data"]["used"]
    return used


def bound_website(sb: Sandbox, index: int = 0) -> str:
    return sb.state.subscribed_website_ids()[index]


def unbound_website(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


def conversation_with_messages(sb: Sandbox, website_id: str, at_least: int = 1) -> str:
    """A session_id of ``website_id`` holding at least ``at_least`` messages."""
    convs = [c for c in sb.state.website_conversations(website_id)
             if len(c.messages) >= at_least]
    assert convs, f"no conversation with {at_least} messages"
    return max(convs, key=lambda c: len(c.messages)).session_id


@dataclass
class Sent:
    """One request as it left the client, and how it ended."""

    method: str
    path: str
    headers: httpx.Headers
    content: bytes  # the request body
    started: float  # time.monotonic() when handed to the network
    ended: float = 0.0  # when the answer (or the failure) came back
    status: int | None = None  # None: the network failed
    error: str = ""


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real httpx transport (real sockets) that keeps a log of every attempt."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # A streamed body (an upload) is read here first, so that it can be recorded.
        entry = Sent(request.method, request.url.path, request.headers, await request.aread(),
                     time.monotonic())
        self.sent.append(entry)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            entry.error = type(exc).__name__
            raise
        finally:
            entry.ended = time.monotonic()
        entry.status = response.status_code
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def paths(self, method: str | None = None) -> list[str]:
        return [s.path for s in self.sent if method is None or s.method == method]

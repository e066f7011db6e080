"""CrispApi: the one ``request()`` every REST call goes through.

It owns one long-lived ``httpx.AsyncClient`` (created lazily inside the running loop, closed
by ``aclose()``), sends Basic auth + ``X-Crisp-Tier``, unwraps Crisp's envelope, maps errors to
``crisp_console.errors``, and decides what may be repeated:

- network errors and 5xx are retried with jittered exponential backoff when the request is
  retry-safe (GET/HEAD/PUT/PATCH/DELETE, or a POST the caller vouches for, such as a send
  carrying its own fingerprint). A POST that may have been processed is never repeated;
  one that never left (connection refused) is, since nothing reached Crisp;
- a 429/420 (``rate_limited``) pauses every request of this client for Retry-After (or a
  growing default), then re-sends: a rate-limited request was not processed;
- ``quota_limited`` raises QuotaExceededError at once: nothing helps before the next UTC day.

The Authorization header and the key are never logged: log lines name the method and path.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import Any

import httpx

from crisp_console import __version__
from crisp_console.api.media import (
    DEFAULT_MAX_BYTES,
    MEDIA_TIMEOUT,
    MediaFetcher,
    Progress,
    UploadBody,
)
from crisp_console.api.policy import QuotaMeter, RetryPolicy
from crisp_console.api.routes import Routes
from crisp_console.api.wire import (
    RATE_LIMIT_STATUSES,
    encode_params,
    error_from,
    normalise_base_url,
    secure_url,
    success_data,
    where,
)
from crisp_console.errors import (
    ClosedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TransportError,
)
from crisp_console.types import Credentials

log = logging.getLogger("crisp_console.api")

DEFAULT_RETRY = RetryPolicy()
DEFAULT_USER_AGENT = f"crisp-console/{__version__}"
# Raised before any byte of the request left: repeating cannot duplicate anything.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Sleep = Callable[[float], Awaitable[None]]


class CrispApi(Routes):
    """Crisp REST v1 for one token. Use ``async with`` or call ``aclose()``."""

    def __init__(self, base_url: str, credentials: Credentials, *, timeout: float = 10.0,
                 retry: RetryPolicy = DEFAULT_RETRY, user_agent: str = DEFAULT_USER_AGENT,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Sleep = asyncio.sleep, rng: random.Random | None = None,
                 quota: QuotaMeter | None = None,
                 media_transport: httpx.AsyncBaseTransport | None = None,
                 media_timeout: float = MEDIA_TIMEOUT) -> None:
        self.base_url = normalise_base_url(base_url)  # raises InsecureHostError
        self.retry = retry
        self.quota = quota if quota is not None else QuotaMeter()
        self._tier = credentials.tier
        self._auth = httpx.BasicAuth(credentials.identifier, credentials.key)
        self._timeout = httpx.Timeout(timeout)
        self._user_agent = user_agent
        self._transport = transport
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._client: httpx.AsyncClient | None = None
        # Media of messages: a client of its own that never holds the token (api/media.py).
        self._media = MediaFetcher(user_agent=user_agent, transport=media_transport,
                                   timeout=media_timeout)
        self._closed = False
        self._closing: asyncio.Event | None = None  # set by aclose(): wakes every waiter
        self._pause: asyncio.Task[None] | None = None  # the shared rate-limit pause
        self._resume_at = 0.0  # loop time the pause lasts until

    def __repr__(self) -> str:
        return f"CrispApi({self.base_url!r}, tier={self._tier!r})"

    async def __aenter__(self) -> CrispApi:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """Close the connection pool; pending and later requests raise ClosedError."""
        if self._closed:
            return
        self._closed = True
        if self._closing is not None:
            self._closing.set()
        if self._pause is not None and not self._pause.done():
            self._pause.cancel()
            await asyncio.gather(self._pause, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        await self._media.aclose()

    # ---- the one request -----------------------------------------------------------------

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, retry_safe: bool | None = None) -> Any:
        """``data`` of Crisp's answer to ``method path`` (path relative to ``/v1/``)."""
        method = method.upper()
        if retry_safe is None:
            retry_safe = method != "POST"
        return await self._call(method, path.lstrip("/"), crisp=True, retry_safe=retry_safe,
                                params=encode_params(params), json=json)

    async def upload(self, signed_url: str, data: bytes, mime: str, *,
                     progress: Progress | None = None) -> None:
        """PUT ``data`` to a bucket's signed URL (no Crisp credentials are sent to it),
        streamed in 64 KiB chunks; ``progress(sent, total)`` follows it, ending at
        ``(total, total)`` and never going backwards (api/media.py UploadBody)."""
        url = str(secure_url(signed_url))
        await self._call("PUT", url, crisp=False, retry_safe=True,
                         content=UploadBody(data, progress),
                         headers={"Content-Type": mime, "Content-Length": str(len(data))})

    async def fetch_media(self, url: str, *,
                          max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
        """``(content, media type)`` of a message's media URL, fetched WITHOUT credentials
        by a client of its own (api/media.py): https (http to loopback only), at most 3
        redirects each re-checked, MediaTooLargeError past ``max_bytes``, ``media_timeout``
        seconds in all."""
        self._check_open()
        return await self._media.fetch(url, max_bytes=max_bytes)

    async def _call(self, method: str, url: str, *, crisp: bool, retry_safe: bool,
                    params: dict[str, str] | None = None, json: Any = None,
                    content: bytes | AsyncIterable[bytes] | None = None,
                    headers: dict[str, str] | None = None) -> Any:
        client = self._ensure_client()
        send_headers = dict(headers or {})
        auth: httpx.Auth | None = None
        if crisp:
            send_headers["X-Crisp-Tier"] = self._tier
            auth = self._auth
        failures = 0  # network errors and 5xx, bounded by max_attempts
        limited = 0  # consecutive rate limits without Retry-After
        waited = 0.0  # total rate-limit pause, bounded by rate_limit_max_wait
        label = where(url)
        while True:
            if crisp:
                await self._wait_pause()
            self._check_open()
            try:
                response = await client.request(method, url, params=params, json=json,
                                                content=content, headers=send_headers,
                                                auth=auth)
            except httpx.TransportError as exc:
                self._check_open(exc)
                failures += 1
                if (retry_safe or isinstance(exc, _NOT_SENT)) \
                        and failures < self.retry.max_attempts:
                    await self._backoff(failures, method, label, type(exc).__name__)
                    continue
                raise TransportError(f"{method} {label}: {type(exc).__name__}: {exc}") \
                    from exc
            except httpx.HTTPError as exc:  # not a network failure: a bad URL, a decode error
                self._check_open(exc)
                raise TransportError(f"{method} {label}: {type(exc).__name__}: {exc}") \
                    from exc
            except RuntimeError as exc:  # httpx: "the client has been closed" (aclose raced)
                self._check_open(exc)
                raise
            status = response.status_code
            log.debug("%s %s -> %d", method, label, status)
            if crisp and status not in RATE_LIMIT_STATUSES:
                self.quota.record()  # an edge-refused 429/420 is not counted by Crisp
            if 200 <= status < 300:
                return success_data(response, method) if crisp else None
            err = error_from(response, method)
            if crisp and isinstance(err, RateLimitError) \
                    and not isinstance(err, QuotaExceededError):
                if method == "HEAD":
                    # No body says whether the quota is spent: ask again with GET to learn it.
                    method = "GET"
                    continue
                limited = limited + 1 if err.retry_after is None else 0
                delay = err.retry_after if err.retry_after is not None \
                    else self.retry.rate_limit_delay(limited)
                if waited + delay > self.retry.rate_limit_max_wait:
                    raise err
                waited += delay
                log.warning("%s %s rate limited (%d): pausing all requests for %.2f s",
                            method, label, status, delay)
                self._pause_for(delay)
                continue
            if isinstance(err, ServerError) and retry_safe:
                failures += 1
                if failures < self.retry.max_attempts:
                    await self._backoff(failures, method, label, f"{status} {err.reason}")
                    continue
            raise err

    # ---- plumbing ------------------------------------------------------------------------

    def _ensure_client(self) -> httpx.AsyncClient:
        self._check_open()
        if self._client is None:  # here, inside the running loop: never at import time
            self._client = httpx.AsyncClient(
                base_url=self.base_url, timeout=self._timeout, transport=self._transport,
                headers={"User-Agent": self._user_agent}, follow_redirects=False)
            self._closing = asyncio.Event()
        return self._client

    def _check_open(self, cause: BaseException | None = None) -> None:
        if self._closed:
            raise ClosedError("the Crisp API client is closed") from cause

    async def _backoff(self, failures: int, method: str, label: str, what: str) -> None:
        delay = self.retry.backoff(failures, self._rng)
        log.warning("%s %s failed (%s); retry %d/%d in %.2f s", method, label, what, failures,
                    self.retry.max_attempts - 1, delay)
        sleeper = asyncio.ensure_future(self._sleep(delay))
        try:
            await self._until(sleeper)
        finally:
            sleeper.cancel()

    async def _until(self, waiter: asyncio.Future[Any]) -> None:
        """Wait for ``waiter``, or raise ClosedError as soon as aclose() runs."""
        if self._closing is None:  # pragma: no cover - _ensure_client always ran first
            await waiter
            return
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait({waiter, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
        self._check_open()

    async def _wait_pause(self) -> None:
        while self._pause is not None and not self._pause.done():
            await self._until(self._pause)

    def _pause_for(self, delay: float) -> None:
        """Hold every request of this client until ``delay`` from now (or a later resume)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._pause is None or self._pause.done():
            self._resume_at = now + delay
            self._pause = loop.create_task(self._run_pause(now), name="crisp-api-rate-limit")
        else:  # already pausing: extend it, never shorten it
            self._resume_at = max(self._resume_at, now + delay)

    async def _run_pause(self, start: float) -> None:
        # Sleeps the requested spans themselves, so an injected test sleep needs no clock.
        slept_until = start
        while self._resume_at > slept_until:
            step = self._resume_at - slept_until
            await self._sleep(step)
            slept_until += step

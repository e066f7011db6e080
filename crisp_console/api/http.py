"""CrispApi: the one ``request()`` every REST call goes through.

It owns one long-lived ``httpx.AsyncClient`` (created lazily inside the running loop, closed
by ``aclose()``), sends Basic auth + ``X-Crisp-Tier``, unwraps Crisp's envelope, maps errors to
``crisp_console.errors``, and decides what may be repeated. Every loop is bounded in attempts
and in time (RetryPolicy), whatever the server says:

- network errors and 5xx are retried with jittered exponential backoff when the request is
  retry-safe (GET/HEAD/PUT/PATCH/DELETE). A POST that may have been processed is never
  repeated (sends included: the client reads before it retries); one that never left
  (connection refused) is, since nothing reached Crisp;
- a 429/420 with a short Retry-After pauses every request of this client, then re-sends:
  a rate-limited request was not processed;
- any other 429/420 means the daily quota is spent: QuotaExceededError, and the quota gate
  (api/quota.py) closes: later requests fail at once without being sent, but one probe per
  ``probe_interval``, until a success or the reset time.

Every attempt that may have reached Crisp is counted in ``requests`` under the purpose of
the code that asked (api/purpose.py; one attempt and its count: api/attempt.py).

The Authorization header and the key are never logged: log lines name the method and path.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crisp_console.api.absent import remember_absent
from crisp_console.api.agent import default_user_agent
from crisp_console.api.attempt import attempt, not_sent
from crisp_console.api.media import (
    DEFAULT_MAX_BYTES,
    MEDIA_TIMEOUT,
    MediaFetcher,
    Progress,
    UploadBody,
)
from crisp_console.api.policy import QuotaMeter, RetryBudget, RetryPolicy
from crisp_console.api.purpose import RequestMeter
from crisp_console.api.quota import QuotaGate, is_quota, quota_error, quota_resets_at
from crisp_console.api.reach import Reach
from crisp_console.api.routes import Routes
from crisp_console.api.shapes import ShapeLog
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
    AuthError,
    ClosedError,
    CrispError,
    RateLimitError,
    ServerError,
    TransportError,
)
from crisp_console.types import Credentials

if TYPE_CHECKING:  # httpx is imported with the first request, never on the first frame's path
    import httpx

log = logging.getLogger("crisp_console.api")

DEFAULT_RETRY = RetryPolicy()
PROBE_PATH = "plugin/connect/session"

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class CrispApi(Routes):
    """Crisp REST v1 for one token. Use ``async with`` or call ``aclose()``.

    ``clock`` (monotonic seconds) and ``sleep`` must agree (the default pair does); ``wall``
    gives epoch seconds for the quota's UTC day. Tests inject all three. ``user_agent``:
    None sends ``crisp-console/VERSION`` (api/agent.py).
    """

    def __init__(self, base_url: str, credentials: Credentials, *, timeout: float = 10.0,
                 retry: RetryPolicy = DEFAULT_RETRY, user_agent: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Sleep = asyncio.sleep, rng: random.Random | None = None,
                 quota: QuotaMeter | None = None, gate: QuotaGate | None = None,
                 clock: Clock = time.monotonic, wall: Clock = time.time,
                 media_transport: httpx.AsyncBaseTransport | None = None,
                 media_timeout: float = MEDIA_TIMEOUT) -> None:
        self.base_url = normalise_base_url(base_url)  # raises InsecureHostError
        self.retry = retry
        self.quota = quota if quota is not None else QuotaMeter(clock=wall)
        self.gate = gate if gate is not None else QuotaGate(wall=wall, clock=clock)
        self.shapes = ShapeLog()
        self.requests = RequestMeter()
        self.reach = Reach(clock)  # whether Crisp's requests connect and answer (api/reach.py)
        self._tier = credentials.tier
        self._credentials = credentials  # httpx's BasicAuth is made with the client
        self._auth: httpx.Auth | None = None
        self._timeout = timeout
        self._user_agent = user_agent
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._wall = wall
        self._rng = rng if rng is not None else random.Random()
        self._client: httpx.AsyncClient | None = None
        # Media of messages: a client of its own that never holds the token (api/media.py).
        self._media = MediaFetcher(user_agent=user_agent, transport=media_transport,
                                   timeout=media_timeout)
        self._closed = False
        self._closing: asyncio.Event | None = None  # set by aclose(): wakes every waiter
        self._resume_at = 0.0  # clock time the shared rate-limit pause lasts until
        self._quota_wait: asyncio.Task[None] | None = None  # wait_quota()'s shared probe loop
        self._gate_changed: asyncio.Event | None = None  # wakes the probe loop early
        self._unobserve = self.gate.observe(self._on_gate)

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
        self._unobserve()
        if self._closing is not None:
            self._closing.set()
        if self._quota_wait is not None and not self._quota_wait.done():
            self._quota_wait.cancel()
            await asyncio.gather(self._quota_wait, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        await self._media.aclose()

    # ---- the one request -----------------------------------------------------------------

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, retry_safe: bool | None = None) -> Any:
        """``data`` of Crisp's answer to ``method path`` (path relative to ``/v1/``).

        ``retry_safe`` (default: every method but POST) allows repeating the request after
        a failure that may have reached Crisp (a reset, a timeout, a 5xx).
        """
        method = method.upper()
        if retry_safe is None:
            retry_safe = method != "POST"
        return await self._call(method, path.lstrip("/"), crisp=True, retry_safe=retry_safe,
                                params=encode_params(params), json=json)

    def requests_by_purpose(self) -> dict[str, int]:
        """Requests sent to Crisp so far, by purpose (``requests`` to observe them)."""
        return self.requests.by_purpose()

    @property
    def resume_at(self) -> float:
        """The ``clock`` time the shared rate-limit pause lasts until (past: no pause)."""
        return self._resume_at

    async def wait_quota(self) -> None:
        """Return once the quota gate is open (at once if it is).

        While the quota is spent, this sends at most one probe (HEAD plugin/connect/session)
        per ``gate.probe_interval`` and returns when one succeeds or the reset time comes.
        Concurrent callers share one probe loop. Raises AuthError if a probe finds the token
        refused (waiting would not help), ClosedError if the client closes.
        """
        self._check_open()
        if not self.gate.spent:
            return
        if self._quota_wait is None or self._quota_wait.done():
            self._ensure_client()
            self._quota_wait = asyncio.get_running_loop().create_task(
                self._probe_until_open(), name="crisp-api-quota-probe")
        task = self._quota_wait
        await self._until(task)
        task.result()  # AuthError from the probe loop, for every waiter

    def _on_gate(self, spent: bool, resets_at: datetime | None) -> None:
        if not spent and self._gate_changed is not None:
            self._gate_changed.set()  # another request succeeded: stop waiting at once

    async def _probe_until_open(self) -> None:
        changed = self._gate_changed = asyncio.Event()
        while self.gate.spent:
            delay = self.gate.seconds_to_wait()
            if delay > 0:
                sleeper = asyncio.ensure_future(self._sleep(delay))
                woken = asyncio.ensure_future(changed.wait())
                try:
                    await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    sleeper.cancel()
                    woken.cancel()
                continue
            try:
                await self.request("HEAD", PROBE_PATH)
            except (AuthError, ClosedError):
                raise
            except CrispError as exc:  # still spent, or no answer: wait for the next slot
                log.debug("quota probe: %s", type(exc).__name__)

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
        import httpx

        client = self._ensure_client()
        send_headers = dict(headers or {})
        auth: httpx.Auth | None = None
        if crisp:
            send_headers["X-Crisp-Tier"] = self._tier
            auth = self._auth
        label = where(url)
        budget = RetryBudget(self.retry, self._clock)
        while True:
            probe = False
            if crisp:
                await self._wait_pause(budget, method, label)
                if not self.gate.admit():
                    raise self.gate.refusal()
                probe = self.gate.probing()  # the one request let through while spent
            self._check_open()
            try:
                response = await attempt(client, method, url, crisp, self.reach, self.requests,
                                         params=params, json=json, content=content,
                                         headers=send_headers, auth=auth)
            except httpx.TransportError as exc:
                self._check_open(exc)
                sent = not isinstance(exc, not_sent())
                what = type(exc).__name__
                if crisp and not sent:
                    self.reach.unreachable()
                if (retry_safe or not sent) and not probe:
                    delay = budget.failure(self.retry.backoff(budget.failures + 1, self._rng))
                    if delay is not None:
                        await self._backoff(delay, budget.failures, method, label, what)
                        continue
                raise TransportError(f"{method} {label}: {what}: {exc}", sent=sent) from exc
            except httpx.HTTPError as exc:  # not a network failure: a body that fails to decode
                self._check_open(exc)
                raise TransportError(f"{method} {label}: {type(exc).__name__}: {exc}",
                                     sent=True) from exc
            except RuntimeError as exc:  # httpx: "the client has been closed" (aclose raced)
                self._check_open(exc)
                raise
            status = response.status_code
            log.debug("%s %s -> %d", method, label, status)
            if crisp:
                self.reach.answered()
            if crisp and status not in RATE_LIMIT_STATUSES:
                self.quota.record()  # an edge-refused 429/420 is not counted by Crisp
            if 200 <= status < 300:
                if not crisp:
                    return None
                self.gate.reopen()
                return success_data(response, method, label)
            err = error_from(response, method, self.gate.now())
            if crisp and isinstance(err, RateLimitError):
                delay = self._rate_limited(err, budget, probe)
                log.warning("%s %s rate limited (%d, Retry-After %s): pausing all requests "
                            "for %.2f s", method, label, status, err.retry_after, delay)
                self._resume_at = max(self._resume_at, self._clock() + delay)
                continue
            if isinstance(err, ServerError) and retry_safe and not probe:
                delay = budget.failure(self.retry.backoff(budget.failures + 1, self._rng))
                if delay is not None:
                    await self._backoff(delay, budget.failures, method, label,
                                        f"{status} {err.reason}")
                    continue
            raise err

    def _rate_limited(self, err: RateLimitError, budget: RetryBudget, probe: bool) -> float:
        """The pause a 429/420 asks for, or the error to raise instead."""
        if is_quota(err, self.retry.rate_limit_short):
            spent = quota_error(err, quota_resets_at(self.gate.now(), err.retry_after))
            self.gate.close(spent.resets_at)
            raise spent
        if probe:  # a probe is one request, never a series
            raise err
        delay = budget.limited(err.retry_after)
        if delay is None:
            raise err
        return delay

    # ---- plumbing ------------------------------------------------------------------------

    def _ensure_client(self) -> httpx.AsyncClient:
        self._check_open()
        if self._client is None:  # here, inside the running loop: never at import time
            remember_absent()  # before httpcore asks for them on every request
            import httpx

            credentials = self._credentials
            self._auth = httpx.BasicAuth(credentials.identifier, credentials.key)
            self._client = httpx.AsyncClient(
                base_url=self.base_url, timeout=httpx.Timeout(self._timeout),
                transport=self._transport,
                headers={"User-Agent": self._user_agent or default_user_agent()},
                follow_redirects=False)
            self._closing = asyncio.Event()
        return self._client

    def _check_open(self, cause: BaseException | None = None) -> None:
        if self._closed:
            raise ClosedError("the Crisp API client is closed") from cause

    async def _backoff(self, delay: float, failures: int, method: str, label: str,
                       what: str) -> None:
        log.info("%s %s failed (%s); retry %d/%d in %.2f s", method, label, what, failures,
                 self.retry.max_attempts - 1, delay)
        await self._nap(delay)

    async def _nap(self, delay: float) -> None:
        """Sleep ``delay``, or raise ClosedError as soon as aclose() runs."""
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

    async def _wait_pause(self, budget: RetryBudget, method: str, label: str) -> None:
        """Hold the request while the shared rate-limit pause lasts, within its budget.

        It naps the pause's span, then only what another rate limit added meanwhile: the
        loop ends even if the clock did not move (a test's sleep)."""
        waited_until = self._clock()
        while self._resume_at > waited_until:
            left = self._resume_at - waited_until
            if not budget.pause(left):
                raise RateLimitError(429, "rate_limited",
                                     f"{method} {label}: paused by rate limits for longer "
                                     f"than {self.retry.rate_limit_max_wait:g} s")
            waited_until = self._resume_at
            await self._nap(left)

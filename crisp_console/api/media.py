"""Media files in and out: the upload body that reports progress, and the credential-free
fetch of a message's media (lazy image loading).

A message's URLs are untrusted: they may point anywhere. So ``MediaFetcher`` uses its own
``httpx.AsyncClient``, which never holds the Crisp token, keeps no cookies, and drops any
``user:password@`` from URLs (httpx would turn it into an Authorization header). It follows at
most ``MAX_REDIRECTS`` redirects itself, checking each target like the first (``secure_url``:
https, or http to loopback only) and refusing a redirect from a public host to a loopback
one; it streams the body and stops as soon as it exceeds ``max_bytes``; and it gives up after
``timeout`` seconds in all, however slowly the bytes trickle in.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from crisp_console.api.absent import remember_absent
from crisp_console.api.agent import default_user_agent
from crisp_console.api.wire import is_loopback, secure_url, where
from crisp_console.errors import (
    InsecureHostError,
    MediaError,
    MediaTooLargeError,
    TransportError,
)

if TYPE_CHECKING:  # imported where a fetch needs it: not on the first frame's path
    import httpx

log = logging.getLogger("crisp_console.api")

UPLOAD_CHUNK = 64 * 1024
MAX_REDIRECTS = 3
MEDIA_TIMEOUT = 15.0  # seconds for the whole fetch, redirects included
DEFAULT_MAX_BYTES = 10 * 2**20
FALLBACK_MIME = "application/octet-stream"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MIME = re.compile(r"^[a-z0-9][\w.+-]*/[a-z0-9][\w.+-]*$")

Progress = Callable[[int, int], None]


class UploadBody:
    """The bytes of an upload in ``UPLOAD_CHUNK`` pieces, calling ``progress(sent, total)`` as
    the transport takes each one (so after it was written), ending with ``(total, total)``.

    Iterable again (a retried PUT starts over); the reports never go backwards: a retry is
    silent until it passes what the failed attempt had reported.
    """

    def __init__(self, data: bytes, progress: Progress | None = None) -> None:
        self.data = data
        self.progress = progress
        self._reported = -1

    async def __aiter__(self) -> AsyncIterator[bytes]:
        view = memoryview(self.data)
        total = len(view)
        for start in range(0, total, UPLOAD_CHUNK):
            chunk = view[start:start + UPLOAD_CHUNK]
            yield bytes(chunk)
            # Resumed: the transport wrote that chunk and asks for the next one.
            self._report(start + len(chunk), total)
        if total == 0:
            self._report(0, 0)

    def _report(self, sent: int, total: int) -> None:
        if self.progress is None or sent <= self._reported:
            return
        self._reported = sent
        try:
            self.progress(sent, total)
        except Exception:  # a broken progress bar must not break the upload
            log.exception("upload progress callback failed")


def media_type(raw: str | None) -> str:
    """``type/subtype`` of a Content-Type header, lower-cased, parameters dropped."""
    value = (raw or "").split(";", 1)[0].strip().lower()
    return value if _MIME.match(value) else FALLBACK_MIME


def _without_userinfo(url: httpx.URL) -> httpx.URL:
    return url.copy_with(userinfo=b"", fragment=None) if url.userinfo else \
        url.copy_with(fragment=None)


def _redirect(current: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect leads, if the policy allows it (InsecureHostError otherwise)."""
    import httpx

    try:
        target = current.join(location)
    except httpx.InvalidURL as exc:
        raise MediaError(f"bad redirect Location: {exc}") from None
    target = secure_url(str(target))
    if is_loopback(target.host) and not is_loopback(current.host):
        raise InsecureHostError(f"refusing a redirect from {current.host} to a loopback host")
    return _without_userinfo(target)


class MediaFetcher:
    """GETs media for the UI without credentials. Create inside the running loop's thread;
    ``aclose()`` when done."""

    def __init__(self, *, user_agent: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = MEDIA_TIMEOUT) -> None:
        self._user_agent = user_agent
        self.timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._client is None:
            from http.cookiejar import CookieJar, DefaultCookiePolicy  # with httpx, not at start

            import httpx

            remember_absent()  # before httpcore asks for them on every request

            # A jar whose policy accepts no domain: third parties cannot set cookies to track.
            jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout), follow_redirects=False,
                transport=self._transport, cookies=jar,
                headers={"User-Agent": self._user_agent or default_user_agent(),
                         "Accept": "image/*, */*;q=0.5"})
        return self._client

    async def fetch(self, url: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
        """``(content, media type)`` of ``url``. Raises InsecureHostError (scheme or redirect
        refused), MediaTooLargeError, MediaError (HTTP error, redirects), TransportError
        (network, or no complete answer within ``timeout`` seconds)."""
        import httpx

        target = _without_userinfo(secure_url(url))
        label = where(str(target))
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(target, max_bytes)
        except TimeoutError:
            raise TransportError(f"GET {label}: no complete answer within {self.timeout:g} s",
                                 sent=True) from None
        except httpx.TransportError as exc:
            sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout
                                  | httpx.PoolTimeout)
            raise TransportError(f"GET {label}: {type(exc).__name__}: {exc}",
                                 sent=sent) from exc
        except httpx.HTTPError as exc:  # a body that fails to decode, a malformed answer
            raise MediaError(f"GET {label}: {type(exc).__name__}: {exc}") from exc

    async def _follow(self, target: httpx.URL, max_bytes: int) -> tuple[bytes, str]:
        client = self._ensure_client()
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", target) as response:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise MediaError(f"GET {where(str(target))}: {status} without Location",
                                         status)
                    target = _redirect(target, location)
                    continue
                if not 200 <= status < 300:
                    raise MediaError(f"GET {where(str(target))}: HTTP {status}", status)
                content = await _read(response, max_bytes)
                return content, media_type(response.headers.get("Content-Type"))
        raise MediaError(f"more than {MAX_REDIRECTS} redirects")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    """The (decoded) body, refusing to read past ``max_bytes``."""
    too_large = MediaTooLargeError(f"the file is larger than {max_bytes} bytes", max_bytes)
    declared = response.headers.get("Content-Length", "")
    # ASCII digits only, and no int() of a thousand digits (ValueError past 4300 of them).
    if declared.isascii() and declared.isdigit() \
            and (len(declared) > 18 or int(declared) > max_bytes):
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:  # leaving the stream unread closes the connection
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)

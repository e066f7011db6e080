"""Files sent in a reply: a bucket URL asked over REST and answered over RTM, then the upload.

The bucket's answer carries its byte limit (``policy.size_limit``): a larger file is refused
before a byte of it leaves (FileTooLargeError), so nothing is posted for it either.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crisp_console.api import CrispApi, Progress, tagged
from crisp_console.client.allowed import allowed
from crisp_console.errors import ClosedError, CrispError


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    """A file the operator sends (replies.send_files). ``progress(sent, total)`` follows its
    upload; ``finished(error)`` says how it ended: None when Crisp has the message, else
    what stopped it (a QueuedError or QuotaExceededError: it waits and goes by itself;
    anything else: refused, not sent)."""

    name: str
    mime: str
    data: bytes = field(repr=False)
    progress: Progress | None = None
    finished: Callable[[BaseException | None], None] | None = None


class FileTooLargeError(CrispError):
    """The file is over the limit the bucket announced; nothing of it was sent."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"Too large to send ({_size(size)}); Crisp takes up to "
                         f"{_size(limit)}")
        self.size = size
        self.limit = limit


def _size(n: int) -> str:  # as present/attachments.py's file_size (the client cannot use it)
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 ", " ")


def size_limit(answer: dict[str, Any]) -> int | None:
    """The byte limit of a ``bucket:url:upload:generated`` answer, if it gives a usable one."""
    policy = answer.get("policy")
    limit = policy.get("size_limit") if isinstance(policy, dict) else None
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return limit
    return None


class Uploads:
    """``upload()`` waits for its bucket URL at most ``timeout`` seconds (the live feed's
    answer, in real time); ``answer`` is where the event sink hands ``bucket:url:*`` events."""

    def __init__(self, api: CrispApi, *, timeout: float) -> None:
        self._api = api
        self._timeout = timeout
        self._waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def answer(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        waiter = self._waiters.pop(str(payload.get("id")), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(payload)

    @tagged("send")  # the bucket URL is asked for to send a file
    async def upload(self, name: str, mime: str, data: bytes,
                     progress: Progress | None = None) -> Any:
        """Upload ``data`` through a fresh bucket URL; returns the file's resource URL (as
        Crisp's answer gave it).
        ``progress(sent, total)`` follows the upload (monotonic, ends at ``(total, total)``).
        Raises FileTooLargeError, sending nothing, when the answer's limit is below the size."""
        request_id = uuid.uuid4().hex
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters[request_id] = waiter
        try:
            with allowed("upload files"):
                await self._api.generate_bucket_url(namespace="upload", request_id=request_id,
                                                    name=name, mime=mime)
            answer = await asyncio.wait_for(waiter, self._timeout)
        finally:
            self._waiters.pop(request_id, None)
        limit = size_limit(answer)
        if limit is not None and len(data) > limit:
            raise FileTooLargeError(len(data), limit)
        url = answer["url"]
        await self._api.upload(url["signed"], data, mime, progress=progress)
        return url["resource"]

    def close(self) -> None:
        """Uploads waiting for their URL fail with ClosedError."""
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(ClosedError("the client is closing"))
        self._waiters.clear()

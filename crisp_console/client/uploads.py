"""Files sent in a reply: a bucket URL asked over REST and answered over RTM, then the upload."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from crisp_console.api import CrispApi, Progress, tagged
from crisp_console.client.allowed import allowed
from crisp_console.errors import ClosedError


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
        ``progress(sent, total)`` follows the upload (monotonic, ends at ``(total, total)``)."""
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
        url = answer["url"]
        await self._api.upload(url["signed"], data, mime, progress=progress)
        return url["resource"]

    def close(self) -> None:
        """Uploads waiting for their URL fail with ClosedError."""
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(ClosedError("the client is closing"))
        self._waiters.clear()

"""What the console window asks of the client besides commands: which message is mine to
edit, and media (images in messages) fetched safely and only where the UI allows it."""

from __future__ import annotations

import httpx

from crisp_console.api.media import DEFAULT_MAX_BYTES
from crisp_console.client.base import ClientBase
from crisp_console.core import Message, MessageStatus

# Crisp's own hosts (the bucket, avatars, the CDN): media there loads without asking.
CRISP_DOMAIN = "crisp.chat"


class SupportMixin(ClientBase):
    def last_own_message(self, session_id: str) -> Message | None:
        """The newest text message I sent in the loaded timeline ("Up edits my last
        message"): from an operator, and ``me``'s, or a local echo of this console that the
        server accepted or still holds. FAILED echoes are skipped: they exist only here, so
        they are retried rather than edited."""
        me = self.me
        store = self.store
        for row in range(store.message_count(session_id) - 1, -1, -1):
            msg = store.message_at(session_id, row)
            if msg.type != "text" or msg.from_ != "operator" \
                    or msg.status is MessageStatus.FAILED:
                continue
            if msg.status is MessageStatus.PENDING or (me is not None and msg.user_id == me):
                return msg
        return None

    def trusted_media(self, url: str) -> bool:
        """Whether media at ``url`` may load without the operator asking: https on Crisp's
        domain (``crisp.chat`` and its subdomains), or the REST host the console is
        connected to (same scheme, host and port; the sandbox's bucket lives there)."""
        try:
            parsed = httpx.URL(url)
            rest = httpx.URL(self.api.base_url)
        except httpx.InvalidURL:
            return False
        host = parsed.host
        if not host:
            return False
        if parsed.scheme == "https" and (host == CRISP_DOMAIN
                                         or host.endswith("." + CRISP_DOMAIN)):
            return True
        return (parsed.scheme, host, parsed.port) == (rest.scheme, rest.host, rest.port)

    async def fetch_media(self, url: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """The bytes at ``url``, fetched without any credentials (api/media.py): https, or
        http to loopback; at most 3 redirects; 15 s. Raises InsecureHostError,
        MediaTooLargeError (past ``max_bytes``), MediaError, TransportError. Whether to fetch
        at all is the UI's call (``trusted_media``, or the operator asked)."""
        content, _ = await self.api.fetch_media(url, max_bytes=max_bytes)
        return content

"""Media (images in messages) fetched safely, and only where the UI allows it."""

from __future__ import annotations

import httpx

from crisp_console.api import CrispApi
from crisp_console.api.media import DEFAULT_MAX_BYTES

# Crisp's own hosts (the bucket, avatars, the CDN): media there loads without asking.
CRISP_DOMAIN = "crisp.chat"


class Media:
    def __init__(self, api: CrispApi) -> None:
        self._api = api

    def trusted(self, url: str) -> bool:
        """Whether media at ``url`` may load without the operator asking: https on Crisp's
        domain (``crisp.chat`` and its subdomains), or the REST host the console is
        connected to (same scheme, host and port; the sandbox's bucket lives there)."""
        try:
            parsed = httpx.URL(url)
            rest = httpx.URL(self._api.base_url)
        except httpx.InvalidURL:
            return False
        host = parsed.host
        if not host:
            return False
        if parsed.scheme == "https" and (host == CRISP_DOMAIN
                                         or host.endswith("." + CRISP_DOMAIN)):
            return True
        return (parsed.scheme, host, parsed.port) == (rest.scheme, rest.host, rest.port)

    async def fetch(self, url: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """The bytes at ``url``, fetched without any credentials (api/media.py): https, or
        http to loopback; at most 3 redirects; 15 s. Raises InsecureHostError,
        MediaTooLargeError (past ``max_bytes``), MediaError, TransportError. Whether to fetch
        at all is the UI's call (``trusted``, or the operator asked)."""
        content, _ = await self._api.fetch_media(url, max_bytes=max_bytes)
        return content

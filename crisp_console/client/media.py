"""Media (images in messages) fetched safely, and only where the UI allows it."""

from __future__ import annotations

import re

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
        plain, rest = _plain(url), _plain(self._api.base_url)
        if plain is not None and rest is not None:
            parsed, base = plain, rest
        else:  # anything unusual as httpx (which fetches it) parses it
            import httpx

            try:
                p, r = httpx.URL(url), httpx.URL(self._api.base_url)
            except httpx.InvalidURL:
                return False
            parsed, base = (p.scheme, p.host, p.port), (r.scheme, r.host, r.port)
        scheme, host, _port = parsed
        if not host:
            return False
        if scheme == "https" and (host == CRISP_DOMAIN or host.endswith("." + CRISP_DOMAIN)):
            return True
        return parsed == base


    async def fetch(self, url: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """The bytes at ``url``, fetched without any credentials (api/media.py): https, or
        http to loopback; at most 3 redirects; 15 s. Raises InsecureHostError,
        MediaTooLargeError (past ``max_bytes``), MediaError, TransportError. Whether to fetch
        at all is the UI's call (``trusted``, or the operator asked)."""
        content, _ = await self._api.fetch_media(url, max_bytes=max_bytes)
        return content


# A plain URL (lower-case scheme and host name, no user, no IP literal, no escapes): what
# website logos and the REST root are. Its parts read without httpx, which reads them alike,
# so that the logos of the cached websites do not import httpx before the first frame.
_PLAIN = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?"
                    r"(?:[/?#][A-Za-z0-9._~/?#&=+,;:!$*()'-]*)?")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _plain(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a plain URL, the port None when it is the scheme's default
    (as httpx.URL says); None when ``url`` is not that plain."""
    match = _PLAIN.fullmatch(url)
    if match is None or "@" in url:
        return None
    port = int(match[3]) if match[3] else None
    if port is not None and port > 65535:
        return None
    return match[1], match[2], None if port == _DEFAULT_PORTS[match[1]] else port

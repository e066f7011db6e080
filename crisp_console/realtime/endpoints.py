"""Which RTM URL the next attempt uses: the main endpoint, or its rescue.

Get Connect Endpoints answers ``socket.app`` and ``rescue.socket.app`` (crisp-api.md §10 row
8). After ``rescue_after`` consecutive failed attempts on one URL the next attempt uses the
other one, alternating while both fail; a success stays on the URL that worked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from crisp_console.realtime.urls import split_url

log = logging.getLogger("crisp_console.realtime")


class Endpoints:
    def __init__(self, urls: str | Sequence[str], rescue_after: int) -> None:
        """``urls``: the main URL, or ``[main, rescue]`` (a missing, empty or repeated rescue
        is ignored). Raises ValueError for a URL that is not http(s)/ws(s)."""
        given = [urls] if isinstance(urls, str) else [u for u in urls if u]
        if not given:
            raise ValueError("no RTM URL given")
        self.urls = tuple(dict.fromkeys(given))
        self.parts = [split_url(url) for url in self.urls]
        self._rescue_after = rescue_after
        self._index = 0
        self._failures = 0

    @property
    def url(self) -> str:
        return self.urls[self._index]

    @property
    def current(self) -> tuple[str, str]:
        """(origin, socket path) of the URL the next attempt uses."""
        return self.parts[self._index]

    def failed(self) -> None:
        self._failures += 1
        if self._failures >= self._rescue_after and len(self.urls) > 1:
            self._index = (self._index + 1) % len(self.urls)
            self._failures = 0
            log.info("RTM: %d failed attempts in a row; trying %s", self._rescue_after,
                     "the rescue endpoint" if self._index else "the main endpoint")

    def succeeded(self) -> None:
        self._failures = 0

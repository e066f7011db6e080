"""The RTM URLs and the answer of a probe: plain values, no network library (the live
feed's socket, transport.py, is imported when it first connects, not at start-up)."""

from __future__ import annotations

import enum
from urllib.parse import urlsplit, urlunsplit


def split_url(url: str) -> tuple[str, str]:
    """``http://host:port/rtm/`` -> (``http://host:port``, ``/rtm/``): origin and socket path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError(f"not an RTM URL: {url!r}")
    origin = f"{parts.scheme}://{parts.netloc}" + (f"?{parts.query}" if parts.query else "")
    return origin, parts.path or "/"


class Answer(enum.Enum):
    ANSWERED = "answered"  # the relay answered (whatever it said)
    REFUSED = "refused"  # no connection: nothing listens there, no route, no such host
    SILENT = "silent"  # no answer within the timeout (a frozen relay's kernel still accepts)


def probe_url(url: str) -> str:
    """The engine.io handshake URL of an RTM URL, in http(s)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    query = "&".join(q for q in (parts.query, "EIO=4&transport=websocket") if q)
    return urlunsplit((scheme, parts.netloc, parts.path or "/", query, ""))

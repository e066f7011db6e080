"""Safe rich text for message bubbles: escape everything, then linkify http/https URLs.

Message text comes from visitors, so it is hostile by default. ``safe_html()`` never passes a
tag of the sender's through: the only markup in its output is the ``<a href>`` it generates for
http/https URLs and ``<br>`` for line breaks. ``allowed_link()`` is the gate for opening a
clicked link. The bubbles lay this HTML out in ui/delegates/richtext.py's ``SafeDocument``,
which loads no resource, so even markup that slipped through could not fetch anything.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

MAX_TEXT = 20_000  # characters shown of one message; longer text is cut (layout stays fast)
MAX_URL = 2_048
TRUNCATED = "…"
LINK_SCHEMES = frozenset(("http", "https", "mailto"))

# Invisible or direction-changing characters: never part of a URL (they would let a link
# show one address and open another), and never allowed in one we open.
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_URL = re.compile(r"\bhttps?://[^\s<>\"'`" + _INVISIBLE + r"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_FORBIDDEN_IN_URL = frozenset(_INVISIBLE + "<>\"'`\\")


def allowed_link(url: Any) -> bool:
    """Whether a clicked link may be opened: http(s) with a host, or mailto with an address.

    Everything else (``javascript:``, ``file:``, ``data:``, relative paths, URLs carrying
    whitespace, control or bidi characters) is refused.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return False
    if any(ch in _FORBIDDEN_IN_URL or ord(ch) <= 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(host)
    if scheme == "mailto":
        return not parts.netloc and "@" in parts.path
    return False


def escape(text: str) -> str:
    """HTML-escape ``text`` (quotes too, so it is safe inside attribute values)."""
    return html.escape(text, quote=True)


def link(url: Any, label: str) -> str:
    """An ``<a>`` to ``url`` showing ``label`` (escaped), or just the label when the URL is
    not one we would open."""
    if not allowed_link(url):
        return escape(label)
    return f'<a href="{escape(url)}">{escape(label)}</a>'


def safe_html(text: Any, max_chars: int = MAX_TEXT) -> str:
    """``text`` as HTML: escaped, http/https URLs turned into links, newlines into ``<br>``.

    Non-string input gives "". Text longer than ``max_chars`` is cut and ends with "…".
    """
    if not isinstance(text, str):
        return ""
    if len(text) > max_chars:
        text = text[:max_chars] + TRUNCATED
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        end = match.start() + len(url)
        out.append(_plain(text[pos:match.start()]))
        out.append(link(url, url) if allowed_link(url) else _plain(url))
        pos = end
    out.append(_plain(text[pos:]))
    return "".join(out)


def _trim_url(url: str) -> str:
    """Drop the punctuation that ends a sentence rather than the URL, keeping balanced
    brackets (``https://en.wikipedia.org/wiki/Foo_(bar)``)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _plain(text: str) -> str:
    """Escaped text with line breaks and runs of spaces kept (HTML would collapse them)."""
    if not text:
        return ""
    text = escape(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "))
    text = text.replace("  ", " &nbsp;")
    return text.replace("\n", "<br>")

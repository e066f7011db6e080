"""Live events: what each RTM event brought, told after the store applied it.

Changes (changes.py) describe the store's state for the models; some views also react to the
live feed itself: a desktop notification for a visitor's message (even one of a conversation
the store does not know yet, which the client then fetches), "synced N s ago", the pages a
visitor browses (which the store does not keep). ``Store.apply`` is the live feed's door
(REST loads and the console's own changes use other methods), so after every event it tells
``Store.subscribe_live`` observers one typed ``LiveEvent``: no view reads a wire dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crisp_console.core import parse as p
from crisp_console.core.models import Message
from crisp_console.core.results import ApplyResult


@dataclass(frozen=True, slots=True)
class VisitedPage:
    """A page the visitor browsed (``session:sync:pages``); the URL is whole or absent."""

    title: str
    url: str
    referrer: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One RTM event after the store applied it.

    ``result``: what the store did with it. ``session_id``/``website_id``: what it names (""
    for nothing). ``message``: the server's copy for ``message:send``/``message:received``,
    also when the store does not know the conversation (``result`` UNKNOWN_TARGET), None for
    a malformed one. ``pages``: for ``session:sync:pages``.
    """

    event: str
    result: ApplyResult
    session_id: str = ""
    website_id: str = ""
    message: Message | None = None
    pages: tuple[VisitedPage, ...] = ()


def named_ids(payload: Any) -> tuple[str, str]:
    """(session_id, website_id) a payload names, "" for a missing or malformed one."""
    if not isinstance(payload, Mapping):
        return "", ""
    return p.opt_id(payload.get("session_id")), p.opt_id(payload.get("website_id"))


def pages_of(payloads: list[Any]) -> tuple[VisitedPage, ...]:
    """``[{page_title, page_url, page_referrer, timestamp}]`` as VisitedPages: items without
    a URL (or with one too long to be whole) are skipped, other wrong types become ""/0."""
    out: list[VisitedPage] = []
    for item in payloads[:p.MAX_ITEMS]:
        if not isinstance(item, Mapping):
            continue
        url = item.get("page_url")
        if not isinstance(url, str) or not url or len(url) > p.MAX_URL:
            continue
        out.append(VisitedPage(p.opt_str(item, "page_title", limit=p.MAX_STRING),
                               p.text(url, p.MAX_URL), p.opt_url(item, "page_referrer"),
                               p.opt_timestamp(item, "timestamp")))
    return tuple(out)

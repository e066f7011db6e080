"""Async iterators over Crisp's two ways of paging: page numbers and message timestamps.

Page-numbered lists (conversations, connect websites...) end with an empty page: Crisp gives
no total, and clients page until ``[]`` (crisp-api.md §1.3). Message history is cursor-based
on epoch-ms timestamps and is read backwards only, with ``timestamp_before``: which batch
``timestamp_after`` answers is unspecified (§10 row 5), so nothing here relies on it. Both
loops end even against a server that ignores the page number or the cursor.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

from crisp_console.api.shapes import timestamp

log = logging.getLogger("crisp_console.api")

T = TypeVar("T")
Message = dict[str, Any]
MAX_PAGES = 1000  # 50 000 conversations at 50 a page: past that, a server is looping us
MAX_BATCHES = 10_000  # 400 000 messages of one conversation at 40 a batch


async def iter_pages(fetch: Callable[[int], Awaitable[list[T]]], *, start: int = 1,
                     key: Callable[[T], Hashable | None] | None = None,
                     max_pages: int = MAX_PAGES) -> AsyncIterator[T]:
    """Items of pages ``start``, ``start + 1``... until an empty page.

    With ``key``, an item already yielded is skipped: a live list (conversations ordered by
    activity) shifts while it is paged, so an item can show up again on the next page (a
    None key is never skipped). A page equal to the one before it (a server ignoring the
    page number) ends the loop, and so does ``max_pages``.
    """
    seen: set[Hashable] = set()
    previous = ""
    for page in range(start, start + max_pages):
        items = await fetch(page)
        if not items:
            return
        current = _fingerprint(items)
        if current and current == previous:
            return
        previous = current
        for item in items:
            if key is not None:
                ident = key(item)
                if ident is not None:
                    if ident in seen:
                        continue
                    seen.add(ident)
            yield item
    log.warning("stopped paging after %d pages: the list did not end", max_pages)


def _fingerprint(items: list[Any]) -> str:
    """A page's identity: repr, where NaN equals NaN (it does not under ``==``)."""
    try:
        return repr(items)
    except RecursionError:  # absurdly nested: never taken as a repeat
        return ""


async def iter_before(fetch: Callable[[int | None], Awaitable[list[Message]]],
                      before: int | None, *,
                      max_batches: int = MAX_BATCHES) -> AsyncIterator[list[Message]]:
    """Batches going back in time: the latest batch before ``before`` (None: the newest),
    then the one before it, and so on. Each batch is oldest first, as Crisp sends it.

    The cursor is strict, so every step moves back: only messages older than the cursor
    count, and a message without a usable timestamp cannot move it (the loop then ends).
    ``max_batches`` bounds a server that answers one message a millisecond back each time.
    """
    cursor = before
    for _ in range(max_batches):
        batch = await fetch(cursor)
        if cursor is not None:
            batch = [m for m in batch if (ts := timestamp(m.get("timestamp"))) is not None
                     and ts < cursor]
        if not batch:
            return
        yield batch
        stamps = [ts for m in batch if (ts := timestamp(m.get("timestamp"))) is not None]
        if not stamps:
            return
        cursor = min(stamps)
    log.warning("stopped paging back after %d batches of history", max_batches)

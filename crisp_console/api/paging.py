"""Async iterators over Crisp's two ways of paging: page numbers and message timestamps.

Page-numbered lists (conversations, connect websites...) end with an empty page: Crisp gives
no total, and clients page until ``[]`` (crisp-api.md §1.3). Message history is cursor-based
on epoch-ms timestamps; the cursors are strict, so each step must move past the last batch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
Message = dict[str, Any]


async def iter_pages(fetch: Callable[[int], Awaitable[list[T]]], *, start: int = 1,
                     key: Callable[[T], Hashable] | None = None) -> AsyncIterator[T]:
    """Items of pages ``start``, ``start + 1``... until an empty page.

    With ``key``, an item already yielded is skipped: a live list (conversations ordered by
    activity) shifts while it is paged, so an item can show up again on the next page.
    """
    seen: set[Hashable] = set()
    page = start
    while True:
        items = await fetch(page)
        if not items:
            return
        for item in items:
            if key is not None:
                ident = key(item)
                if ident in seen:
                    continue
                seen.add(ident)
            yield item
        page += 1


def _ts(message: Message) -> int:
    return int(message.get("timestamp", 0))


async def iter_after(fetch: Callable[[int], Awaitable[list[Message]]],
                     after: int) -> AsyncIterator[Message]:
    """Messages strictly newer than ``after``, oldest first, one batch request at a time.

    ``fetch(cursor)`` answers the oldest batch strictly after ``cursor``. Only messages
    newer than the cursor count, so a server that ignored the cursor cannot loop us forever.
    """
    cursor = after
    seen: set[int] = set()
    while True:
        newer = [m for m in await fetch(cursor) if _ts(m) > cursor]
        if not newer:
            return
        for message in newer:
            fingerprint = message.get("fingerprint")
            if isinstance(fingerprint, int):
                if fingerprint in seen:
                    continue
                seen.add(fingerprint)
            yield message
        cursor = max(_ts(m) for m in newer)


async def iter_before(fetch: Callable[[int | None], Awaitable[list[Message]]],
                      before: int | None) -> AsyncIterator[list[Message]]:
    """Batches going back in time: the latest batch before ``before`` (None: the newest),
    then the one before it, and so on. Each batch is oldest first, as Crisp sends it."""
    cursor = before
    while True:
        batch = await fetch(cursor)
        if cursor is not None:
            batch = [m for m in batch if _ts(m) < cursor]
        if not batch:
            return
        yield batch
        cursor = min(_ts(m) for m in batch)

"""Bounded LRU caches for the bubble delegate (Ruqola's mSizeHintCache / mDocumentCache).

``SizeHintCache`` groups entries by fingerprint, so ``invalidate(fingerprint)`` drops every
width and revision of one message in O(1); ``Lru`` is a plain bounded mapping for laid-out
documents. Both count hits and misses, which the tests and the benchmark read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A mapping that forgets its least recently used entry beyond ``capacity``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._entries: OrderedDict[K, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The value without counting a hit or refreshing its age."""
        return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


class SizeHintCache:
    """Row heights keyed by ``(fingerprint, key)``, where ``key`` holds the content revision,
    status, grouping flags and width; LRU over fingerprints."""

    def __init__(self, capacity: int = 4000) -> None:
        self._by_message: Lru[int, dict[Hashable, int]] = Lru(capacity)
        self.hits = 0
        self.misses = 0

    def get(self, fingerprint: int, key: Hashable) -> int | None:
        entries = self._by_message.get(fingerprint)
        height = entries.get(key) if entries is not None else None
        if height is None:
            self.misses += 1
        else:
            self.hits += 1
        return height

    def put(self, fingerprint: int, key: Hashable, height: int) -> None:
        entries = self._by_message.peek(fingerprint)
        if entries is None:
            entries = {}
            self._by_message.put(fingerprint, entries)
        elif len(entries) >= 4:
            entries.clear()  # old widths and revisions of one message are of no more use
        entries[key] = height

    def invalidate(self, fingerprint: int) -> None:
        """Forget one message (it changed, or the row above it did)."""
        self._by_message.pop(fingerprint)

    def clear(self) -> None:
        """Forget everything (the view was resized, or its font or palette changed)."""
        self._by_message.clear()

    def __len__(self) -> int:
        return len(self._by_message)

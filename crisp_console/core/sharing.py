"""Sharing of equal JSON values between conversations, to keep memory per row small.

A conversation's ``meta.device`` (capabilities, geolocation, system, locales) and
``meta.connection`` weigh ~3.5 KB once decoded from JSON, four times everything else in the
row, and they repeat: visitors share browsers, cities and ISPs. Equal values are replaced by
one shared object. Shared values are read-only, like everything the store hands out: the
store itself never mutates them in place (handlers build new dicts).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# A real device's children weigh under 1 KB: a larger value is one visitor's own (or a
# hostile peer's), and pooling it would only pin its JSON text in memory.
MAX_SHARED_JSON = 16 * 1024


class Sharer:
    """Returns a shared copy of equal JSON values; bounded, it stops adding when full, and
    never pools a value whose JSON is over MAX_SHARED_JSON characters."""

    __slots__ = ("_limit", "_pool")

    def __init__(self, limit: int = 50_000) -> None:
        self._pool: dict[str, Any] = {}
        self._limit = limit

    def __len__(self) -> int:
        return len(self._pool)

    def share(self, value: Any) -> Any:
        if not isinstance(value, dict | list) or not value:
            return value
        try:
            key = json.dumps(value, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):  # not JSON (a caller's own object): keep as is
            return value
        hit = self._pool.get(key)
        if hit is not None:
            return hit
        if len(self._pool) < self._limit and len(key) <= MAX_SHARED_JSON:
            self._pool[key] = value
        return value

    def meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """``meta`` with its heavy values shared (in place; ``meta`` must be our own dict)."""
        device = meta.get("device")
        if isinstance(device, Mapping):
            meta["device"] = self.share({k: self.share(v) for k, v in device.items()})
        if "connection" in meta:
            meta["connection"] = self.share(meta["connection"])
        return meta

"""A stand-in for storage/database.py's Database in client tests: one real SQLite file, one
connection on one worker thread, each function in its own transaction (the Database batches
several; nothing here depends on that)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from tests.storage.runner import connect, in_transaction

T = TypeVar("T")


class ThreadRunner:
    """``awrite``/``aread`` as the Database offers them; ``writes`` counts the writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="test-db")
        self._conn = self._pool.submit(connect, path).result()
        self.writes = 0

    async def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self.writes += 1
        return await asyncio.wrap_future(self._pool.submit(in_transaction, self._conn, fn))

    async def aread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.wrap_future(self._pool.submit(in_transaction, self._conn, fn))

    def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Synchronously, for a test's own checks."""
        return self._pool.submit(in_transaction, self._conn, fn).result()

    def close(self) -> None:
        self._pool.submit(self._conn.close).result()
        self._pool.shutdown()

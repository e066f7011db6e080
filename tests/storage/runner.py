"""A real SQLite file with the schema applied, and a function run in a transaction as the
Database runs it (tests/client/db_runner.py runs them off the loop)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from crisp_console.storage import schema

T = TypeVar("T")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` with the schema applied, in autocommit mode."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn)
    return conn


def in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result

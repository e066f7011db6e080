"""Helpers of the database tests: a key, the engines, outbox rows, raw access to a file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crisp_console.storage.database import DB_NAME
from crisp_console.storage.engine import Engine, sqlcipher_engine

KEY = "3b1f0c9a" * 8  # 64 hex digits, as dbkey.py makes them
OTHER_KEY = "d00dfeed" * 8
CIPHER = sqlcipher_engine()
requires_sqlcipher = pytest.mark.skipif(CIPHER is None, reason="no SQLCipher wheel here")


def cipher() -> Engine:
    assert CIPHER is not None
    return CIPHER


def add_outbox(conn: sqlite3.Connection, count: int, *, body_size: int = 20,
               state: str = "queued", start: int = 0) -> None:
    for i in range(start, start + count):
        conn.execute(
            "INSERT INTO outbox (kind, website_id, session_id, fingerprint, body, data, state,"
            " ambiguous, error, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?)",
            ("text", "w1", f"s{i % 3}", 1000 + i,
             json.dumps({"content": "x" * body_size, "n": i}), bytes([i % 256]) * 3, state,
             i % 2, "" if i % 2 else "timeout", 10 + i, 20 + i))


def outbox(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT * FROM outbox ORDER BY id")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, tuple(row), strict=True)) for row in cursor.fetchall()]


def raw(engine: Engine, directory: Path, key: str | None,
        name: str = DB_NAME) -> sqlite3.Connection:
    """A connection of the test's own to a file (no Database around it)."""
    return engine.connect(directory / name, key=key)

"""Schema v2's step (schema.py): the search index's tables (search_index.py), empty, and, when
the file holds cached rows already, a note in ``meta`` that they are owed to the index. The
migration runs while the database opens, so it writes no document: search_backfill.py
indexes those rows in the background, in chunks, once the database is open."""

from __future__ import annotations

import json
import logging
import sqlite3

from crisp_console.storage.search_index import DDL, OWED, script

log = logging.getLogger("crisp_console.storage")


def create(conn: sqlite3.Connection) -> None:
    """Migration v2, inside the migration's transaction. Without FTS5 in this SQLite,
    nothing (logged): the cache works as before and local search finds nothing."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.search_probe USING fts5 (x)")
        conn.execute("DROP TABLE temp.search_probe")
    except Exception as exc:  # noqa: BLE001 - the engine's error class; this SQLite lacks it
        log.warning("this SQLite has no FTS5 (%s): local search is off", exc)
        return
    script(conn, DDL)
    owe(conn)


def owe(conn: sqlite3.Connection) -> None:
    """Record that the cached rows are owed to the (empty) index, from the first: a file
    that holds none owes nothing. The cursor's shape is search_backfill.py's."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM conversations) "
                    "OR EXISTS (SELECT 1 FROM messages)").fetchone()[0]:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value",
                     (OWED, json.dumps({"step": "cards", "after": None, "done": 0})))
        log.info("search index: the cached rows are indexed in the background")

"""Schema v2's step (schema.py): the search index's tables (search_index.py), filled from the
rows the cache holds already, in the migration's transaction: a v1 file is upgraded in place.
A row that does not decode is skipped, logged once."""

from __future__ import annotations

import logging
import sqlite3

from crisp_console.storage import search_docs as docs
from crisp_console.storage.search_index import DDL, INSERT_TEXT, Index, first_rowid, script, text_of

log = logging.getLogger("crisp_console.storage")

_BACKFILL_CHUNK = 200_000  # messages read, sorted by rowid and inserted at a time
_BACKFILL_CACHE_KIB = 65_536  # the page cache while the backfill inserts


def create(conn: sqlite3.Connection) -> None:
    """Migration v2: the tables, then the documents of the rows cached already. Inside the
    migration's transaction. Without FTS5 in this SQLite, nothing (logged): the cache works
    as before and local search finds nothing."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.search_probe USING fts5 (x)")
        conn.execute("DROP TABLE temp.search_probe")
    except Exception as exc:  # noqa: BLE001 - the engine's error class; this SQLite lacks it
        log.warning("this SQLite has no FTS5 (%s): local search is off", exc)
        return
    script(conn, DDL)
    backfill(conn)



def backfill(conn: sqlite3.Connection) -> None:
    """Documents for what the cache holds (an empty index: the migration just made it).
    Messages go in by rowid, a chunk at a time (sorted inserts are twice as fast, and a
    chunk bounds the memory); a row that does not decode is skipped, logged once."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{_BACKFILL_CACHE_KIB}")  # a third faster at 1M
    try:
        _backfill(conn)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def _backfill(conn: sqlite3.Connection) -> None:
    index = Index(conn)
    for row in conn.execute("SELECT session_id, website_id, updated_at, body "
                            "FROM conversations"):
        index.card(tuple(row), {}, ())
    used: set[int] = set()  # rowids given: a million ints, the backfill's largest memory
    chunk: list[tuple[int, str, str, int, int, int, int]] = []
    count = 0
    for sid, fingerprint, timestamp, body in conn.execute(
            "SELECT session_id, fingerprint, timestamp, body FROM messages"):
        doc = index.decode(body, "message")
        found = None if doc is None else docs.message_text(doc)
        if found is None or doc is None:
            continue
        ref = index.ref(sid, make=True)
        assert ref is not None
        chunk.append((first_rowid(timestamp), found[1], index.site(text_of(doc.get("website_id"))),
                      ref, fingerprint, found[0], timestamp))
        if len(chunk) >= _BACKFILL_CHUNK:
            count += _insert(conn, chunk, used)
    count += _insert(conn, chunk, used)
    if count:
        log.info("search index: %d message documents made from the cache", count)


def _insert(conn: sqlite3.Connection, chunk: list[tuple[int, str, str, int, int, int, int]],
            used: set[int]) -> int:
    """Insert a chunk of documents whose rowids are their first ones: sorted, each moved
    past the one before it in the chunk and past those of earlier chunks."""
    chunk.sort()
    rows: list[tuple[int, str, str, int, int, int, int]] = []
    last = -1
    for first, text, site, ref, fingerprint, kind, timestamp in chunk:
        rowid = max(first, last + 1)
        while rowid in used:
            rowid += 1
        used.add(rowid)
        last = rowid
        rows.append((rowid, text, site, ref, fingerprint, kind, timestamp))
    chunk.clear()
    conn.executemany(INSERT_TEXT, rows)
    conn.executemany("INSERT INTO search_messages (ref, fingerprint, doc) VALUES (?, ?, ?)",
                     sorted((ref, fp, rowid) for rowid, _t, _s, ref, fp, _k, _ts in rows))
    return len(rows)

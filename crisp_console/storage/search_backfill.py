"""Filling the search index (search_index.py) from the rows cached before it existed, in the
background, after the database is open.

Schema v2 (search_migration.py) only makes the index's tables and, when the file already
holds rows, records in ``meta`` (key OWED, search_index.py) that they are owed to the index:
a cursor in key order, ``{"step": "cards" | "messages", "after": key | null, "done": rows
visited}``.
``Backfill.run`` then works through them one chunk at a time, each chunk a job of its own on
the database's writer (``Database.awrite``: its own SAVEPOINT in the writer's batch), so the
writer is never held for more than one chunk and ordinary writes go between two chunks.

A chunk reads its rows and writes their documents in the same job, on the writer thread: it
sees the rows as they are now, never a stale copy. The cursor moves in the same job, so it
commits with the chunk's documents: a crash or a close between chunks resumes after the last
one committed. Rows the cache saved meanwhile are indexed by ``save_rows`` already (a message
mapped in ``search_messages``, a conversation with a card): the chunk skips them. Rows
removed meanwhile are gone from the table the chunk reads. Conversations' cards come first
(few: the people found by name at once), then messages in (session_id, fingerprint) order,
each chunk inserted in rowid order (FTS5 flushes its pending data at a rowid out of order).
``clear`` (search_index.py) forgets the debt with the rows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from crisp_console.storage.database import Database, DatabaseClosed
from crisp_console.storage.search_index import OWED, Index, available, first_rowid

log = logging.getLogger("crisp_console.storage")

CHUNK = 500  # rows read per job: some 50 ms of the writer's time
PAUSE = 0.02  # seconds between two jobs: the loop and the other writes get their turn


@dataclass(frozen=True, slots=True)
class Step:
    """What one chunk did."""

    visited: int  # rows read (cards and messages)
    indexed: int  # message documents written
    finished: bool  # nothing more is owed


def owed(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The cursor, or None when nothing is owed."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (OWED,)).fetchone()
    if row is None:
        return None
    try:
        state = json.loads(row[0])
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("step") not in ("cards", "messages"):
        log.warning("search index: the backfill's cursor is unreadable; starting it again")
        return {"step": "cards", "after": None, "done": 0}
    return state


def forgive(conn: sqlite3.Connection) -> None:
    """Nothing is owed any more (finished, or the cache cleared with the index)."""
    conn.execute("DELETE FROM meta WHERE key = ?", (OWED,))


def estimate(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """(rows visited so far, rows in all) while something is owed, else None."""
    state = owed(conn)
    if state is None:
        return None
    total = sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("conversations", "messages"))
    return int(state.get("done") or 0), int(total)


def step(conn: sqlite3.Connection, limit: int = CHUNK) -> Step:
    """One chunk of at most ``limit`` rows after the cursor, and the cursor moved past them:
    run it as one job on the writer (it writes)."""
    state = owed(conn)
    if state is None:
        return Step(0, 0, True)
    if not available(conn):  # a SQLite without FTS5 made v2 without the index
        forgive(conn)
        return Step(0, 0, True)
    index = Index(conn)
    if state["step"] == "cards":
        rows, indexed = _cards(conn, index, state.get("after"), limit), 0
        after: Any = rows[-1][0] if rows else None
    else:
        rows, indexed = _messages(conn, index, state.get("after"), limit)
        after = list(rows[-1][:2]) if rows else None
    done = int(state.get("done") or 0) + len(rows)
    if len(rows) < limit:  # this step is through
        if state["step"] == "messages":
            forgive(conn)
            log.info("search index: the cached rows are all indexed (%d read)", done)
            return Step(len(rows), indexed, True)
        state = {"step": "messages", "after": None, "done": done}
    else:
        state = {"step": state["step"], "after": after, "done": done}
    save_state(conn, state)
    return Step(len(rows), indexed, False)


def _cards(conn: sqlite3.Connection, index: Index, after: Any,
           limit: int) -> list[tuple[Any, ...]]:
    sql = "SELECT session_id, website_id, updated_at, body FROM conversations"
    if isinstance(after, str):
        rows = conn.execute(f"{sql} WHERE session_id > ? ORDER BY session_id LIMIT ?",
                            (after, limit)).fetchall()
    else:
        rows = conn.execute(f"{sql} ORDER BY session_id LIMIT ?", (limit,)).fetchall()
    for row in rows:
        ref = index.ref(row[0])
        if ref is not None and conn.execute("SELECT 1 FROM search_cards WHERE rowid = ?",
                                            (ref,)).fetchone() is not None:
            continue  # carded by save_rows meanwhile: as it is now
        index.card(tuple(row), {}, ())
    return [tuple(row) for row in rows]


def _messages(conn: sqlite3.Connection, index: Index, after: Any,
              limit: int) -> tuple[list[tuple[Any, ...]], int]:
    sql = "SELECT session_id, fingerprint, timestamp, body FROM messages"
    if isinstance(after, list) and len(after) == 2:
        rows = conn.execute(f"{sql} WHERE (session_id, fingerprint) > (?, ?) "
                            "ORDER BY session_id, fingerprint LIMIT ?",
                            (after[0], after[1], limit)).fetchall()
    else:
        rows = conn.execute(f"{sql} ORDER BY session_id, fingerprint LIMIT ?",
                            (limit,)).fetchall()
    todo = []
    for sid, fingerprint, timestamp, body in rows:
        ref = index.ref(sid)
        if ref is not None and conn.execute(
                "SELECT 1 FROM search_messages WHERE ref = ? AND fingerprint = ?",
                (ref, fingerprint)).fetchone() is not None:
            continue  # indexed by save_rows meanwhile: as it is now
        todo.append((first_rowid(timestamp), sid, fingerprint, timestamp, body))
    todo.sort(key=lambda doc: doc[:3])
    indexed = sum(index.message(sid, fp, ts, body) for _first, sid, fp, ts, body in todo)
    return [tuple(row) for row in rows], indexed


def save_state(conn: sqlite3.Connection, state: dict[str, Any]) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (OWED, json.dumps(state, separators=(",", ":"))))


class Backfill:
    """The backfill of one open database, run once as an owned task (client/local.py);
    ``done``/``total`` say how far (rows), ``indexing`` whether it is still owed;
    ``on_chunk`` is called on the loop after each chunk, ``ended`` is set when ``run``
    returns, whatever the reason."""

    def __init__(self, database: Database, *, chunk: int = CHUNK, pause: float = PAUSE,
                 on_chunk: Callable[[Backfill], None] | None = None) -> None:
        self.database = database
        self.chunk = max(1, chunk)
        self.pause = pause
        self.on_chunk = on_chunk
        self.ended = asyncio.Event()
        self.done = 0  # rows read, this run and earlier ones
        self.total = 0  # rows in the cache when this run started: an estimate
        self.indexed = 0  # message documents written by this run
        self.indexing = True  # until run() finds nothing (more) owed
        self.chunks = 0  # jobs run by this run

    async def run(self) -> int:
        """Index what is owed, a chunk per job, ``pause`` between two; returns the message
        documents written. Cancelling it stops between two chunks (one queued or running
        still commits, cursor and all); a failing chunk stops it (logged): the next start
        resumes."""
        db = self.database
        try:
            progress = await db.aread(estimate)
            if progress is None:
                self.indexing = False
                return 0
            self.done, self.total = progress
            log.info("search index: indexing %d cached rows in the background", self.total)
            while True:
                await asyncio.sleep(self.pause)
                result = await db.awrite(partial(step, limit=self.chunk))
                self.chunks += 1
                self.done += result.visited
                self.indexed += result.indexed
                if result.finished:
                    self.indexing = False
                    self.total = max(self.total, self.done)
                if self.on_chunk is not None:
                    self.on_chunk(self)
                if result.finished:
                    return self.indexed
        except DatabaseClosed:
            log.info("search index: the backfill stops with the database")
        except db.engine.Error as exc:
            log.warning("search index: the backfill stopped (%s); it resumes at the next "
                        "start", exc)
        finally:
            self.ended.set()
        return self.indexed

"""The per-account database's schema and its migrations.

``PRAGMA user_version`` is the schema version. ``MIGRATIONS[n]`` takes a database at version
``n`` to ``n + 1``; ``migrate()`` runs the ones a file still needs, each in its own
transaction, so a crash mid-way leaves the last completed version. A file newer than this
program (an older console opened after a newer one) is refused, never rewritten.

v2 adds the local search index (search_index.py: FTS5 tables kept in step by the cache),
empty (search_migration.py): the rows cached already are indexed in the background once the
database is open (search_backfill.py), so an upgrade opens at once whatever the cache holds.

Model rows keep their model's fields as JSON (``body``, codec.py) beside the columns that
are queried or ordered on. The outbox keeps what an outgoing action needs to be sent again
(outbox.py). Nothing secret is stored: no token, no database key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from crisp_console.storage import search_migration

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNew(Exception):
    """The file was written by a newer console than this one."""


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run each statement of ``sql`` inside the caller's transaction (``executescript``
    would commit it first). No semicolon may stand in a comment."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    _script(conn, """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL                         -- JSON
        );
        CREATE TABLE websites (
            website_id TEXT PRIMARY KEY,
            body TEXT NOT NULL
        );
        CREATE TABLE operators (
            user_id TEXT PRIMARY KEY,
            body TEXT NOT NULL
        );
        CREATE TABLE conversations (
            session_id TEXT PRIMARY KEY,
            website_id TEXT NOT NULL,
            updated_at INTEGER NOT NULL,                -- ms, Crisp's: eviction order
            body TEXT NOT NULL
        );
        CREATE INDEX conversations_updated ON conversations (updated_at);
        CREATE TABLE messages (
            session_id TEXT NOT NULL,
            fingerprint INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (session_id, fingerprint)
        ) WITHOUT ROWID;
        CREATE INDEX messages_time ON messages (session_id, timestamp);
        CREATE TABLE timelines (
            session_id TEXT PRIMARY KEY,
            loaded INTEGER NOT NULL,
            cursor INTEGER,                             -- the history cursor, ms
            at_start INTEGER NOT NULL,
            fetched_at INTEGER NOT NULL                 -- ms, our clock: freshness
        );
        CREATE TABLE people (
            people_id TEXT PRIMARY KEY,
            website_id TEXT NOT NULL,
            body TEXT NOT NULL,
            fetched_at INTEGER NOT NULL
        );
        CREATE TABLE drafts (
            session_id TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            mode TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,       -- the order actions are sent in
            kind TEXT NOT NULL,                         -- text, note, file, edit, state...
            website_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            fingerprint INTEGER,                        -- messages and edits
            body TEXT NOT NULL,                         -- JSON: what the request needs
            data BLOB,                                  -- a file's bytes until uploaded
            state TEXT NOT NULL,                        -- queued, sending, sent, failed
            ambiguous INTEGER NOT NULL DEFAULT 0,       -- may be stored: read before posting
            error TEXT NOT NULL DEFAULT '',
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL
        );
        CREATE INDEX outbox_conversation ON outbox (session_id, id);
    """)


def _v2(conn: sqlite3.Connection) -> None:
    search_migration.create(conn)


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection,
            migrations: Sequence[Migration] = MIGRATIONS) -> tuple[int, int]:
    """Bring ``conn`` to ``len(migrations)``; returns (version before, version after).
    ``conn`` must be in autocommit mode (``isolation_level=None``)."""
    target = len(migrations)
    before = current = version(conn)
    if current > target:
        raise SchemaTooNew(f"the local database is version {current}; this console knows "
                           f"{target}")
    while current < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[current](conn)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current += 1
    return before, current

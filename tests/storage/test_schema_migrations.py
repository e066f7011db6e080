"""schema.migrate: each step in its own transaction, on a real SQLCipher file; a failing step
leaves the last completed version; a newer file is refused, never rewritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crisp_console.storage import schema
from crisp_console.storage.database import open_database
from tests.storage.dbutil import KEY, cipher, raw, requires_sqlcipher

pytestmark = requires_sqlcipher


N = schema.SCHEMA_VERSION  # this program's version; the steps below come after it


def later(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE drafts ADD COLUMN caret INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE drafts SET caret = length(text)")


def later_fails(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    raise RuntimeError("the step after failed")


def tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_new_file_is_made_at_the_current_version(tmp_path: Path) -> None:
    with open_database(tmp_path, KEY, engine=cipher()) as db:
        version = db.read(schema.version).result()
        names = db.read(tables).result()
    assert version == schema.SCHEMA_VERSION == len(schema.MIGRATIONS)
    assert {"meta", "websites", "operators", "conversations", "messages", "timelines",
            "people", "drafts", "outbox"} <= names


def test_steps_run_in_order_keep_the_data_and_stop_at_a_failure(tmp_path: Path) -> None:
    with open_database(tmp_path, KEY, engine=cipher()) as db:
        db.write(lambda c: c.execute(
            "INSERT INTO drafts VALUES ('s1', 'four', 'reply', 1)")).result()
    conn = raw(cipher(), tmp_path, KEY)
    assert schema.migrate(conn, [*schema.MIGRATIONS, later]) == (N, N + 1)
    assert tuple(conn.execute("SELECT text, caret FROM drafts").fetchone()) == ("four", 4)
    assert schema.migrate(conn, [*schema.MIGRATIONS, later]) == (N + 1, N + 1)  # nothing left

    with pytest.raises(RuntimeError, match="the step after"):
        schema.migrate(conn, [*schema.MIGRATIONS, later, later_fails])
    assert schema.version(conn) == N + 1 and "half_done" not in tables(conn)
    assert not conn.in_transaction

    with pytest.raises(schema.SchemaTooNew, match=f"version {N + 1}"):
        schema.migrate(conn)  # this program knows version N only
    assert schema.version(conn) == N + 1
    conn.close()


def test_a_migration_runs_from_version_zero_in_one_go(tmp_path: Path) -> None:
    conn = cipher().connect(tmp_path / "old.db", key=KEY)
    assert schema.migrate(conn, [*schema.MIGRATIONS, later]) == (0, N + 1)
    assert "caret" in {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
    conn.close()

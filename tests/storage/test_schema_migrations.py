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


def v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE drafts ADD COLUMN caret INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE drafts SET caret = length(text)")


def v3_fails(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    raise RuntimeError("step 3 failed")


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
    assert schema.migrate(conn, [*schema.MIGRATIONS, v2]) == (1, 2)
    assert tuple(conn.execute("SELECT text, caret FROM drafts").fetchone()) == ("four", 4)
    assert schema.migrate(conn, [*schema.MIGRATIONS, v2]) == (2, 2)  # nothing left to do

    with pytest.raises(RuntimeError, match="step 3"):
        schema.migrate(conn, [*schema.MIGRATIONS, v2, v3_fails])
    assert schema.version(conn) == 2 and "half_done" not in tables(conn)
    assert not conn.in_transaction

    with pytest.raises(schema.SchemaTooNew, match="version 2"):
        schema.migrate(conn)  # this program knows version 1 only
    assert schema.version(conn) == 2
    conn.close()


def test_a_migration_runs_from_version_zero_in_one_go(tmp_path: Path) -> None:
    conn = cipher().connect(tmp_path / "old.db", key=KEY)
    assert schema.migrate(conn, [*schema.MIGRATIONS, v2]) == (0, 2)
    assert "caret" in {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
    conn.close()

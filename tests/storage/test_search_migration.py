"""Schema v2 on files written by a console without the index: a v1 file is upgraded in place
without a document written (the database opens at once), and its cached rows are searchable
once the background backfill has run (search_backfill.py); a file the console cannot use is
still set aside by the salvage logic, and the fresh one has a working (empty) index."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from crisp_console.storage import schema
from crisp_console.storage.cache import Batch, save_rows
from crisp_console.storage.database import DB_NAME, StorageMode, open_database
from crisp_console.storage.engine import STDLIB, Engine
from crisp_console.storage.search import LocalSearch
from crisp_console.storage.search_backfill import Backfill, owed
from tests.storage.dbutil import KEY, add_outbox, cipher, outbox, requires_sqlcipher
from tests.storage.searchutil import BASE, conv, keys, msg, person

ENGINES = ["plain", pytest.param("encrypted", marks=requires_sqlcipher)]


def engine_key(name: str) -> tuple[Engine, str | None]:
    return (STDLIB, None) if name == "plain" else (cipher(), KEY)


def v1_file(folder: Path, engine: Engine, key: str | None) -> None:
    """A file as the console before the index wrote it: schema v1, rows saved by save_rows,
    one message row that does not decode, one queued outbox row."""
    folder.mkdir(exist_ok=True)
    conn = engine.connect(folder / DB_NAME, key=key)
    conn.execute("PRAGMA journal_mode = WAL")
    assert schema.migrate(conn, schema.MIGRATIONS[:1]) == (0, 1)
    conn.execute("BEGIN")
    save_rows(conn, Batch(
        people=[person("p1", notepad="prefers phone calls")],
        conversations=[conv("s1", nickname="Łukasz Nowak", email="lukasz@example.pl",
                            people_id="p1"),
                       conv("s2", nickname="Amara", updated_at=BASE + 5)],
        messages=[msg("s1", 1, "Where is my refund?"),
                  msg("s1", 2, "Refund approved by finance.", kind="note", from_="operator"),
                  msg("s2", 3, {"name": "invoice-2291.pdf", "url": "https://f.example/i.pdf",
                                "type": "application/pdf"}, kind="file"),
                  *(msg("s2", 10 + i, f"same second {i}", ts=BASE) for i in range(40)),
                  ("s2", 99, BASE, "{damaged")]))
    add_outbox(conn, 1)
    conn.execute("COMMIT")
    assert conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search%'"
                        ).fetchall() == []
    conn.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ENGINES)
async def test_a_v1_file_is_upgraded_in_place_and_its_rows_found(
        tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture) -> None:
    engine, key = engine_key(name)
    v1_file(tmp_path, engine, key)
    with caplog.at_level(logging.INFO):
        db = open_database(tmp_path, key, engine=engine)
    assert db.notices == () or db.mode is StorageMode.PLAIN  # not set aside: upgraded
    assert db.read(schema.version).result() == schema.SCHEMA_VERSION == 2
    assert len(db.read(outbox).result()) == 1
    search = LocalSearch.open(db, key)
    assert search.separate
    try:
        # The migration made the tables and wrote no document: the rows are owed.
        assert db.read(indexed).result() == (0, 0, 0)
        assert db.read(owed).result() == {"step": "cards", "after": None, "done": 0}
        assert await search.search("refund") == []
        backfill = Backfill(db, chunk=7, pause=0)
        search.backfill = backfill
        assert search.indexing
        assert await backfill.run() == 43
        assert not search.indexing and backfill.done == backfill.total == 2 + 44
        assert db.read(owed).result() is None
        hits = await search.search("refund")
        assert {(h.session_id, h.fingerprint, h.field) for h in hits} == {
            ("s1", 1, "message"), ("s1", 2, "note")}
        assert keys(await search.search("lukasz")) == [("s1", None)]  # Ł folds to l
        assert [h.field for h in await search.search("phone calls")] == ["notepad"]
        assert keys(await search.search("invoice-2291")) == [("s2", 3)]
        assert len(await search.search("same second", limit=100)) == 3  # per conversation
        counted = db.read(lambda c: c.execute(
            "SELECT count(*), count(DISTINCT rowid) FROM search_text").fetchone()).result()
        assert tuple(counted) == (43, 43)  # the damaged row skipped, the burst all there
    finally:
        search.close()
        db.close()
    skipped = [r for r in caplog.records if "does not decode" in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].levelno == logging.WARNING
    assert any("migrated from version 1 to 2" in r.getMessage() for r in caplog.records)
    assert KEY not in caplog.text


def indexed(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Documents of messages, their map, cards."""
    text, mapped, cards = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                           for t in ("search_text", "search_messages", "search_cards"))
    return text, mapped, cards


@pytest.mark.parametrize("name", ENGINES)
def test_a_failing_migration_rolls_back_to_v1_and_the_file_is_set_aside(
        tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The migration runs in one transaction: a v2 step that fails leaves the v1 file as it
    was, and the salvage logic sets it aside with its outbox, as for any failed migration."""
    engine, key = engine_key(name)
    v1_file(tmp_path, engine, key)
    from crisp_console.storage import search_migration

    def broken(conn: sqlite3.Connection) -> None:
        if conn.execute("SELECT count(*) FROM messages").fetchone()[0]:  # not a fresh file
            raise ValueError("v2 failed")

    monkeypatch.setattr(search_migration, "owe", broken)
    db = open_database(tmp_path, key, engine=engine, clock=lambda: 1_796_602_500.0)
    try:
        assert "updating it to this version failed" in " ".join(db.notices)
        assert len(db.salvaged_outbox) == 1 and len(db.read(outbox).result()) == 1
        assert db.read(schema.version).result() == 2  # the fresh file
    finally:
        db.close()
    aside = next(p for p in tmp_path.iterdir() if ".unreadable-" in p.name
                 and not p.name.endswith(("-wal", "-shm")))
    old = engine.connect(aside, key=key)
    assert schema.version(old) == 1  # left as it was
    old.close()


@pytest.mark.asyncio
@requires_sqlcipher
async def test_a_damaged_file_is_set_aside_and_the_fresh_one_searchable(
        tmp_path: Path) -> None:
    engine = cipher()
    v1_file(tmp_path, engine, KEY)
    with (tmp_path / DB_NAME).open("r+b") as f:
        f.seek(100)
        f.write(b"\xde\xad\xbe\xef" * 16)  # the first page: the file cannot be read
    db = open_database(tmp_path, KEY, engine=engine, clock=lambda: 1_796_602_500.0)
    search = LocalSearch.open(db, KEY)
    try:
        assert db.mode is StorageMode.ENCRYPTED and "moved aside" in db.notices[0]
        assert await search.search("refund") == []
        db.write(lambda c: save_rows(c, Batch(conversations=[conv("s9")],
                                              messages=[msg("s9", 1, "a new refund")]))
                 ).result()
        assert keys(await search.search("refund")) == [("s9", 1)]
    finally:
        search.close()
        db.close()


@pytest.mark.asyncio
async def test_memory_databases_have_the_index_too() -> None:
    db = open_database(None, None)
    search = LocalSearch.open(db, None)
    try:
        assert db.mode is StorageMode.MEMORY and not search.separate
        db.write(lambda c: save_rows(c, Batch(messages=[msg("s1", 1, "offline refund")]))
                 ).result()
        assert keys(await search.search("refund")) == [("s1", 1)]
    finally:
        search.close()
        db.close()

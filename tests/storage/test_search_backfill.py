"""The search index's backfill (search_backfill.py): a v1 file upgraded to v2 opens with an
empty index and its cached rows owed; chunks on the writer then index them, resumably, and
whatever the cache does between two chunks (saves, edits, removals, eviction, clear), the index
ends up as a fresh index of the rows as they are. Driven chunk by chunk: no clock."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from crisp_console.storage import eviction, schema, search_index
from crisp_console.storage.cache import META_KEYS, Batch, save_rows
from crisp_console.storage.database import DB_NAME, Database, open_database
from crisp_console.storage.engine import STDLIB, Engine
from crisp_console.storage.search import LocalSearch
from crisp_console.storage.search_backfill import Backfill, Step, owed, save_state, step
from crisp_console.storage.search_docs import CARD_COLUMNS
from tests.storage.dbutil import KEY, cipher, requires_sqlcipher
from tests.storage.searchutil import BASE, conv, keys, msg, person, save

ENGINES = ["plain", pytest.param("encrypted", marks=requires_sqlcipher)]
SESSIONS = [f"s{n}" for n in range(6)]


def rows() -> Batch:
    """Six conversations (one with a profile), ten messages each: one without text, the
    rest with a word of their own ("w<session><n>") and one they share ("parcel")."""
    messages = []
    for i, sid in enumerate(SESSIONS):
        messages += [msg(sid, fp, f"parcel w{i}x{fp}", ts=BASE + fp * 1000) for fp in range(9)]
        messages.append(msg(sid, 50, {"url": "https://x.example/a.png"}, kind="animation"))
    return Batch(people=[person("p1", notepad="prefers phone calls")],
                 conversations=[conv(sid, nickname=f"visitor {sid}",
                                     people_id="p1" if sid == "s2" else "")
                                for sid in SESSIONS],
                 messages=messages)


def v1_file(folder: Path, engine: Engine, key: str | None, batch: Batch) -> None:
    conn = engine.connect(folder / DB_NAME, key=key)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, schema.MIGRATIONS[:1])
    conn.execute("BEGIN")
    save_rows(conn, batch)  # no index in v1: the rows only
    conn.execute("COMMIT")
    conn.close()


def opened(folder: Path, name: str = "plain") -> Database:
    if name == "plain":
        return open_database(folder, None, engine=STDLIB)
    return open_database(folder, KEY, engine=cipher())


def upgraded(folder: Path, name: str = "plain", batch: Batch | None = None) -> Database:
    v1_file(folder, STDLIB if name == "plain" else cipher(), None if name == "plain" else KEY,
            rows() if batch is None else batch)
    return opened(folder, name)


def chunk(db: Database, limit: int = 4) -> Step:
    return db.write(partial(step, limit=limit)).result()


def chunks_until(db: Database, predicate: Any, limit: int = 4) -> None:
    """Chunks until ``predicate(owed state)`` holds (it must, before the end)."""
    while not predicate(db.read(owed).result()):
        assert not chunk(db, limit).finished


def finish(db: Database, limit: int = 4) -> int:
    steps = 0
    while not chunk(db, limit).finished:
        steps += 1
    return steps


def documents(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every message document by its session and fingerprint (rowids and refs left out)."""
    return sorted(tuple(r) for r in conn.execute(
        "SELECT s.session_id, t.fingerprint, t.body, t.kind, t.timestamp, w.website_id "
        "FROM search_text t JOIN search_sessions s ON s.ref = t.ref "
        "JOIN search_websites w ON 's' || w.site = t.site"))


def cards(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in conn.execute(
        f"SELECT s.session_id, {', '.join('c.' + c for c in CARD_COLUMNS)} "  # noqa: S608
        "FROM search_cards c JOIN search_sessions s ON s.ref = c.rowid"))


def consistent(conn: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The index's documents and cards, after checking that each document is mapped once."""
    text = conn.execute("SELECT count(*) FROM search_text").fetchone()[0]
    mapped = conn.execute("SELECT count(*) FROM search_messages m JOIN search_text t "
                          "ON t.rowid = m.doc").fetchone()[0]
    assert text == mapped == conn.execute("SELECT count(*) FROM search_messages").fetchone()[0]
    docs = documents(conn)
    assert len(docs) == len({d[:2] for d in docs})  # no message twice
    return docs, cards(conn)


def as_fresh(conn: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """What an index made now, by save_rows, of the rows the file holds would hold."""
    batch = Batch(
        people=[tuple(r) for r in conn.execute(  # type: ignore[misc]
            "SELECT people_id, website_id, body, fetched_at FROM people")],
        conversations=[tuple(r) for r in conn.execute(  # type: ignore[misc]
            "SELECT session_id, website_id, updated_at, body FROM conversations")],
        messages=[tuple(r) for r in conn.execute(  # type: ignore[misc]
            "SELECT session_id, fingerprint, timestamp, body FROM messages")])
    with open_database(None, None) as fresh:
        fresh.write(partial(save_rows, batch=batch)).result()
        return fresh.read(consistent).result()


def assert_complete(db: Database) -> None:
    assert db.read(owed).result() is None
    assert db.read(consistent).result() == db.read(as_fresh).result()


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ENGINES)
async def test_the_migration_writes_no_document_and_the_chunks_index_everything(
        tmp_path: Path, name: str) -> None:
    db = upgraded(tmp_path, name)
    search = LocalSearch.open(db, None if name == "plain" else KEY)
    try:
        assert db.read(consistent).result() == ([], [])  # opened without indexing a row
        assert await search.search("w3x4") == []
        visited = []
        while not (done := chunk(db, 4)).finished:
            visited.append(done.visited)
            assert 0 < done.visited <= 4  # bounded: the writer is held for a chunk at most
        assert sum(visited) + done.visited == 6 + 60
        assert keys(await search.search("w3x4")) == [("s3", 4)]
        assert [h.field for h in await search.search("phone calls")] == ["notepad"]
        assert db.read(documents).result()[0][:3] == ("s0", 0, "parcel w0x0")
        assert_complete(db)
        assert chunk(db).finished  # nothing more owed: a no-op
    finally:
        search.close()
        db.close()


def test_a_close_or_a_failed_chunk_resumes_where_it_stopped_without_duplicates(
        tmp_path: Path) -> None:
    db = upgraded(tmp_path)
    chunks_until(db, lambda s: s["step"] == "messages" and s["after"] is not None)
    chunk(db)
    state = db.read(owed).result()
    assert state["after"][0] == "s0" and state["done"] == 6 + 8
    indexed = len(db.read(documents).result())

    def fails_after_a_chunk(conn: sqlite3.Connection) -> None:
        step(conn, 4)
        raise RuntimeError("killed mid-chunk")  # its work and its cursor roll back together

    with pytest.raises(RuntimeError):
        db.write(fails_after_a_chunk).result()
    assert db.read(owed).result() == state
    assert len(db.read(documents).result()) == indexed
    db.close()  # a close (or a crash: only what committed counts) between two chunks

    again = opened(tmp_path)
    try:
        assert again.read(owed).result() == state  # the cursor came back with the file
        finish(again, 7)
        assert_complete(again)
    finally:
        again.close()


def test_rows_saved_changed_or_removed_between_chunks_are_indexed_as_they_are(
        tmp_path: Path) -> None:
    db = upgraded(tmp_path)
    try:
        chunks_until(db, lambda s: s["step"] == "messages"
                     and (s["after"] or [""])[0] == "s2")
        cursor = db.read(owed).result()["after"]
        assert cursor == ["s2", 3]  # s0, s1 and part of s2 behind it; the rest ahead
        save(db,
             # edited: behind the cursor (indexed already) and ahead of it (not yet)
             messages=[msg("s1", 3, "parcel edited behind"), msg("s4", 3, "edited ahead"),
                       msg("s2", 7, "edited next in line"),
                       # new, behind and ahead; a new conversation ahead
                       msg("s0", 77, "new behind"), msg("s5", 77, "new ahead"),
                       msg("s9", 1, "another new one")],
             conversations=[conv("s9", nickname="newcomer"),
                            conv("s4", nickname="renamed ahead")],
             gone_messages=[("s0", 2), ("s4", 6), ("s2", 8)],  # behind, ahead, next
             people=[person("p1", notepad="prefers email now")])
        save(db, gone_timelines=["s3"])  # a whole timeline ahead, its card kept
        finish(db, 3)
        assert_complete(db)
        docs = db.read(documents).result()
        assert ("s4", 3, "edited ahead") in [d[:3] for d in docs]
        assert not [d for d in docs if d[0] == "s3" or d[:2] in {("s4", 6), ("s2", 8)}]
        assert db.read(cards).result()  # the cards of the rows as they are
    finally:
        db.close()


def test_eviction_and_clear_during_a_backfill(tmp_path: Path) -> None:
    db = upgraded(tmp_path)
    try:
        chunks_until(db, lambda s: s["step"] == "messages"
                     and (s["after"] or [""])[0] == "s3")
        db.write(partial(eviction.drop_conversations, session_ids=["s1", "s4"])).result()
        finish(db)
        assert_complete(db)
        assert not [d for d in db.read(documents).result() if d[0] in ("s1", "s4")]

        # The cache cleared mid-backfill: the debt goes with the rows.
        db.write(partial(save_state, state={"step": "messages", "after": ["s2", 0],
                                            "done": 1})).result()
        db.write(partial(eviction.clear, meta_keys=META_KEYS)).result()
        assert db.read(owed).result() is None
        assert chunk(db).finished
        save(db, conversations=[conv("s7")], messages=[msg("s7", 1, "after the clear")])
        assert_complete(db)
    finally:
        db.close()


@pytest.mark.asyncio
async def test_the_background_run_stops_cleanly_midway_and_the_next_run_finishes(
        tmp_path: Path) -> None:
    db = upgraded(tmp_path)
    two = asyncio.Event()
    backfill = Backfill(db, chunk=3, pause=0,
                        on_chunk=lambda b: two.set() if b.chunks >= 2 else None)
    task = asyncio.get_running_loop().create_task(backfill.run(), name="search-backfill")
    await two.wait()
    assert backfill.indexing and 0 < backfill.done < backfill.total == 66
    task.cancel()  # as close_local's TaskOwner does: cancelled and awaited before the close
    await asyncio.gather(task, return_exceptions=True)
    assert backfill.ended.is_set() and backfill.indexing
    db.close()

    again = opened(tmp_path)
    try:
        resumed = Backfill(again, chunk=5, pause=0)
        await resumed.run()
        assert not resumed.indexing and resumed.done == resumed.total == 66
        assert_complete(again)
    finally:
        again.close()


@pytest.mark.asyncio
async def test_memory_databases_and_files_without_the_index_owe_nothing(
        tmp_path: Path) -> None:
    with open_database(None, None) as memory:
        backfill = Backfill(memory, pause=0)
        assert await backfill.run() == 0
        assert not backfill.indexing and backfill.chunks == 0 and backfill.ended.is_set()

    db = upgraded(tmp_path)  # as a SQLite without FTS5 would leave it: no index tables
    try:
        def no_index(conn: sqlite3.Connection) -> None:
            for table in search_index.TABLES:
                conn.execute(f"DROP TABLE {table}")
        db.write(no_index).result()
        assert db.read(owed).result() is not None
        assert await Backfill(db, pause=0).run() == 0
        assert db.read(owed).result() is None
        save(db, messages=[msg("s0", 99, "still cached")])  # the cache works as before
    finally:
        db.close()

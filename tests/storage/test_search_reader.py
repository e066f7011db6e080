"""The search's own read connection: a search does not wait for the writer's transaction, a
cancelled search is interrupted, nothing can be written through it, and closing it lets the
files go. In memory, the search reads through the database."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from crisp_console.storage import search_rank
from crisp_console.storage.cache import Batch, save_rows
from crisp_console.storage.database import delete_database, open_database
from crisp_console.storage.search import LocalSearch
from tests.storage.conftest import open_mode
from tests.storage.dbutil import KEY, OTHER_KEY, cipher, requires_sqlcipher
from tests.storage.searchutil import conv, keys, msg, save

FILES = ["plain", pytest.param("encrypted", marks=requires_sqlcipher)]
WAIT = 30.0  # seconds before a test that would otherwise hang fails; never a measure


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", FILES)
async def test_a_search_runs_while_the_writer_holds_a_large_batch(
        tmp_path: Path, mode: str) -> None:
    db, key = open_mode(mode, tmp_path)
    search = LocalSearch.open(db, key)
    assert search.separate
    save(db, conversations=[conv("s1")], messages=[msg("s1", 1, "refund please")])
    big = Batch(conversations=[conv("s2")],
                messages=[msg("s2", 100 + i, f"refund number {i}") for i in range(2000)])
    inside, release = threading.Event(), threading.Event()

    def large_write(conn: sqlite3.Connection) -> None:
        save_rows(conn, big)  # written, not committed: the writer holds its transaction
        inside.set()
        assert release.wait(WAIT)

    writing = db.write(large_write)
    try:
        assert await asyncio.to_thread(inside.wait, WAIT)
        hits = await asyncio.wait_for(search.search("refund"), WAIT)
        assert keys(hits) == [("s1", 1)]  # what is committed, at once
        assert not writing.done()
    finally:
        release.set()
    writing.result(timeout=WAIT)
    assert "s2" in {h.session_id for h in await search.search("refund")}
    search.close()
    db.close()


@pytest.mark.asyncio
async def test_in_memory_the_search_reads_through_the_database() -> None:
    db, _ = open_mode("memory", Path())
    search = LocalSearch.open(db, None)
    assert not search.separate
    inside, release = threading.Event(), threading.Event()

    def holding(conn: sqlite3.Connection) -> None:
        save_rows(conn, Batch(conversations=[conv("s1")],
                              messages=[msg("s1", 1, "refund please")]))
        inside.set()
        assert release.wait(WAIT)

    writing = db.write(holding)
    assert await asyncio.to_thread(inside.wait, WAIT)
    searching = asyncio.ensure_future(search.search("refund"))
    release.set()  # the search was queued behind the write: it sees it
    assert keys(await asyncio.wait_for(searching, WAIT)) == [("s1", 1)]
    writing.result(timeout=WAIT)
    search.close()
    db.close()


@pytest.mark.asyncio
async def test_a_cancelled_search_is_interrupted_and_the_next_one_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, key = open_mode("plain", tmp_path)
    search = LocalSearch.open(db, key)
    save(db, conversations=[conv("s1")], messages=[msg("s1", 1, "refund please")])
    started = threading.Event()
    real = search_rank.run

    def endless(conn: sqlite3.Connection, **_: Any) -> list[Any]:
        started.set()
        conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                     "SELECT count(*) FROM c").fetchone()
        return []

    monkeypatch.setattr(search_rank, "run", endless)
    running = asyncio.ensure_future(search.search("anything"))
    assert await asyncio.to_thread(started.wait, WAIT)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    monkeypatch.setattr(search_rank, "run", real)
    # The endless query was interrupted: the one worker is free for the next keystroke.
    assert keys(await asyncio.wait_for(search.search("refund"), WAIT)) == [("s1", 1)]
    search.close()
    db.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", FILES)
async def test_the_read_connection_cannot_write(
        tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    db, key = open_mode(mode, tmp_path)
    search = LocalSearch.open(db, key)

    def writes(conn: sqlite3.Connection, **_: Any) -> list[Any]:
        conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
        return []

    monkeypatch.setattr(search_rank, "run", writes)
    with caplog.at_level(logging.WARNING):
        assert await search.search("anything") == []
    assert "local search failed" in caplog.text
    assert db.read(lambda c: c.execute("SELECT count(*) FROM meta").fetchone()[0]
                   ).result() == 0
    search.close()
    db.close()


@pytest.mark.asyncio
@requires_sqlcipher
async def test_a_reader_that_cannot_open_reads_through_the_database_and_logs_no_key(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = open_database(tmp_path, KEY, engine=cipher())
    with caplog.at_level(logging.DEBUG):
        search = LocalSearch.open(db, OTHER_KEY)  # not the file's key
        assert not search.separate
        save(db, conversations=[conv("s1")], messages=[msg("s1", 1, "refund please")])
        assert keys(await search.search("refund")) == [("s1", 1)]
    assert "reads through the writer" in caplog.text
    assert KEY not in caplog.text and OTHER_KEY not in caplog.text
    search.close()
    db.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", FILES)
async def test_closing_lets_the_files_go(tmp_path: Path, mode: str) -> None:
    db, key = open_mode(mode, tmp_path)
    search = LocalSearch.open(db, key)
    save(db, conversations=[conv("s1")], messages=[msg("s1", 1, "refund please")])
    assert keys(await search.search("refund")) == [("s1", 1)]
    await search.aclose()
    await search.aclose()  # idempotent
    assert await search.search("refund") == []
    db.close()
    delete_database(tmp_path)  # sign-out: nothing of the database left
    assert not tmp_path.exists()

"""Database: the modes (SQLCipher file, plain file, memory), the writer thread's batches and
savepoints, close, size, the account folder and its deletion. Real files, real SQLCipher."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from crisp_console.storage.database import (
    DB_NAME,
    DatabaseClosed,
    StorageMode,
    account_dir,
    delete_database,
    open_database,
)
from crisp_console.storage.engine import STDLIB
from tests.storage.dbutil import KEY, cipher, requires_sqlcipher

MARKER = "PLAINTEXT-MARKER-ünïcødé-2f6a"


def insert_draft(sid: str, text: str = "hello") -> Callable[[sqlite3.Connection], None]:
    def fn(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO drafts VALUES (?, ?, 'reply', 1)", (sid, text))
    return fn


def draft_ids(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT session_id FROM drafts ORDER BY 1")]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@requires_sqlcipher
def test_encrypted_file_holds_no_plaintext_and_is_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "accounts" / "a1"
    db = open_database(folder, KEY, engine=cipher())
    assert db.mode is StorageMode.ENCRYPTED and db.path == folder / DB_NAME
    assert db.notices == ()
    db.write(insert_draft("s1", MARKER)).result()
    wal = folder / f"{DB_NAME}-wal"
    for path in (db.path, wal, folder / f"{DB_NAME}-shm"):
        assert mode_of(path) == 0o600, path
    assert mode_of(folder) == 0o700
    assert MARKER.encode() not in wal.read_bytes()
    assert db.size_bytes() > 0
    db.close()
    data = db.path.read_bytes()
    assert MARKER.encode() not in data and b"SQLite format 3" not in data[:16]
    assert b"drafts" not in data  # the schema is encrypted too

    again = open_database(folder, KEY, engine=cipher())
    assert again.read(draft_ids).result() == ["s1"]
    assert again.read(lambda c: c.execute("SELECT text FROM drafts").fetchone()[0]
                      ).result() == MARKER
    journal = again.read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]).result()
    sync = again.read(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]).result()
    assert (journal, sync) == ("wal", 2)  # 2: FULL
    again.close()


def test_plain_fallback_without_sqlcipher(tmp_path: Path) -> None:
    folder = tmp_path / "a1"
    db = open_database(folder, None, engine=STDLIB)
    assert db.mode is StorageMode.PLAIN
    assert any("not encrypted" in notice for notice in db.notices)
    db.write(insert_draft("s1")).result()
    for path in (folder / DB_NAME, folder / f"{DB_NAME}-wal", folder / f"{DB_NAME}-shm"):
        assert mode_of(path) == 0o600, path
    assert mode_of(folder) == 0o700
    db.close()
    assert (folder / DB_NAME).read_bytes()[:16] == b"SQLite format 3\0"
    with open_database(folder, KEY, engine=STDLIB) as again:  # a key changes nothing here
        assert again.mode is StorageMode.PLAIN
        assert again.read(draft_ids).result() == ["s1"]

    refused = open_database(tmp_path / "a2", None, plain_ok=False, engine=STDLIB)
    assert refused.mode is StorageMode.MEMORY and "memory" in refused.notices[0]
    assert not (tmp_path / "a2").exists()
    refused.close()


def test_a_loose_file_is_tightened_to_owner_only(tmp_path: Path) -> None:
    open_database(tmp_path, None, engine=STDLIB).close()
    (tmp_path / DB_NAME).chmod(0o644)
    tmp_path.chmod(0o755)
    open_database(tmp_path, None, engine=STDLIB).close()
    assert mode_of(tmp_path / DB_NAME) == 0o600 and mode_of(tmp_path) == 0o700


@requires_sqlcipher
def test_memory_mode_without_a_folder_or_without_a_key(tmp_path: Path) -> None:
    db = open_database(None, None, engine=cipher())
    assert db.mode is StorageMode.MEMORY and db.path is None and db.notices == ()
    db.write(insert_draft("s1")).result()
    assert db.read(draft_ids).result() == ["s1"]
    assert db.size_bytes() > 0
    db.close()

    keyless = open_database(tmp_path / "a1", None, engine=cipher())
    assert keyless.mode is StorageMode.MEMORY
    assert "keyring" in keyless.notices[0]
    assert not (tmp_path / "a1").exists()  # nothing unencrypted written where it could be
    keyless.close()


def test_a_bad_key_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="64 hexadecimal"):
        open_database(tmp_path, "passphrase")


def test_an_unusable_folder_raises_in_words(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match="folder for the local database"):
        open_database(blocker / "a1", None, engine=STDLIB)


class Gate:
    """A write that holds the writer thread until released: whatever is queued meanwhile
    goes into the next batch, whatever the machine's speed."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, conn: sqlite3.Connection) -> None:
        self.started.set()
        assert self.release.wait(30)


def test_writes_queued_during_a_batch_share_one_transaction(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    gate = Gate()
    first = db.write(gate)
    assert gate.started.wait(30)
    futures = [db.write(insert_draft(f"s{i:03}")) for i in range(200)]
    gate.release.set()
    first.result()
    for future in futures:
        assert future.result() is None
    stats = db.stats
    assert stats.batches == 2 and stats.largest_batch == 200 and stats.jobs == 201
    assert stats.failed == 0 and stats.longest_batch_ms >= stats.last_batch_ms >= 0
    assert len(db.read(draft_ids).result()) == 200
    db.close()


def test_a_failing_fn_loses_only_its_own_work(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    gate = Gate()
    db.write(gate)
    assert gate.started.wait(30)

    def half_then_raise(conn: sqlite3.Connection) -> None:
        insert_draft("bad-1")(conn)
        raise ValueError("refused")

    def insert_and_answer(conn: sqlite3.Connection) -> str:
        insert_draft("s2")(conn)
        return "value"

    before = db.write(insert_draft("s1"))
    failing = db.write(half_then_raise)
    duplicate = db.write(insert_draft("s1"))  # IntegrityError: same primary key
    after = db.write(insert_and_answer)
    gate.release.set()
    assert before.result() is None and after.result() == "value"
    with pytest.raises(ValueError, match="refused"):
        failing.result()
    with pytest.raises(sqlite3.IntegrityError):
        duplicate.result()
    assert db.stats.batches == 2 and db.stats.failed == 2
    db.close()
    with open_database(tmp_path, None, engine=STDLIB) as again:
        assert again.read(draft_ids).result() == ["s1", "s2"]


def test_reads_see_the_writes_queued_before_them(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    for i in range(5):
        db.write(insert_draft(f"s{i}"))
    assert len(db.read(draft_ids).result()) == 5
    db.close()


def test_a_future_cancelled_before_its_batch_is_skipped(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    gate = Gate()
    db.write(gate)
    assert gate.started.wait(30)
    dropped = db.write(insert_draft("dropped"))
    assert dropped.cancel()
    kept = db.write(insert_draft("kept"))
    gate.release.set()
    kept.result()
    assert db.read(draft_ids).result() == ["kept"]
    db.close()


def test_close_drains_the_queue_and_is_idempotent(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    futures = [db.write(insert_draft(f"s{i:03}")) for i in range(100)]
    db.close()
    assert all(f.done() and f.exception() is None for f in futures)
    db.close()
    assert db.closed
    late = db.write(insert_draft("late"))
    with pytest.raises(DatabaseClosed):
        late.result()
    with open_database(tmp_path, None, engine=STDLIB) as again:
        assert len(again.read(draft_ids).result()) == 100
    assert not (tmp_path / f"{DB_NAME}-wal").exists()  # checkpointed at the last close


@pytest.mark.asyncio
async def test_awrite_and_aread(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    await db.awrite(insert_draft("s1"))
    assert await db.aread(draft_ids) == ["s1"]
    with pytest.raises(sqlite3.IntegrityError):
        await db.awrite(insert_draft("s1"))
    db.close()


def test_account_dir_is_a_hash_of_host_and_identifier(tmp_path: Path) -> None:
    one = account_dir(tmp_path, "https://api.crisp.chat", "id-1")
    assert one.parent == tmp_path and len(one.name) == 20
    assert "id-1" not in str(one)
    assert one == account_dir(tmp_path, "https://api.crisp.chat", "id-1")
    assert one != account_dir(tmp_path, "http://127.0.0.1:8765", "id-1")
    assert one != account_dir(tmp_path, "https://api.crisp.chat", "id-2")


def test_delete_database_removes_the_files_and_copies_set_aside(tmp_path: Path) -> None:
    folder = account_dir(tmp_path, "host", "id")
    db = open_database(folder, None, engine=STDLIB)
    db.write(insert_draft("s1")).result()
    db.close()
    (folder / f"{DB_NAME}.unreadable-20260101T000000Z").write_bytes(b"old")
    delete_database(folder)
    assert not folder.exists()
    delete_database(folder)  # already gone: nothing to do

    keep = tmp_path / "shared"
    open_database(keep, None, engine=STDLIB).close()
    (keep / "notes.txt").write_text("not ours")
    delete_database(keep)
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]


def test_size_bytes_counts_the_file_and_its_wal(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    empty = db.size_bytes()
    db.write(insert_draft("s1", "x" * 100_000)).result()
    assert db.size_bytes() > empty + 100_000
    db.close()


def test_fns_run_on_one_writer_thread(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    names = {db.write(lambda _c: threading.current_thread().name).result(),
             db.read(lambda _c: threading.current_thread().name).result()}
    assert names == {"database-writer"}
    db.close()


def test_sqlite_rows_read_by_index_and_by_name(tmp_path: Path) -> None:
    with open_database(tmp_path, None, engine=STDLIB) as db:
        db.write(insert_draft("s1")).result()
        row = db.read(lambda c: c.execute("SELECT session_id, mode FROM drafts").fetchone()
                      ).result()
        assert row[0] == row["session_id"] == "s1" and tuple(row) == ("s1", "reply")


def test_concurrent_writers_from_many_threads(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)

    def writer(n: int) -> None:
        for i in range(50):
            db.write(insert_draft(f"t{n}-{i:02}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.close()
    with open_database(tmp_path, None, engine=STDLIB) as again:
        assert len(again.read(draft_ids).result()) == 200


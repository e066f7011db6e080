"""A file the console cannot use never stops it: wrong key, damaged, truncated, newer than
this program, or a migration that fails. The file is moved aside (never deleted), the outbox
rows that can still be read are kept, and the notices say what happened, in words."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from crisp_console.storage.database import DB_NAME, Database, StorageMode, open_database
from crisp_console.storage.engine import STDLIB, Engine
from tests.storage.dbutil import (
    KEY,
    OTHER_KEY,
    add_outbox,
    cipher,
    outbox,
    raw,
    requires_sqlcipher,
)

pytestmark = requires_sqlcipher

PAGE = 4096
STAMP = "20261207T001500Z"  # the injected clock's UTC second


def clock() -> float:
    return 1_796_602_500.0  # 2026-12-07 00:15:00 UTC


def filled(folder: Path, rows: int = 5, body_size: int = 20) -> tuple[list[dict[str, object]],
                                                                      int]:
    """A good encrypted file with ``rows`` outbox rows; returns them and the page count
    before they were added (with big bodies, each row then has a leaf page of its own)."""
    db = open_database(folder, KEY, engine=cipher())
    before = db.read(lambda c: c.execute("PRAGMA page_count").fetchone()[0]).result()
    db.write(lambda conn: add_outbox(conn, rows, body_size=body_size)).result()
    db.write(lambda conn: conn.execute("UPDATE outbox SET state = 'sending' WHERE id = 2")
             ).result()
    kept = db.read(outbox).result()
    db.close()
    return kept, before


def damage(path: Path, page: int, at: int = 300) -> None:
    with path.open("r+b") as f:
        f.seek((page - 1) * PAGE + at)
        f.write(b"\xde\xad\xbe\xef" * 16)


def reopen(folder: Path, key: str = KEY, engine: Engine | None = None) -> Database:
    return open_database(folder, key, engine=engine or cipher(), clock=clock)


def aside(folder: Path) -> Path:
    return folder / f"{DB_NAME}.unreadable-{STAMP}"


def test_wrong_key_moves_the_file_aside_and_starts_fresh(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    kept, _ = filled(tmp_path)
    original = (tmp_path / DB_NAME).read_bytes()
    with caplog.at_level(logging.DEBUG, logger="crisp_console"):
        db = reopen(tmp_path, OTHER_KEY)
    assert db.mode is StorageMode.ENCRYPTED and db.path == tmp_path / DB_NAME
    assert db.salvaged_outbox == []  # not readable with this key
    assert db.read(outbox).result() == []
    notice = db.notices[0]
    assert str(aside(tmp_path)) in notice and "key" in notice
    assert "starts without saved data" in notice
    db.write(lambda c: add_outbox(c, 1)).result()  # the fresh file works
    db.close()
    # Nothing was lost: the old file, byte for byte, still opens with its own key.
    assert aside(tmp_path).read_bytes() == original
    old = raw(cipher(), tmp_path, KEY, aside(tmp_path).name)
    assert outbox(old) == kept
    old.close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "moved aside" in warnings[0].getMessage()
    assert KEY not in caplog.text and OTHER_KEY not in caplog.text


def test_a_schema_newer_than_this_console_is_set_aside_with_its_outbox_kept(
        tmp_path: Path) -> None:
    kept, _ = filled(tmp_path)
    conn = raw(cipher(), tmp_path, KEY)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    db = reopen(tmp_path)
    assert "newer version" in db.notices[0] and str(aside(tmp_path)) in db.notices[0]
    assert "5 unsent action(s) were recovered" in db.notices[0]
    assert db.salvaged_outbox == kept  # every column, state as it was ("sending" for id 2)
    assert db.read(outbox).result() == kept  # and back in the outbox: nothing dropped
    added = db.write(lambda c: c.execute(
        "INSERT INTO outbox (kind, website_id, session_id, body, state, created_ms, "
        "updated_ms) VALUES ('note', 'w1', 's1', '{}', 'queued', 1, 1)").lastrowid).result()
    assert added == 6  # new actions queue after the salvaged ones
    db.close()
    old = raw(cipher(), tmp_path, KEY, aside(tmp_path).name)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 99  # left as it was
    old.close()


def test_a_damaged_outbox_keeps_every_row_that_can_still_be_read(tmp_path: Path) -> None:
    kept, before = filled(tmp_path, rows=20, body_size=3000)
    damage(tmp_path / DB_NAME, before + 10)  # one leaf page, in the middle of the rows
    db = reopen(tmp_path)
    salvaged_ids = [row["id"] for row in db.salvaged_outbox]
    assert 1 in salvaged_ids and 20 in salvaged_ids  # both sides of the damage
    assert len(salvaged_ids) == 19 and salvaged_ids == sorted(salvaged_ids)
    by_id = {row["id"]: row for row in kept}
    assert all(row == by_id[row["id"]] for row in db.salvaged_outbox)
    assert db.read(outbox).result() == db.salvaged_outbox
    assert "19 unsent action(s) were recovered" in db.notices[0]
    assert aside(tmp_path).exists()
    db.close()


def test_a_damaged_first_page_loses_the_file_but_not_the_console(tmp_path: Path) -> None:
    filled(tmp_path)
    damage(tmp_path / DB_NAME, 1, at=100)
    db = reopen(tmp_path)
    assert db.mode is StorageMode.ENCRYPTED and db.salvaged_outbox == []
    assert "no unsent actions that could be read" in db.notices[0]
    db.close()


@pytest.mark.parametrize("keep", [100, None])
def test_a_truncated_file(tmp_path: Path, keep: int | None) -> None:
    """Cut to less than a page (nothing left), or in the middle of the outbox's pages (the
    rows before the cut are kept)."""
    kept, before = filled(tmp_path, rows=20, body_size=3000)
    cut = keep if keep is not None else (before + 12) * PAGE
    with (tmp_path / DB_NAME).open("r+b") as f:
        f.truncate(cut)
    db = reopen(tmp_path)
    assert aside(tmp_path).stat().st_size == cut
    ids = [row["id"] for row in db.salvaged_outbox]
    if keep is not None:
        assert ids == []
    else:
        assert 1 in ids and 20 not in ids and ids == list(range(1, len(ids) + 1))
        assert db.read(outbox).result() == kept[:len(ids)]
    db.close()


def test_a_failed_migration_sets_the_file_aside_and_salvages_its_outbox(
        tmp_path: Path) -> None:
    # A version-0 file (no user_version) that already has a "meta" table: step 1 fails.
    conn = cipher().connect(tmp_path / DB_NAME, key=KEY)
    conn.execute("CREATE TABLE meta (k)")
    conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT, website_id TEXT, "
                 "session_id TEXT, body TEXT, state TEXT, created_ms INTEGER, "
                 "updated_ms INTEGER)")
    conn.execute("INSERT INTO outbox VALUES (7, 'text', 'w1', 's1', '{\"content\": \"hi\"}', "
                 "'queued', 5, 6)")
    conn.close()
    db = reopen(tmp_path)
    assert "updating it to this version failed" in db.notices[0]
    assert db.salvaged_outbox == [{"id": 7, "kind": "text", "website_id": "w1",
                                   "session_id": "s1", "body": '{"content": "hi"}',
                                   "state": "queued", "created_ms": 5, "updated_ms": 6}]
    [row] = db.read(outbox).result()
    assert row["id"] == 7 and row["ambiguous"] == 0 and row["error"] == ""  # defaults
    db.close()


def test_a_plain_file_left_from_a_platform_without_sqlcipher(tmp_path: Path) -> None:
    plain = open_database(tmp_path, None, engine=STDLIB)
    plain.write(lambda c: add_outbox(c, 2)).result()
    kept = plain.read(outbox).result()
    plain.close()
    db = reopen(tmp_path)  # now with SQLCipher and a key: the plain file is not ours
    assert db.mode is StorageMode.ENCRYPTED
    assert db.salvaged_outbox == kept and db.read(outbox).result() == kept
    db.close()


def test_two_failures_in_the_same_second_keep_both_copies(tmp_path: Path) -> None:
    for _ in range(2):
        filled(tmp_path)
        reopen(tmp_path, OTHER_KEY).close()
        (tmp_path / DB_NAME).unlink()
    names = sorted(p.name for p in tmp_path.iterdir() if "unreadable" in p.name)
    assert names[:2] == [aside(tmp_path).name, f"{aside(tmp_path).name}-2"]


def test_a_wal_moves_with_its_file(tmp_path: Path) -> None:
    """Killed before a checkpoint, the newest commits are only in the -wal: it must travel
    with the file, or the salvage would miss them."""
    open_database(tmp_path, KEY, engine=cipher()).close()
    live = raw(cipher(), tmp_path, KEY)
    live.execute("PRAGMA user_version = 42")  # newer than this console: to be set aside
    add_outbox(live, 3)
    crashed = tmp_path / "crashed"  # the files as a crash leaves them: no checkpoint
    crashed.mkdir()
    for suffix in ("", "-wal"):
        (crashed / f"{DB_NAME}{suffix}").write_bytes(
            (tmp_path / f"{DB_NAME}{suffix}").read_bytes())
    live.close()
    db = reopen(crashed)
    assert "newer version" in db.notices[0]
    assert len(db.salvaged_outbox) == 3
    assert (crashed / f"{aside(crashed).name}-wal").exists()
    db.close()


def test_transient_errors_are_not_taken_for_a_bad_file(tmp_path: Path) -> None:
    for engine in (STDLIB, cipher()):
        path = tmp_path / f"{engine.name}.db"
        holder = engine.connect(path)
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(engine.Error) as info:
            engine.connect(path, timeout=0)
        holder.execute("ROLLBACK")
        holder.close()
        assert engine.is_transient(info.value) and not engine.is_unreadable(info.value)
    notadb = tmp_path / "garbage.db"
    notadb.write_bytes(b"not a database at all" * 300)
    with pytest.raises(sqlite3.DatabaseError) as bad:
        STDLIB.connect(notadb)
    assert STDLIB.is_unreadable(bad.value) and not STDLIB.is_transient(bad.value)

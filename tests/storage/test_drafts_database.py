"""DraftStore over the account's database: saves are queued to the writer thread, drafts come
back after a restart, and an old drafts.json moves in once (renamed only after the commit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crisp_console.storage.database import Database, StorageMode, open_database
from crisp_console.storage.drafts import Draft, DraftStore
from crisp_console.storage.engine import STDLIB
from tests.storage.dbutil import KEY, cipher, requires_sqlcipher


def table(db: Database) -> dict[str, tuple[str, str]]:
    return db.read(lambda c: {row[0]: (row[1], row[2]) for row in c.execute(
        "SELECT session_id, text, mode FROM drafts")}).result()


def write_json(path: Path, drafts: dict[str, tuple[str, str]]) -> None:
    path.write_text(json.dumps({"version": 1, "drafts": {
        sid: {"text": text, "mode": mode} for sid, (text, mode) in drafts.items()}}),
        encoding="utf-8")


@requires_sqlcipher
def test_drafts_are_kept_in_the_database(tmp_path: Path) -> None:
    db = open_database(tmp_path / "db", KEY, engine=cipher())
    store = DraftStore(None, database=db, clock=lambda: 12.5)
    changes: list[int] = []
    store.on_change = lambda: changes.append(1)
    store.put("s1", "Dear visitor", "reply")
    store.put("s2", "for @Bob", "note")
    assert store.dirty
    store.save()
    assert not store.dirty
    store.put("s2", "", "note")  # deleted
    store.save()
    store.save()  # nothing changed: nothing queued
    assert changes == [1, 1, 1]
    assert table(db) == {"s1": ("Dear visitor", "reply")}
    assert db.read(lambda c: c.execute("SELECT updated_at FROM drafts").fetchone()[0]
                   ).result() == 12500
    db.close()

    again = open_database(tmp_path / "db", KEY, engine=cipher())
    assert DraftStore(None, database=again).get("s1") == Draft("Dear visitor", "reply")
    again.close()


def test_a_failed_save_keeps_the_drafts_dirty_for_the_next_one(tmp_path: Path) -> None:
    db = open_database(tmp_path, None, engine=STDLIB)
    store = DraftStore(None, database=db)
    db.close()  # every write now fails
    store.put("s1", "text", "reply")
    store.save()
    assert store.dirty and store.get("s1") == Draft("text", "reply")


def test_drafts_json_moves_into_the_database_once(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    write_json(path, {"s1": ("from the file", "reply"), "s2": ("note", "note")})
    db = open_database(tmp_path / "db", None, engine=STDLIB)
    db.write(lambda c: c.execute("INSERT INTO drafts VALUES ('s1', 'newer', 'note', 1)")
             ).result()
    store = DraftStore(path, database=db)
    assert store.get("s1") == Draft("newer", "note")  # the database wins
    assert store.get("s2") == Draft("note", "note")
    assert not store.dirty  # the move is its own write
    assert store.migration is not None and store.migration.result() is True
    assert not path.exists()
    assert json.loads((tmp_path / "drafts.json.migrated").read_text(encoding="utf-8"))
    assert table(db) == {"s1": ("newer", "note"), "s2": ("note", "note")}

    later = DraftStore(path, database=db)  # next start: nothing left to move
    assert later.migration is None and later.ids() == {"s1", "s2"}
    db.close()


def test_the_file_stays_until_its_rows_are_committed(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    write_json(path, {"s1": ("keep me", "reply")})
    db = open_database(tmp_path / "db", None, engine=STDLIB)
    db.close()  # the rows cannot be committed
    store = DraftStore(path, database=db)
    assert store.get("s1") == Draft("keep me", "reply")  # still offered this session
    assert store.migration is not None and store.migration.result() is False
    assert path.exists()


def test_a_corrupt_drafts_json_is_set_aside_not_migrated(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "drafts.json"
    path.write_text("{not json", encoding="utf-8")
    with open_database(tmp_path / "db", None, engine=STDLIB) as db:
        store = DraftStore(path, database=db)
        assert store.ids() == set() and store.migration is None
    assert (tmp_path / "drafts.json.corrupt").exists()
    assert not (tmp_path / "drafts.json.migrated").exists()
    assert "starting without drafts" in caplog.text


def test_an_in_memory_database_leaves_drafts_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    write_json(path, {"s1": ("kept on disk", "reply")})
    with open_database(None, None) as db:
        assert db.mode is StorageMode.MEMORY
        store = DraftStore(path, database=db)
        assert store.migration is None and store.get("s1") == Draft("kept on disk", "reply")
        store.put("s2", "new", "note")
        store.save()
        assert table(db) == {}
    assert DraftStore(path).ids() == {"s1", "s2"}

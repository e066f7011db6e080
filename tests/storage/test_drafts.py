"""DraftStore: per-conversation drafts in memory and on disk, written atomically, and a bad
file that never stops the console."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from crisp_console.storage.drafts import Draft, DraftStore


def dirty(store: DraftStore) -> bool:
    return store.dirty  # a call, so that mypy does not keep the narrowed value across save()


def test_put_get_delete_and_ids_in_memory() -> None:
    store = DraftStore(None)
    changes: list[int] = []
    store.on_change = lambda: changes.append(len(store.ids()))
    store.put("s1", "Hello", "reply")
    store.put("s2", "Internal", "note")
    assert store.get("s1") == Draft("Hello", "reply")
    assert store.get("s2") == Draft("Internal", "note")
    assert store.get("missing") is None
    assert store.ids() == {"s1", "s2"}
    store.put("s1", "Hello", "reply")  # no change: no notification
    store.put("s1", "  \n ", "reply")  # whitespace only deletes
    store.put("never", "", "note")  # deleting nothing changes nothing
    assert store.ids() == {"s2"}
    assert changes == [1, 2, 1]
    store.save()  # memory only: nothing to write, no error


def test_a_mode_change_alone_is_a_change() -> None:
    store = DraftStore(None)
    store.put("s1", "text", "reply")
    store.put("s1", "text", "note")
    assert store.get("s1") == Draft("text", "note")


def test_unknown_mode_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="mode"):
        DraftStore(None).put("s1", "text", "email")


def test_save_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "state" / "drafts.json"  # the directory is created on save
    store = DraftStore(path)
    assert not path.exists() and store.ids() == set()
    store.put("s1", "Dear visitor,\n\nline 3 — ünïcødé 😀", "reply")
    store.put("s2", "for @Bob", "note")
    assert dirty(store)
    store.save()
    assert not dirty(store)
    assert sorted(p.name for p in path.parent.iterdir()) == ["drafts.json"]  # no temp left
    again = DraftStore(path)
    assert again.get("s1") == Draft("Dear visitor,\n\nline 3 — ünïcødé 😀", "reply")
    assert again.get("s2") == Draft("for @Bob", "note")
    again.put("s1", "", "reply")
    again.save()
    assert DraftStore(path).ids() == {"s2"}


def test_save_writes_only_when_something_changed(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    store = DraftStore(path)
    store.save()
    assert not path.exists()
    store.put("s1", "x", "reply")
    store.save()
    path.write_text("sentinel", encoding="utf-8")
    store.save()  # clean: the file is left alone
    assert path.read_text(encoding="utf-8") == "sentinel"


@pytest.mark.parametrize("content", [
    "{not json",
    "[1, 2, 3]",
    json.dumps({"version": 99, "drafts": {}}),
    json.dumps({"version": 1, "drafts": ["s1"]}),
])
def test_a_corrupt_file_gives_an_empty_store_and_is_kept_aside(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str) -> None:
    path = tmp_path / "drafts.json"
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="crisp_console.storage.drafts"):
        store = DraftStore(path)
    assert store.ids() == set()
    assert "starting without drafts" in caplog.text
    assert (tmp_path / "drafts.json.corrupt").read_text(encoding="utf-8") == content
    store.put("s1", "new", "reply")
    store.save()
    assert DraftStore(path).get("s1") == Draft("new", "reply")


def test_malformed_entries_are_skipped_and_the_rest_kept(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "drafts.json"
    path.write_text(json.dumps({"version": 1, "drafts": {
        "good": {"text": "keep me", "mode": "note"},
        "bad-mode": {"text": "x", "mode": "email"},
        "bad-text": {"text": 3, "mode": "reply"},
        "empty": {"text": "  ", "mode": "reply"},
        "not-a-dict": "text",
    }}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="crisp_console.storage.drafts"):
        store = DraftStore(path)
    assert store.ids() == {"good"}
    assert caplog.text.count("malformed draft") == 4


def test_missing_or_unreadable_files_and_failed_saves_never_raise(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="crisp_console.storage.drafts"):
        assert DraftStore(tmp_path / "absent.json").ids() == set()
        assert caplog.text == ""  # a first run is not a problem
        folder = tmp_path / "a-folder"
        folder.mkdir()
        store = DraftStore(folder)  # reading a directory fails
        assert store.ids() == set()
        assert "cannot be read" in caplog.text
        store.put("s1", "text", "reply")
        store.save()  # writing over a directory fails: logged, kept dirty to retry
    assert "drafts not saved" in caplog.text
    assert store.dirty and store.get("s1") == Draft("text", "reply")

"""keymap.json read and written without Qt: what the ui's loader gets for each kind of file."""

from __future__ import annotations

from pathlib import Path

from crisp_console.storage.keymap_file import KeymapFile, read_keymap, write_keymap


def test_no_file_is_nothing_to_apply(tmp_path: Path) -> None:
    assert read_keymap(tmp_path / "keymap.json") is None


def test_any_json_is_handed_over_for_the_caller_to_judge(tmp_path: Path) -> None:
    path = tmp_path / "keymap.json"
    for text, data in [("null", None), ("[1]", [1]), ('{"a": "B"}', {"a": "B"})]:
        path.write_text(text, encoding="utf-8")
        assert read_keymap(path) == KeymapFile(data)


def test_unreadable_and_broken_files_are_errors_in_words(tmp_path: Path) -> None:
    path = tmp_path / "keymap.json"
    path.write_bytes(b'{"app.quit": "\xff"}')
    undecodable = read_keymap(path)
    path.write_text('{"app.quit": ', encoding="utf-8")
    broken = read_keymap(path)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    unreadable = read_keymap(folder)
    for file, words in [(undecodable, "cannot read it"), (broken, "not valid JSON"),
                        (unreadable, "cannot read it")]:
        assert file is not None and file.data is None and file.error is not None
        assert words in file.error and "using the default shortcuts" in file.error


def test_unbound_commands_are_written_as_null_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "keymap.json"
    write_keymap(path, {"b.two": ["Ctrl+B", "F2"], "a.one": None, "c.three": []})
    assert read_keymap(path) == KeymapFile({"a.one": None, "b.two": ["Ctrl+B", "F2"],
                                            "c.three": None})
    assert [p.name for p in path.parent.iterdir()] == ["keymap.json"]

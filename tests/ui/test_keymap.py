"""The user keymap file: overrides, unbinding, and bad input that is reported, never fatal."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from crisp_console.settings import keymap_path
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.keymap import load_keymap


@pytest.fixture
def registry() -> CommandRegistry:
    return build_registry(platform="linux")


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_file_lives_in_the_user_config_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: CommandRegistry) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keymap_path() == tmp_path / "crisp-console" / "keymap.json"
    keymap_path().parent.mkdir()
    write(keymap_path(), {"app.quit": "Ctrl+Shift+Q"})
    assert load_keymap(registry).applied == ["app.quit"]
    assert registry.shortcuts("app.quit") == ("Ctrl+Shift+Q",)


def test_missing_file_is_normal(tmp_path: Path, registry: CommandRegistry,
                                caplog: pytest.LogCaptureFixture) -> None:
    before = registry.keymap()
    with caplog.at_level(logging.WARNING):
        result = load_keymap(registry, tmp_path / "keymap.json")
    assert (result.applied, result.errors, caplog.records) == ([], [], [])
    assert registry.keymap() == before


def test_overrides_multiple_sequences_and_unbinding(tmp_path: Path,
                                                   registry: CommandRegistry) -> None:
    path = write(tmp_path / "keymap.json", {
        "conversation.resolve": "ctrl+shift+r",
        "conversation.next": ["Alt+Down", "Ctrl+J", "F8"],
        "app.hide": None,
        "view.all": [],
        "list.resolve": "X",
    })
    result = load_keymap(registry, path)
    assert result.errors == []
    assert result.applied == ["conversation.resolve", "conversation.next", "app.hide",
                              "view.all", "list.resolve"]
    keymap = registry.keymap()
    assert keymap["conversation.resolve"] == ("Ctrl+Shift+R",)
    assert keymap["conversation.next"] == ("Alt+Down", "Ctrl+J", "F8")
    assert keymap["app.hide"] == ()
    assert keymap["view.all"] == ()
    assert keymap["list.resolve"] == ("X",)
    assert keymap["app.quit"] == ("Ctrl+Q",)  # untouched entries keep their defaults
    assert registry.conflicts() == []


def test_bad_entries_are_logged_and_skipped(tmp_path: Path, registry: CommandRegistry,
                                           caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "keymap.json", {
        "no.such.command": "Ctrl+Shift+Y",
        "conversation.assign": "Alt+A",
        "conversation.segments": "Ctrl+Alt+L",
        "conversation.mark_read": "Ctrl+Bogus",
        "conversation.remind": 42,
        "app.settings": "S",
        "conversation.next": ["Ctrl+J", "Alt+J", {"key": "x"}],
        "app.quit": "Ctrl+Shift+Q",
    })
    with caplog.at_level(logging.ERROR, logger="crisp_console.ui.keymap"):
        result = load_keymap(registry, path)
    text = caplog.text
    assert "'no.such.command': unknown command id" in text
    assert "'conversation.assign': Alt+A: no Alt or Ctrl+Alt chords" in text
    assert "'conversation.segments': Ctrl+Alt+L" in text and "AltGr" in text
    assert "'conversation.mark_read': 'Ctrl+Bogus' is not a key sequence" in text
    assert "'conversation.remind': expected a string, a list of strings or null, got int" in text
    assert "'app.settings': S: single keys are for list-context commands" in text
    assert "'conversation.next': Alt+J" in text
    assert str(path) in text
    assert len(result.errors) == len(caplog.records) == 8
    # Rejected entries keep their defaults; the good parts of a mixed entry apply.
    keymap = registry.keymap()
    assert keymap["conversation.assign"] == ("Ctrl+Shift+A",)
    assert keymap["conversation.segments"] == ("Ctrl+Shift+L",)
    assert keymap["conversation.mark_read"] == ("Ctrl+R",)
    assert keymap["conversation.remind"] == ("Ctrl+Shift+M",)
    assert keymap["app.settings"] == ("Ctrl+,",)
    assert keymap["conversation.next"] == ("Ctrl+J",)
    assert keymap["app.quit"] == ("Ctrl+Shift+Q",)
    assert result.applied == ["conversation.next", "app.quit"]


def test_a_user_binding_takes_its_keys_from_defaults(
        tmp_path: Path, registry: CommandRegistry, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "keymap.json", {
        "conversation.resolve": "Ctrl+R",  # default of mark_read
        "list.resolve": "R",  # default of list.reply (with Return)
        "conversation.mark_unread": "Ctrl+R",  # already given away above: refused
    })
    with caplog.at_level(logging.WARNING, logger="crisp_console.ui.keymap"):
        result = load_keymap(registry, path)
    assert registry.shortcuts("conversation.resolve") == ("Ctrl+R",)
    assert registry.shortcuts("conversation.mark_read") == ()
    assert registry.shortcuts("list.reply") == ("Return",)
    assert registry.shortcuts("conversation.mark_unread") == ("Ctrl+U",)
    assert registry.conflicts() == []
    assert "Ctrl+R no longer runs conversation.mark_read" in caplog.text
    assert "Ctrl+R is already bound to conversation.resolve in this keymap" in caplog.text
    assert result.applied == ["conversation.resolve", "list.resolve"]


def test_prefix_bindings_count_as_clashes(tmp_path: Path, registry: CommandRegistry) -> None:
    path = write(tmp_path / "keymap.json", {"app.settings": "Ctrl+K, Ctrl+S"})
    load_keymap(registry, path)
    # Ctrl+K alone (the palette) would never fire while Ctrl+K, Ctrl+S waits: it moves.
    assert registry.shortcuts("app.settings") == ("Ctrl+K, Ctrl+S",)
    assert registry.shortcuts("app.palette") == ()
    assert registry.conflicts() == []


def test_input_method_chords_warn_but_apply(tmp_path: Path, registry: CommandRegistry,
                                            caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "keymap.json", {"app.hide": "Ctrl+Shift+U"})
    with caplog.at_level(logging.WARNING, logger="crisp_console.ui.keymap"):
        result = load_keymap(registry, path)
    assert registry.shortcuts("app.hide") == ("Ctrl+Shift+U",)
    assert result.warnings == [f"{path}: 'app.hide': Ctrl+Shift+U may be taken by "
                               "IBus Unicode entry"]
    assert "IBus" in caplog.text


@pytest.mark.parametrize(("content", "needle"), [
    (b'{"app.quit": "Ctrl+Shift+Q",', "not valid JSON"),
    (b"", "not valid JSON"),
    (b'["app.quit", "Ctrl+Shift+Q"]', "expected an object of command ids"),
    (b'"Ctrl+Q"', "expected an object of command ids"),
    (b"null", "got NoneType"),
    (b'{"app.quit": "\xff\xfe"}', "cannot read it"),
])
def test_broken_files_leave_the_defaults(tmp_path: Path, registry: CommandRegistry,
                                         caplog: pytest.LogCaptureFixture,
                                         content: bytes, needle: str) -> None:
    path = tmp_path / "keymap.json"
    path.write_bytes(content)
    before = registry.keymap()
    with caplog.at_level(logging.ERROR, logger="crisp_console.ui.keymap"):
        result = load_keymap(registry, path)
    assert needle in caplog.text and str(path) in caplog.text
    assert result.applied == [] and len(result.errors) == 1
    assert registry.keymap() == before


def test_a_directory_in_place_of_the_file(tmp_path: Path, registry: CommandRegistry,
                                          caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "keymap.json").mkdir()
    with caplog.at_level(logging.ERROR):
        result = load_keymap(registry, tmp_path / "keymap.json")
    assert "cannot read it" in caplog.text and result.applied == []


def test_actions_use_the_loaded_keymap(tmp_path: Path, registry: CommandRegistry,
                                       qtbot: QtBot) -> None:
    load_keymap(registry, write(tmp_path / "keymap.json", {
        "conversation.resolve": ["Ctrl+Shift+R", "F9"], "app.quit": None}))
    window = QWidget()
    qtbot.addWidget(window)
    actions = registry.create_actions(window)
    assert actions["conversation.resolve"].shortcuts() == [
        QKeySequence("Ctrl+Shift+R"), QKeySequence("F9")]
    assert actions["app.quit"].shortcuts() == []

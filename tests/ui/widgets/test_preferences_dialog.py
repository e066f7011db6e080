"""The preferences dialog and its keymap editor: pending edits, conflicts, save and reset."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from crisp_console.settings import Preferences
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.keymap import load_keymap, save_keymap
from crisp_console.ui.widgets.keymap_editor import KeymapEditor
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog


def test_the_form_round_trips_the_preferences(qtbot: QtBot) -> None:
    prefs = Preferences(send_on_enter=False, after_resolve="stay", theme="dark", font_size=12,
                        notify_sound=True, single_key=False, load_images="never")
    dialog = PreferencesDialog(prefs, build_registry())
    qtbot.addWidget(dialog)
    assert dialog.preferences() == prefs
    dialog.send_key.setCurrentIndex(dialog.send_key.findData(True))
    dialog.single_key.setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert saved.args[0] == Preferences(send_on_enter=True, after_resolve="stay", theme="dark",
                                        font_size=12, notify_sound=True, single_key=True,
                                        load_images="never")


def test_keymap_edits_wait_for_save_and_refuse_conflicts(qtbot: QtBot, tmp_path: Path) -> None:
    registry = build_registry()
    editor = KeymapEditor(registry)
    qtbot.addWidget(editor)
    editor.select("conversation.resolve")
    assert not editor.record("Ctrl+K")  # the palette's
    assert "Command palette" in editor.message.text()
    assert not editor.record("Alt+E")  # a bare Alt+letter is refused by the rules
    assert editor.record("Ctrl+Shift+D")
    assert registry.shortcuts("conversation.resolve") == ("Ctrl+Shift+E",)  # still pending
    editor.select("app.hide")
    editor.unbind_button.click()
    editor.apply()
    assert registry.shortcuts("conversation.resolve") == ("Ctrl+Shift+D",)
    assert registry.shortcuts("app.hide") == ()
    path = save_keymap(registry, tmp_path / "keymap.json")
    assert json.loads(path.read_text()) == {"conversation.resolve": ["Ctrl+Shift+D"],
                                            "app.hide": None}
    fresh = build_registry()
    load_keymap(fresh, path)
    assert fresh.keymap() == registry.keymap()
    editor.reset_all()
    editor.apply()
    assert registry.keymap() == build_registry().keymap()


def test_a_freed_shortcut_can_be_taken_in_the_same_session(qtbot: QtBot) -> None:
    registry = build_registry()
    editor = KeymapEditor(registry)
    qtbot.addWidget(editor)
    editor.select("app.palette")
    editor.unbind_button.click()
    editor.select("conversation.resolve")
    assert editor.record("Ctrl+K")  # free now, although the registry still has it
    editor.apply()
    assert registry.shortcuts("conversation.resolve") == ("Ctrl+K",)
    assert registry.conflicts() == []

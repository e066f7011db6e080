"""Preferences → Font size: steps through sensible sizes by keyboard, keeps odd saved sizes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crisp_console.settings import FONT_SIZES, Preferences
from crisp_console.storage.preferences import load_preferences, save_preferences
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.font_size_box import FontSizeBox
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

Key = Qt.Key


def test_arrow_keys_step_from_system_through_the_sizes(qtbot: QtBot) -> None:
    box = FontSizeBox()
    qtbot.addWidget(box)
    assert box.value() == 0 and box.currentText() == "System"
    seen = []
    for _ in FONT_SIZES:
        qtbot.keyClick(box, Key.Key_Down)
        seen.append(box.value())
    assert seen == list(FONT_SIZES)  # 8, 9, 10 … 24: never 1, 2, 3 pt
    qtbot.keyClick(box, Key.Key_Down)
    assert box.value() == 24  # the last step stays
    qtbot.keyClick(box, Key.Key_Up)
    assert box.value() == 22
    qtbot.keyClick(box, Key.Key_Home)
    assert box.value() == 0
    qtbot.keyClick(box, Key.Key_End)
    assert box.value() == 24


def test_typing_a_size_picks_it(qtbot: QtBot, qapp: QApplication) -> None:
    box = FontSizeBox()
    qtbot.addWidget(box)
    interval = qapp.keyboardInputInterval()
    qapp.setKeyboardInputInterval(60_000)  # "1" and "8" one search, however slow the machine
    try:
        qtbot.keyClicks(box, "18")
    finally:
        qapp.setKeyboardInputInterval(interval)
    assert box.value() == 18 and box.currentText() == "18 pt"


def test_a_hand_edited_size_shows_in_its_place_and_goes_when_another_loads(
        qtbot: QtBot) -> None:
    box = FontSizeBox()
    qtbot.addWidget(box)
    box.setValue(17)
    assert box.value() == 17 and box.currentText() == "17 pt"
    labels = [box.itemText(row) for row in range(box.count())]
    assert labels.index("17 pt") == labels.index("16 pt") + 1 == labels.index("18 pt") - 1
    qtbot.keyClick(box, Key.Key_Up)
    assert box.value() == 16
    box.setValue(12)
    assert box.findText("17 pt") < 0 and box.value() == 12
    assert box.count() == len(FONT_SIZES) + 1
    box.setValue(0)
    assert box.currentIndex() == 0


def test_system_names_its_size(qtbot: QtBot) -> None:
    box = FontSizeBox()
    qtbot.addWidget(box)
    box.set_system_size(9.0)
    assert box.itemText(0) == "System (9 pt)"
    box.set_system_size(10.5)
    assert box.itemText(0) == "System (10.5 pt)"
    box.set_system_size(0)  # sized in pixels: nothing to say
    assert box.itemText(0) == "System"


def test_the_dialog_round_trips_every_size(qtbot: QtBot) -> None:
    for size in (0, 8, 14, 17, 24, 40):  # 17 and 40: valid in the file, not steps
        prefs = Preferences(font_size=size)
        dialog = PreferencesDialog(prefs, build_registry())
        qtbot.addWidget(dialog)
        assert dialog.font_size.value() == size
        assert dialog.preferences().font_size == size
        with qtbot.waitSignal(dialog.saved) as saved:
            dialog.accept()
        assert saved.args[0].font_size == size


def test_a_size_written_by_hand_survives_the_file_the_dialog_and_the_file_again(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "preferences.ini"
    path.write_text("[appearance]\nfont_size = 17\n", encoding="utf-8")
    prefs = load_preferences(path)
    assert prefs.font_size == 17 and prefs.warnings == ()
    dialog = PreferencesDialog(prefs, build_registry())
    qtbot.addWidget(dialog)
    assert dialog.font_size.currentText() == "17 pt"
    save_preferences(dialog.preferences(), path)
    assert load_preferences(path).font_size == 17
    qtbot.keyClick(dialog.font_size, Key.Key_Down)  # the operator picks the next step
    save_preferences(dialog.preferences(), path)
    assert load_preferences(path).font_size == 18


def test_the_dialog_reaches_the_box_by_its_mnemonic(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Preferences(font_size=0), build_registry())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert dialog.focusWidget() is dialog.font_size
    qtbot.keyClick(dialog.font_size, Key.Key_Down)
    qtbot.keyClick(dialog.font_size, Key.Key_Down)
    assert dialog.preferences().font_size == 9

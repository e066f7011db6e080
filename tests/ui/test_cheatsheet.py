"""The Ctrl+/ cheat sheet: generated from the registry, shown non-modally, closed with Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QListView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.cheatsheet import TYPED_CATEGORY, TYPED_TRIGGERS, cheat_sheet_rows
from crisp_console.ui.default_commands import SINGLE_KEY, build_registry
from crisp_console.ui.keymap import apply_keymap
from crisp_console.ui.widgets.cheat_sheet import CheatSheetDialog

OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_rows_cover_every_bound_command_grouped_by_category() -> None:
    registry = build_registry(platform="linux")
    groups = cheat_sheet_rows(registry, native=False)
    categories = [category for category, _ in groups]
    assert len(categories) == len(set(categories))  # one group per category
    expected_order = list(dict.fromkeys(c.category for c in registry.all()
                                        if registry.shortcuts(c.id)))  # unbound: palette only
    assert categories == [*expected_order, TYPED_CATEGORY]
    shown = {(category, title, keys) for category, rows in groups for title, keys in rows}
    bound = {(c.category, c.title, registry.shortcuts(c.id)) for c in registry.all()
             if registry.shortcuts(c.id)}
    assert shown - {(TYPED_CATEGORY, t, k) for t, k in TYPED_TRIGGERS} == bound
    assert ("Conversation", "Resolve (reopen if resolved)", ("Ctrl+Shift+E",)) in shown
    assert (SINGLE_KEY, "Resolve (reopen if resolved)", ("E",)) in shown
    assert ("Navigation", "Search messages…", ("Ctrl+Shift+F",)) in shown
    assert (SINGLE_KEY, "Filter the list", ("/",)) in shown
    assert ("Navigation", "Next unread or waiting conversation",
            ("Alt+Shift+Down", "Ctrl+Shift+PgDown")) in shown
    assert ("Conversation", "Undo the last action (resolve, assign, unread)",
            ("Ctrl+Z",)) in shown
    titles = {title for _, rows in groups for title, _ in rows}
    assert "Reopen" not in titles and "Block the visitor" not in titles  # unbound


def test_rows_follow_the_user_keymap_and_single_key_mode() -> None:
    registry = build_registry(platform="linux")
    apply_keymap(registry, {"app.quit": None, "app.settings": ["Ctrl+;", "F10"]})
    groups = dict(cheat_sheet_rows(registry, native=False, typed=False))
    app_rows = dict(groups["Application"])
    assert "Quit" not in app_rows
    assert app_rows["Settings"] == ("Ctrl+;", "F10")
    assert TYPED_CATEGORY not in groups
    registry.single_key_enabled = False
    assert SINGLE_KEY not in dict(cheat_sheet_rows(registry))


@OFFSCREEN_SIZE_HINTS
def test_dialog_shows_the_rows_read_only(qtbot: QtBot) -> None:
    groups = cheat_sheet_rows(build_registry(platform="linux"), native=False)
    dialog = CheatSheetDialog(groups)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert rows[0] == ("Application", "")
    assert ("Keyboard shortcuts", "Ctrl+/   or   F1") in rows
    assert len(rows) == sum(1 + len(r) for _, r in groups)
    item = dialog.table.item(1, 0)
    assert item is not None and not item.flags() & Qt.ItemFlag.ItemIsEditable
    assert dialog.table.columnSpan(0, 0) == 2


@OFFSCREEN_SIZE_HINTS
def test_ctrl_slash_opens_it_without_blocking_and_esc_closes_it(qtbot: QtBot) -> None:
    """Keyboard only: Ctrl+/ from the list opens it, Esc closes it."""
    registry = build_registry(platform="linux")
    window = QWidget()
    qtbot.addWidget(window)
    conversation_list = QListView()
    QVBoxLayout(window).addWidget(conversation_list)
    registry.create_actions(window, {"list": conversation_list})
    opened: list[CheatSheetDialog] = []

    def open_cheat_sheet() -> None:
        dialog = CheatSheetDialog(cheat_sheet_rows(registry), window)
        opened.append(dialog)
        dialog.open()  # returns at once: no nested event loop

    registry.set_handler("app.cheat_sheet", open_cheat_sheet)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    conversation_list.setFocus()
    qtbot.waitUntil(conversation_list.hasFocus)

    qtbot.keyClick(conversation_list, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1
    dialog = opened[0]
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal  # what open() does
    qtbot.waitUntil(dialog.table.hasFocus)
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert finished.args == [QDialog.DialogCode.Rejected.value]
    assert not dialog.isVisible()

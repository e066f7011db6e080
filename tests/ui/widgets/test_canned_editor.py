"""The canned responses editor: keyboard add/edit/delete, per-row validation, async save."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.client.team_settings import item_problems, load_validator
from crisp_console.errors import ValidationError
from crisp_console.present.canned import CannedResponse
from crisp_console.ui.widgets.canned_editor import ERROR_COLOUR, SHORTCUT, CannedEditorDialog

HELLO = CannedResponse("hello", "Greeting", "Hi!\nHow can I help?")
BYE = CannedResponse("bye", "Farewell", "Bye!", "fr")


class Recorder:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[list[CannedResponse]] = []
        self.fail = fail

    async def __call__(self, items: list[CannedResponse]) -> None:
        self.calls.append(items)
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail


def make(qtbot: QtBot, items: list[CannedResponse], save: Recorder) -> CannedEditorDialog:
    dialog = CannedEditorDialog(items, save, tasks=TaskOwner())
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # QShortcut needs the active window
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus)
    return dialog


async def spin(pred: Callable[[], bool]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3
    while not pred():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClicks(widget, text)


def test_keyboard_add_edit_delete(qtbot: QtBot) -> None:
    dialog = make(qtbot, [HELLO, BYE], Recorder())
    assert dialog.table.rowCount() == 2 and dialog.save_button.isEnabled()
    # Add: Ctrl+N puts the cursor in the new row's shortcut.
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert dialog.table.rowCount() == 3 and dialog.table.currentRow() == 2
    assert dialog.shortcut_edit.hasFocus()
    assert not dialog.save_button.isEnabled()  # an empty row is not a response
    type_into(qtbot, dialog.shortcut_edit, "Thanks!")
    assert "shortcut" in dialog.problems()[2]
    cell = dialog.table.item(2, SHORTCUT)
    assert cell is not None and cell.foreground().color().name() == ERROR_COLOUR
    assert "lowercase" in dialog.row_error.text()
    dialog.shortcut_edit.clear()
    type_into(qtbot, dialog.shortcut_edit, "thanks")
    qtbot.keyClick(dialog.shortcut_edit, Qt.Key.Key_Return)
    assert dialog.title_edit.hasFocus()
    type_into(qtbot, dialog.title_edit, "Thank you")
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.locale_edit, Qt.Key.Key_Return)
    assert dialog.text_edit.hasFocus()
    type_into(qtbot, dialog.text_edit, "Thanks for writing!")
    assert dialog.problems()[2] == {} and dialog.save_button.isEnabled()
    assert dialog.table.item(2, SHORTCUT).text() == "!thanks"  # type: ignore[union-attr]
    # Edit: Enter on the first row moves to its form.
    dialog.table.setFocus()
    dialog.table.setCurrentCell(0, SHORTCUT)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.shortcut_edit.hasFocus() and dialog.shortcut_edit.text() == "hello"
    qtbot.keyClick(dialog.shortcut_edit, Qt.Key.Key_Return)
    dialog.title_edit.selectAll()
    type_into(qtbot, dialog.title_edit, "Hello there")
    # Delete: the second row goes, the cursor stays in the table.
    dialog.table.setFocus()
    dialog.table.setCurrentCell(1, SHORTCUT)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert dialog.table.hasFocus() and dialog.table.currentRow() == 1
    assert dialog.items() == [
        CannedResponse("hello", "Hello there", HELLO.text),
        CannedResponse("thanks", "Thank you", "Thanks for writing!")]


def test_a_repeated_shortcut_is_flagged_on_the_later_row(qtbot: QtBot) -> None:
    dialog = make(qtbot, [HELLO, BYE], Recorder())
    dialog.table.setCurrentCell(1, SHORTCUT)
    dialog.shortcut_edit.selectAll()
    type_into(qtbot, dialog.shortcut_edit, "hello")
    assert dialog.problems() == [{}, {"shortcut": "!hello is already used above"}]
    assert not dialog.save_button.isEnabled() and "1 row to fix" in dialog.status.text()
    dialog.shortcut_edit.selectAll()
    type_into(qtbot, dialog.shortcut_edit, "bye")
    assert dialog.problems() == [{}, {}] and dialog.save_button.isEnabled()


@pytest.mark.asyncio
async def test_ctrl_s_awaits_the_callback_then_closes(qtbot: QtBot) -> None:
    save = Recorder()
    dialog = make(qtbot, [HELLO, BYE], save)
    finished: list[int] = []
    dialog.finished.connect(finished.append)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.save_button.isEnabled()  # no second save while one is pending
    await spin(lambda: bool(finished))
    assert save.calls == [[HELLO, BYE]] and finished == [QDialog.DialogCode.Accepted]


@pytest.mark.asyncio
async def test_a_refused_save_keeps_the_dialog_and_the_edits(qtbot: QtBot) -> None:
    save = Recorder(fail=ValidationError(400, "invalid_data", "data.canned_responses"))
    dialog = make(qtbot, [HELLO], save)
    dialog.save_button.click()
    await spin(lambda: "Not saved" in dialog.status.text())
    assert dialog.status.text() == ("Not saved: Crisp refused the request as invalid: "
                                    "data.canned_responses")
    assert dialog.isVisible()
    assert dialog.save_button.isEnabled() and dialog.items() == [HELLO]
    assert dialog.result() != QDialog.DialogCode.Accepted
    # An invalid row keeps Save off: nothing reaches the callback.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Insert)
    assert not dialog.save_button.isEnabled()
    dialog.save()
    # No save was started: one would say "Saving…" at once, before its call goes out.
    assert dialog.status.text() != "Saving…"
    assert len(save.calls) == 1


def test_item_problems_in_words() -> None:
    validator = load_validator()
    problems = item_problems([{"shortcut": "ok", "title": "", "text": "t", "locale": "French"},
                              {"shortcut": "ok", "title": "t", "text": "t"}], validator)
    assert set(problems[0]) == {"title", "locale"} and "120" in problems[0]["title"]
    assert problems[1] == {"shortcut": "!ok is already used above"}

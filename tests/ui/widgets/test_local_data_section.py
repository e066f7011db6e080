"""Preferences → Local data: the storage mode in words, the size, the cache cap (a preference
saved with the dialog), and "Clear local data…" behind a confirmation that says unsent items
are kept; clearing runs as a task and says how it went."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.settings import Preferences
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.local_data_section import LocalDataSection
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog


class FakeLocalData:
    def __init__(self, mode: str = "encrypted", notices: tuple[str, ...] = (),
                 size: int = 12_400_000, fail: Exception | None = None) -> None:
        self.mode, self.notices, self.size, self.fail = mode, notices, size, fail
        self.cleared = 0

    def size_bytes(self) -> int:
        return self.size

    async def clear(self) -> None:
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        self.cleared += 1
        self.size = 90_000


class Spawned:
    """TaskOwner.spawn's shape, recording the coroutines for the test to run."""

    def __init__(self) -> None:
        self.coros: list[Coroutine[Any, Any, None]] = []

    def __call__(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self.coros.append(coro)


def section(qtbot: QtBot, data: FakeLocalData) -> tuple[LocalDataSection, Spawned]:
    spawned = Spawned()
    widget = LocalDataSection(data, spawned)
    qtbot.addWidget(widget)
    return widget, spawned


@pytest.mark.parametrize(("mode", "title", "words", "size"), [
    ("encrypted", "Encrypted at rest", "SQLCipher", "12.4 MB on disk"),
    ("plain", "Not encrypted", "file mode 0600", "12.4 MB on disk"),
    ("memory", "Memory only", "gone after quitting", "12.4 MB in memory"),
])
def test_the_mode_in_words(qtbot: QtBot, mode: str, title: str, words: str,
                           size: str) -> None:
    widget, _ = section(qtbot, FakeLocalData(mode))
    assert widget.mode_label.text() == title
    assert words in widget.mode_detail.text()
    assert widget.size_label.text() == size
    assert widget.notices_note.isHidden()


def test_notices_are_shown(qtbot: QtBot) -> None:
    notice = "The database could not be read; it was moved aside as console.db.unreadable-…"
    widget, _ = section(qtbot, FakeLocalData(notices=(notice,)))
    assert not widget.notices_note.isHidden() and widget.notices_note.text() == notice


def confirm(widget: LocalDataSection) -> QMessageBox:
    widget.clear_button.click()
    box = widget.confirm
    assert box is not None and box.isVisible() and box.isModal()
    return box


def test_the_confirmation_says_unsent_items_are_kept_and_cancel_is_the_default(
        qtbot: QtBot) -> None:
    data = FakeLocalData()
    widget, spawned = section(qtbot, data)
    widget.show()
    box = confirm(widget)
    assert "Unsent replies and actions are kept" in box.informativeText()
    assert box.defaultButton() is box.escapeButton()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible() and spawned.coros == [] and widget.outcome.isHidden()


def test_clearing_runs_as_a_task_and_says_how_it_went(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    data = FakeLocalData()
    widget, spawned = section(qtbot, data)
    widget.show()
    box = confirm(widget)
    clear = next(b for b in box.buttons()
                 if box.buttonRole(b) is QMessageBox.ButtonRole.DestructiveRole)
    assert clear.text() == "&Clear local data"
    clear.click()
    assert widget.outcome.text() == "Clearing…" and not widget.clear_button.isEnabled()
    (coro,) = spawned.coros
    qloop.run_until_complete(coro)
    assert data.cleared == 1 and widget.clear_button.isEnabled()
    assert widget.outcome.text() == "Cleared. Unsent replies and actions were kept."
    assert widget.size_label.text() == "90.0 kB on disk"


def test_a_failed_clear_says_why(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    data = FakeLocalData(fail=OSError("disk full"))
    widget, spawned = section(qtbot, data)
    widget.show()
    box = confirm(widget)
    next(b for b in box.buttons()
         if box.buttonRole(b) is QMessageBox.ButtonRole.DestructiveRole).click()
    qloop.run_until_complete(spawned.coros[0])
    assert widget.outcome.text().startswith("Not cleared:") and data.cleared == 0
    assert widget.clear_button.isEnabled()


def test_the_cap_is_a_preference_saved_with_the_dialog(qtbot: QtBot) -> None:
    tasks = TaskOwner()
    dialog = PreferencesDialog(Preferences(cache_cap_mb=800), build_registry(),
                               local_data=FakeLocalData(), spawn=tasks.spawn)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "&General", "&Notifications", "&Keyboard", "Local &data"]
    local = dialog.local_data
    assert local is not None and local.cap_mb() == 800
    assert (local.cap.minimum(), local.cap.maximum()) == (50, 10_000)
    local.cap.setValue(20_000)  # the spin box keeps it in bounds
    assert local.cap_mb() == 10_000
    local.cap.setValue(1500)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert saved.args[0] == Preferences(cache_cap_mb=1500)


def test_without_a_database_there_is_no_tab_and_the_cap_is_kept(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Preferences(cache_cap_mb=800), build_registry())
    qtbot.addWidget(dialog)
    assert dialog.tabs.count() == 3 and dialog.local_data is None
    assert dialog.preferences().cache_cap_mb == 800

"""The crash dialog (open(), never exec()) and the thread-safe notifier that shows it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.crash import install_excepthook
from crisp_console.ui.widgets.crash_dialog import CrashDialog, CrashNotifier


def _report(tmp_path: Path, name: str = "crash-20250304-050607.txt") -> Path:
    path = tmp_path / name
    path.write_text("crisp-console crash report\nValueError: ***\n", encoding="utf-8")
    return path


class Opener:
    def __init__(self, result: bool = True) -> None:
        self.urls: list[QUrl] = []
        self.result = result

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return self.result


def test_open_shows_the_path_and_escape_closes(qtbot: QtBot, tmp_path: Path) -> None:
    report = _report(tmp_path)
    dialog = CrashDialog(report, open_url=Opener())
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert dialog.isVisible() and str(report) in dialog.path_label.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_open_log_folder_opens_the_report_directory(qtbot: QtBot, tmp_path: Path) -> None:
    opener = Opener()
    dialog = CrashDialog(_report(tmp_path), open_url=opener)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    assert opener.urls == [QUrl.fromLocalFile(str(tmp_path))]
    assert dialog.status.isHidden()


def test_open_log_folder_failure_is_said(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = CrashDialog(_report(tmp_path), open_url=Opener(result=False))
    qtbot.addWidget(dialog)
    dialog.open()
    assert not dialog.open_log_folder()
    assert dialog.status.isVisible() and "Could not open" in dialog.status.text()


def test_copy_report_puts_the_file_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    report = _report(tmp_path)
    dialog = CrashDialog(report, open_url=Opener())
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == report.read_text(encoding="utf-8")
    assert "copied" in dialog.status.text()
    report.unlink()
    assert not dialog.copy_report() and "Could not read" in dialog.status.text()


def test_notifier_from_another_thread_shows_one_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    notifier = CrashNotifier(window, open_url=Opener())
    first, second = _report(tmp_path), _report(tmp_path, "crash-20250304-050608.txt")
    worker = threading.Thread(target=notifier, args=(first,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: notifier.dialog is not None and notifier.dialog.isVisible())
    dialog = notifier.dialog
    assert dialog is not None and dialog.parent() is window and dialog.report_path == first
    notifier(second)
    qtbot.waitUntil(lambda: dialog.report_path == second)
    assert notifier.dialog is dialog and dialog.reports == [first, second]
    assert "1 earlier report" in dialog.path_label.text()
    dialog.reject()
    notifier(first)
    qtbot.waitUntil(lambda: notifier.dialog is not dialog and notifier.dialog is not None)


def test_excepthook_end_to_end_shows_the_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    notifier = CrashNotifier(None, open_url=Opener())
    handler = install_excepthook(notifier, log_dir=tmp_path)
    try:
        try:
            raise RuntimeError("slot failed")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        handler.uninstall()
    qtbot.waitUntil(lambda: notifier.dialog is not None and notifier.dialog.isVisible())
    assert notifier.dialog is not None
    qtbot.addWidget(notifier.dialog)
    assert notifier.dialog.report_path == handler.reports[0]
    assert "RuntimeError: slot failed" in handler.reports[0].read_text(encoding="utf-8")

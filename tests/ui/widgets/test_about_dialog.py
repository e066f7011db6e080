"""Help → About shows what runs and where its log is, copyably, and closes on Esc."""

from __future__ import annotations

import tomllib
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import crisp_console
from crisp_console.ui.widgets.about_dialog import AboutDialog

ROOT = Path(__file__).resolve().parents[3]


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def test_the_version_comes_from_pyproject() -> None:
    assert crisp_console.__version__ == pyproject_version()


def test_the_user_agent_carries_the_version() -> None:
    from crisp_console.api.agent import default_user_agent

    assert f"crisp-console/{pyproject_version()}" == default_user_agent()


def test_the_version_flag_prints_it_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    from crisp_console.app import parse_args

    with pytest.raises(SystemExit) as end:
        parse_args(["--version"])
    assert end.value.code == 0
    assert capsys.readouterr().out == f"crisp-console {pyproject_version()}\n"


def test_details_name_version_qt_python_and_the_log_folder(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(log_folder=tmp_path / "logs")
    qtbot.addWidget(dialog)
    text = dialog.text()
    assert f"crisp-console {pyproject_version()}" in text
    assert f"Qt {qVersion()}" in text and f"PySide6 {PySide6.__version__}" in text
    assert "Python 3." in text
    assert f"Log folder: {tmp_path / 'logs'}" in text
    assert pyproject_version() in dialog.heading.text()
    assert "MIT" in dialog.licence.text()


def test_copy_puts_the_details_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(log_folder=tmp_path)
    qtbot.addWidget(dialog)
    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.text()


def test_escape_closes(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(log_folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_labels_render_plain_text_only(qtbot: QtBot, tmp_path: Path) -> None:
    # A log folder path is user-controlled; it must never be read as markup or a link.
    dialog = AboutDialog(log_folder=tmp_path / "<img src=x onerror=y>")
    qtbot.addWidget(dialog)
    assert dialog.heading.textFormat() is Qt.TextFormat.PlainText
    assert "<img src=x onerror=y>" in dialog.text()

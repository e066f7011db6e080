"""The black frame at start (ui/native_background.py): on a real X server, what the screen shows
in a window before Qt paints it is the theme's window colour, not black; elsewhere nothing is
done and nothing breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.native_background import NativeBackground, pixel_of, x11_connection

ROOT = Path(__file__).resolve().parents[2]


def probe(*args: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    env.pop("DISPLAY", None)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 800x600x24 -br", sys.executable,
         str(ROOT / "tests" / "ui" / "native_background_probe.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_before_its_first_paint_a_window_shows_the_theme_colour_not_black() -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    assert probe() == "applied=None colour=#000000"  # Qt's default: nothing, so black
    assert probe("--with") == "applied=True colour=#1e2024"


def test_pixels() -> None:
    assert pixel_of(QColor("#f4f5f7"), alpha=False) == 0xF4F5F7
    assert pixel_of(QColor("#1e2024"), alpha=True) == 0xFF1E2024


def test_without_x11_nothing_is_done(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    keeper = NativeBackground(window)
    assert x11_connection() is None and keeper.applied is False
    assert window.internalWinId() == 0  # no native window made for it
    window.show()
    qtbot.waitExposed(window)
    assert keeper.applied is False

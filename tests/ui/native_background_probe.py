"""Run under ``xvfb-run -s "... -br"`` with Qt's xcb platform by test_native_background.py:
shows a window that never paints (updates disabled), with or without NativeBackground
(``--with``), waits until X has mapped and exposed it, and prints the colour the screen shows
in its middle: what the X server filled it with before any paint of Qt's."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.ui.native_background import NativeBackground

THEMED = QColor("#1e2024")


def main(argv: list[str]) -> int:
    app = QApplication(sys.argv[:1])
    palette = QPalette(app.palette())
    palette.setColor(QPalette.ColorRole.Window, THEMED)
    app.setPalette(palette)
    window = QWidget()
    window.setGeometry(100, 100, 400, 300)
    window.setUpdatesEnabled(False)  # Qt never paints it: the screen shows X's own filling
    keeper = NativeBackground(window) if "--with" in argv else None
    window.show()
    if not QTest.qWaitForWindowExposed(window, 5000):
        print("not exposed")
        return 1
    # X fills a mapped window's background before it sends the Expose that was awaited.
    centre = window.mapToGlobal(window.rect().center())
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(0, centre.x(), centre.y(), 1, 1).toImage()
    print(f"applied={keeper.applied if keeper is not None else None} "
          f"colour={shot.pixelColor(0, 0).name()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

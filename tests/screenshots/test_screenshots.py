"""The main window (light and dark), the sign-in dialog showing a refused key, the
preferences dialog, the Ctrl+K palette with a hostile visitor's tooltip, and the console on a
bad day (refused people-panel sections, a failing catch-up, a spent quota in the status bar)
and searching messages (Ctrl+Shift+F "VAT", the Ctrl+K row that searches for its text),
under a real X server (Xvfb + xcb), saved as PNGs.

The pictures land in ``artifacts/screenshots/`` at the repository root (README, "Screenshots").
Needs the ``xvfb`` and ``xauth`` Debian packages, which scripts/setup.sh installs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screenshots"


NAMES = ("main-light.png", "main-dark.png", "signin.png", "preferences.png", "palette.png",
         "people-denied.png", "status-catching-up.png", "status-quota.png", "search-light.png",
         "search-dark.png", "search-column.png", "search-palette.png")


def mean_lightness(image: QImage) -> float:
    step = 16
    values = [image.pixelColor(x, y).lightnessF()
              for x in range(0, image.width(), step) for y in range(0, image.height(), step)]
    return sum(values) / len(values)


def test_main_window_light_and_dark_under_xvfb() -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    for name in NAMES:
        (OUT / name).unlink(missing_ok=True)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m",
         "tests.screenshots.shoot", str(OUT)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    said = [line for line in proc.stdout.splitlines() if line.startswith("status bar:")]
    assert len(said) == 2, proc.stdout[-2000:]
    assert "| catching up; last try: " in said[0]
    assert "| catching up; waiting for the quota | daily API quota spent, resets at " in said[1]
    light, dark = QImage(str(OUT / "main-light.png")), QImage(str(OUT / "main-dark.png"))
    for image in (light, dark):
        assert not image.isNull() and image.width() >= 1200 and image.height() >= 700
    assert mean_lightness(light) > 0.6 > 0.4 > mean_lightness(dark)
    assert mean_lightness(QImage(str(OUT / "search-dark.png"))) < 0.4
    for name, min_width, min_height in (("signin.png", 440, 380),
                                        ("preferences.png", 500, 400),
                                        ("palette.png", 1200, 700),
                                        ("people-denied.png", 1200, 700),
                                        ("status-catching-up.png", 2400, 200),
                                        ("status-quota.png", 2400, 200),
                                        ("search-light.png", 1200, 700),
                                        ("search-column.png", 500, 1000),
                                        ("search-palette.png", 480, 300)):
        image = QImage(str(OUT / name))
        assert not image.isNull(), name
        assert image.width() >= min_width and image.height() >= min_height, (name, image.size())
        assert mean_lightness(image) > 0.6, name  # the light palette
        assert colours(image) >= 8, name  # text and controls drawn, not a blank window


def colours(image: QImage) -> int:
    """Distinct colours on a coarse grid: a blank or single-colour picture has one or two."""
    return len({image.pixel(x, y) for x in range(0, image.width(), 3)
                for y in range(0, image.height(), 3)})

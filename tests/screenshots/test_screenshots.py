"""The main window under a real X server (Xvfb + xcb), light and dark, saved as PNGs.

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


def mean_lightness(image: QImage) -> float:
    step = 16
    values = [image.pixelColor(x, y).lightnessF()
              for x in range(0, image.width(), step) for y in range(0, image.height(), step)]
    return sum(values) / len(values)


def test_main_window_light_and_dark_under_xvfb() -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    for name in ("main-light.png", "main-dark.png"):
        (OUT / name).unlink(missing_ok=True)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m",
         "tests.screenshots.shoot", str(OUT)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    light, dark = QImage(str(OUT / "main-light.png")), QImage(str(OUT / "main-dark.png"))
    for image in (light, dark):
        assert not image.isNull() and image.width() >= 1200 and image.height() >= 700
    assert mean_lightness(light) > 0.6 > 0.4 > mean_lightness(dark)

"""The console's appearance under a real X server (Xvfb + xcb), saved as PNGs: dark theme at
14 pt, light at 10 and 18 pt (changed at run time), emoji in colour in a visitor's bubble, the
list's preview and the reply box, the people panel when narrow, the font size box open.

The pictures land in ``artifacts/screenshots/`` at the repository root. Needs ``xvfb``,
``xauth`` and ``fonts-noto-color-emoji``, which scripts/setup.sh installs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from PySide6.QtGui import QImage

from tests.screenshots.test_screenshots import OUT, ROOT, colours, mean_lightness

PICTURES = {  # name: (min width, min height, light)
    "look-dark-14.png": (1200, 700, False),
    "look-light-10.png": (1200, 700, True),
    "look-light-18.png": (1200, 700, True),
    "look-search-18.png": (1200, 700, True),
    "look-palette-18.png": (400, 300, True),
    "look-emoji.png": (700, 1000, True),
    "look-people-narrow.png": (220, 600, True),
    "look-font-box.png": (400, 300, True),
}


def test_appearance_under_xvfb() -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    for name in PICTURES:
        (OUT / name).unlink(missing_ok=True)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m",
         "tests.screenshots.shoot_look", str(OUT)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    # Qt finds the colour emoji font by itself (fontconfig); DejaVu alone draws boxes.
    assert "emoji: Noto Color Emoji colour=True" in proc.stdout, (
        proc.stdout[-1000:] + "\nno colour emoji: apt-get install fonts-noto-color-emoji")
    # Under a real X server a size change lays the thread out several times: it must still
    # end on the newest message (offscreen, one pass hides the problem).
    pinned = [line for line in proc.stdout.splitlines() if "thread at the bottom=" in line]
    assert len(pinned) == 3 and all(line.endswith("=True") for line in pinned), pinned
    for name, (min_width, min_height, light) in PICTURES.items():
        image = QImage(str(OUT / name))
        assert not image.isNull(), name
        assert image.width() >= min_width and image.height() >= min_height, (name, image.size())
        lightness = mean_lightness(image)
        assert lightness > 0.6 if light else lightness < 0.4, (name, lightness)
        assert colours(image) >= 8, name  # drawn, not a blank window

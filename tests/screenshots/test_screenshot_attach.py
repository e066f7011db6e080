"""The attachment tray under a real X server (Xvfb + xcb): shoot_attach.py's pictures land in
``artifacts/screenshots/`` (``attach-light.png``, ``attach-dark.png``, the composer alone in
both, and ``attach-sent.png``: the files and the caption in the thread)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from PySide6.QtGui import QImage

from tests.screenshots.test_screenshots import OUT, ROOT, colours, mean_lightness

NAMES = ("attach-light.png", "attach-dark.png", "attach-composer-light.png",
         "attach-composer-dark.png", "attach-sent.png")


def test_the_attachment_tray_light_and_dark_under_xvfb() -> None:
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb xauth"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        (OUT / name).unlink(missing_ok=True)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m",
         "tests.screenshots.shoot_attach", str(OUT)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    images = {name: QImage(str(OUT / name)) for name in NAMES}
    for name, image in images.items():
        assert not image.isNull(), name
        assert colours(image) >= 8, name  # drawn, not blank
    assert images["attach-light.png"].width() >= 1200
    assert images["attach-composer-light.png"].height() >= 150  # the tray above the box
    assert mean_lightness(images["attach-composer-light.png"]) > 0.6
    assert mean_lightness(images["attach-composer-dark.png"]) < 0.4

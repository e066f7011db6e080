"""What the screen shows while the console starts, frame by frame, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.first_frames DIR``
(``QT_QPA_PLATFORM=xcb``).

A backdrop window in an unmistakable colour (magenta) covers the screen first: an X window
that is mapped but not painted yet shows what was under it, so magenta inside the console's
rectangle is "mapped, not painted", and black there is black the console painted (a frame
before the theme, a native child, a GL surface). Then ``crisp-console --demo`` starts in its
own process (HOME and XDG dirs in a temporary directory) and the screen is grabbed as fast
as it can be, for a few seconds. Per frame: the share of the console's final rectangle that
is backdrop, black, or painted; the counts are printed, and the first frames that show the
console are saved as PNGs in DIR.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

BACKDROP = QColor("#ff00ff")
SECONDS = float(os.environ.get("FIRST_FRAMES_SECONDS", "8"))
STEP = 4  # sample every 4th pixel of every 4th row


def shares(image: QImage, rect: QRect) -> tuple[float, float]:
    """(backdrop, black) shares of ``rect`` in ``image``."""
    backdrop = black = total = 0
    magenta, dark = BACKDROP.rgb() & 0xFFFFFF, 0
    for y in range(rect.top(), rect.bottom() + 1, STEP):
        for x in range(rect.left(), rect.right() + 1, STEP):
            pixel = image.pixel(x, y) & 0xFFFFFF
            total += 1
            backdrop += pixel == magenta
            black += pixel == dark
    return backdrop / max(total, 1), black / max(total, 1)


def painted_rect(image: QImage) -> QRect:
    """The bounding box of what is not backdrop (the console's window)."""
    magenta = BACKDROP.rgb() & 0xFFFFFF
    xs, ys = [], []
    for y in range(0, image.height(), STEP):
        for x in range(0, image.width(), STEP):
            if image.pixel(x, y) & 0xFFFFFF != magenta:
                xs.append(x)
                ys.append(y)
    if not xs:
        return QRect()
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "artifacts/first-frames")
    out.mkdir(parents=True, exist_ok=True)
    helpers = []  # FIRST_FRAMES_WM=1: a window manager and a compositor, as on a desktop
    if os.environ.get("FIRST_FRAMES_WM"):
        for command in (["openbox"], ["xcompmgr"]):
            helpers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        time.sleep(1.0)
    app = QApplication(sys.argv[:1])
    backdrop = QWidget()
    backdrop.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    pal = backdrop.palette()
    pal.setColor(QPalette.ColorRole.Window, BACKDROP)
    backdrop.setPalette(pal)
    backdrop.setAutoFillBackground(True)
    screen = QGuiApplication.primaryScreen()
    backdrop.setGeometry(screen.geometry())
    backdrop.show()
    for _ in range(50):
        app.processEvents()
        time.sleep(0.01)
    home = tempfile.mkdtemp(prefix="first-frames-")
    env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/config",
           "XDG_DATA_HOME": f"{home}/data", "XDG_STATE_HOME": f"{home}/state",
           "XDG_CACHE_HOME": f"{home}/cache", "QT_QPA_PLATFORM": "xcb",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", "from crisp_console.app import main; "
                              "raise SystemExit(main())", "--demo",
                              "--quit-after", str(SECONDS)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    frames: list[tuple[float, QImage]] = []
    while time.monotonic() - started < SECONDS and child.poll() is None:
        frames.append((time.monotonic() - started, screen.grabWindow(0).toImage()))
    child.terminate()
    child.wait(30)
    for helper in helpers:
        helper.terminate()
        helper.wait(10)
    final = next((painted_rect(img) for _, img in reversed(frames)
                  if not painted_rect(img).isEmpty()), QRect())
    if final.isEmpty():
        if frames:
            frames[-1][1].save(str(out / "last.png"))
        print(f"the console never showed ({len(frames)} frames, exit {child.returncode})",
              flush=True)
        return 1
    first_seen = None
    counts = {"backdrop": 0, "black": 0, "partial": 0, "painted": 0}
    saved = 0
    for at, image in frames:
        magenta, black = shares(image, final)
        if first_seen is None and magenta > 0.99:
            continue  # not mapped yet (or mapped and not painted: the same pixels)
        first_seen = at if first_seen is None else first_seen
        kind = ("black" if black > 0.5 else "backdrop" if magenta > 0.5
                else "partial" if magenta + black > 0.05 else "painted")
        counts[kind] += 1
        if saved < 6:
            image.copy(final).save(str(out / f"frame-{saved}-{at * 1000:.0f}ms-{kind}.png"))
            saved += 1
        if saved <= 6 or kind != "painted":
            print(f"{at * 1000:7.0f} ms  backdrop {magenta:5.1%}  black {black:5.1%}  {kind}",
                  flush=True)
    print(f"frames: {len(frames)} in {SECONDS} s; window {final.getRect()}; after it first "
          f"showed: {counts}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

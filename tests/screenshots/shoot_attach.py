"""Screenshots of the attachment tray: ``python -m tests.screenshots.shoot_attach DIR``.

Under a real X server (``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``): a conversation open, a
photo pasted (its thumbnail), a PDF, a spreadsheet and a broken image chosen (file cards),
a caption typed, and the keyboard's place in the tray (on the photo); the window and the
composer alone in the light and the dark palette (``attach-light.png``, ``attach-dark.png``,
``attach-composer-light.png``, ``attach-composer-dark.png``). Then what Enter left: the
files and the caption in the thread, in order (``attach-sent.png``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPainterPath
from PySide6.QtWidgets import QApplication

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.harness import run_shots
from tests.screenshots.shoot import save, settle
from tests.ui.widgets.attachment_helpers import broken_png


def photo(width: int = 1600, height: int = 1200) -> QImage:
    """A picture worth a thumbnail: sky, sun and hills (1.9 megapixels: decoded off the GUI
    thread)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    sky = QLinearGradient(0, 0, 0, height)
    sky.setColorAt(0, QColor("#1d4e89"))
    sky.setColorAt(1, QColor("#f7a072"))
    painter.fillRect(image.rect(), sky)
    painter.setBrush(QColor("#ffd166"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QPointF(width * 0.68, height * 0.42), height * 0.12, height * 0.12)
    for colour, top in (("#2d6a4f", 0.62), ("#1b4332", 0.74)):
        hills = QPainterPath(QPointF(0, height))
        hills.lineTo(0, height * top)
        hills.cubicTo(width * 0.3, height * (top - 0.15), width * 0.6, height * (top + 0.1),
                      width, height * (top - 0.05))
        hills.lineTo(width, height)
        painter.fillPath(hills, QColor(colour))
    painter.fillRect(QRectF(width * 0.1, height * 0.8, width * 0.25, height * 0.05),
                     QColor("#081c15"))
    painter.end()
    return image


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None)
    folder = tempfile.TemporaryDirectory(prefix="shoot-attach-")
    here = Path(folder.name)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        window.activateWindow()
        await console.start()
        store = console.client.store
        open_ = next(sid for sid in store.conversations
                     if store.conversations[sid].state != "resolved")
        console.controller.jump_to(open_)
        await settle(1.0)
        composer = console.panes.composer
        QApplication.clipboard().setImage(photo())
        composer.editor.setFocus()
        composer.editor.paste()  # as Ctrl+V
        (here / "Invoice 2026-0412 (corrected, final).pdf").write_bytes(b"%PDF-1.4 " * 4000)
        (here / "usage-report.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 52_000)
        (here / "screenshot.png").write_bytes(broken_png())
        composer.add_files([str(p) for p in sorted(here.iterdir())])
        composer.set_text("Here is the corrected invoice and this month's usage report.")
        tray = composer.tray
        for _ in range(100):
            if "loading" not in tray.previews():
                break
            await settle(0.05)
        tray.view.setFocus()  # the keyboard's place (Shift+Tab): the first file here
        tray.view.setCurrentIndex(tray.model.index(0))
        await settle(0.5)
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(window, out / f"attach-{name}.png"))
            saved.append(save(composer, out / f"attach-composer-{name}.png"))
        theme.apply(Scheme.LIGHT)
        composer.editor.setFocus()
        composer.request_send()
        conv = sandbox.state.conversations[open_]
        before = len(conv.messages)
        for _ in range(200):
            if len(conv.messages) >= before + 5 and console.client.outbox.unsent_count() == 0:
                break
            await settle(0.05)
        await settle(1.5)  # the thumbnails of the sent image load
        saved.append(save(window, out / "attach-sent.png"))
    finally:
        await console.aclose()
        await sandbox.stop()
        folder.cleanup()
    return saved


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

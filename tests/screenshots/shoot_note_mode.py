"""Reply mode and private-note mode side by side, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_note_mode DIR``
(``QT_QPA_PLATFORM=xcb``).

A sandbox in-process (simulator off), a conversation opened with Alt+Down, the window in
reply mode (``note-mode-reply.png``), then after the note toggle (``note-mode-note.png``).
The geometry of the thread, the composer and each of its parts is printed for both: the
switch must not move anything but the colours and words.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.shoot import save, settle


def geometry(console: Console) -> dict[str, tuple[int, int, int, int]]:
    composer = console.panes.composer
    parts: dict[str, QWidget] = {"thread": console.panes.thread, "composer": composer,
                                 "header": composer.header, "editor": composer.editor,
                                 "footer": composer.footer}
    window = console.window
    return {name: (w.mapTo(window, w.rect().topLeft()).x(), w.mapTo(window, w.rect().topLeft()).y(),
                   w.width(), w.height()) for name, w in parts.items()}


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        width, height = (int(n) for n in os.environ.get("SHOOT_SIZE", "1440x860").split("x"))
        window.resize(width, height)
        window.show()
        window.activateWindow()
        await console.start()
        for _ in range(100):
            await settle(0.05)
            if window.isActiveWindow():
                break
        focused = QApplication.focusWidget() or console.panes.list_pane.view
        QTest.keyClick(focused, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
        await settle(1.0)
        composer = console.panes.composer
        before = geometry(console)
        saved.append(save(window, out / "note-mode-reply.png"))
        composer.toggle_mode()
        await settle(0.6)
        after = geometry(console)
        saved.append(save(window, out / "note-mode-note.png"))
        for name in before:
            print(f"{name:9} reply {before[name]}  note {after[name]}"
                  + ("" if before[name] == after[name] else "  MOVED"), flush=True)
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "artifacts/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("crisp-console")
    if os.environ.get("SHOOT_FONT"):  # the operator's font size, in points
        font = app.font()
        font.setPointSize(int(os.environ["SHOOT_FONT"]))
        app.setFont(font)
    theme = Theme(app, forced=Scheme.DARK if os.environ.get("SHOOT_DARK") else Scheme.LIGHT)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        saved = loop.run_until_complete(shoot(out, theme))
    for path in saved:
        print(path, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

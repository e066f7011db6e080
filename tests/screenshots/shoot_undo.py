"""The undo bar after resolving, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_undo DIR``
(``QT_QPA_PLATFORM=xcb``).

A sandbox in-process (simulator off), a conversation opened and resolved with Ctrl+Shift+E
("stay" after resolving, the default): the window with the bar over the bottom of the
thread, in the light palette (``undo-light.png``) and the dark one (``undo-dark.png``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.harness import run_shots
from tests.screenshots.shoot import save, settle


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
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
        sid = console.controller.session_id
        if sid is None:
            raise SystemExit("Alt+Down opened no conversation")
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        QTest.keyClick(console.panes.composer.editor, Qt.Key.Key_E, ctrl_shift)
        for _ in range(100):
            await settle(0.05)
            if sandbox.state.conversations[sid].state == "resolved":
                break
        bar = console.undo.bar
        if bar is None or not bar.text().startswith("Resolved"):
            raise SystemExit(f"no undo bar after resolving: {bar.text() if bar else None!r}")
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(window, out / f"undo-{name}.png"))
        print("undo bar:", bar.text(), "at", bar.geometry().getRect(), flush=True)
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
